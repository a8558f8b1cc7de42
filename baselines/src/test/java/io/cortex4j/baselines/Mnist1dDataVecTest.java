package io.cortex4j.baselines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.cortex4j.datasets.InMemoryData;
import io.cortex4j.datasets.Mnist1d;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.datavec.api.records.reader.impl.csv.CSVRecordReader;
import org.datavec.api.split.FileSplit;
import org.datavec.api.writable.Writable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our MNIST-1D reader against DataVec's {@code CSVRecordReader}, the reader a DL4J user would
 * pick: on a file in the MNIST-1D CSV format (label, then 40 values), both give the same labels and
 * the same values (as float32).
 */
class Mnist1dDataVecTest {
    @TempDir
    Path tmp;

    @Test
    void ourReaderAndDataVecsReadTheSameSamples() throws Exception {
        Random r = new Random(4);
        StringBuilder sb = new StringBuilder();
        int n = 57;
        for (int i = 0; i < n; i++) {
            sb.append(r.nextInt(10));
            for (int t = 0; t < Mnist1d.INPUT_SIZE; t++)
                sb.append(',').append(String.format(Locale.ROOT, "%.6g", r.nextGaussian() * 1.7));
            sb.append('\n');
        }
        Path file = tmp.resolve("train.csv");
        Files.writeString(file, sb.toString());
        InMemoryData ours = Mnist1d.loadCsv(file);
        assertEquals(n, ours.size());
        try (CSVRecordReader rr = new CSVRecordReader(0, ',')) {
            rr.initialize(new FileSplit(file.toFile()));
            int i = 0;
            while (rr.hasNext()) {
                List<Writable> rec = rr.next();
                assertEquals(1 + Mnist1d.INPUT_SIZE, rec.size(), "record " + i);
                assertEquals(rec.get(0).toInt(), ours.label(i), "label of record " + i);
                float[] x = ours.input(i);
                for (int t = 0; t < Mnist1d.INPUT_SIZE; t++)
                    assertEquals((float) rec.get(1 + t).toDouble(), x[t], 0f, "record " + i + " value " + t);
                i++;
            }
            assertEquals(n, i);
            assertFalse(rr.hasNext());
        }
    }
}
