package io.cortex4j.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loader for the official CIFAR-10 binary version ({@code cifar-10-binary.tar.gz}): files of
 * 3073-byte records, one label byte (0..9) followed by 3072 pixel bytes as three 32x32 planes
 * R, G, B, each row-major. Inputs keep that channel-major (CHW) order, scaled by {@code /255}
 * into [0, 1].
 */
public final class Cifar10 {
    public static final int SIDE = 32;
    public static final int CHANNELS = 3;
    public static final int INPUT_SIZE = CHANNELS * SIDE * SIDE;
    public static final int RECORD_SIZE = 1 + INPUT_SIZE;
    public static final int NUM_CLASSES = 10;
    public static final List<String> TRAIN_FILES =
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    public static final String TEST_FILE = "test_batch.bin";
    /** The folder the official archive unpacks to; looked into when {@code dir} itself lacks the files. */
    public static final String ARCHIVE_FOLDER = "cifar-10-batches-bin";

    private Cifar10() {}

    /**
     * Loads the five training batches (50000 samples) or the test batch (10000) from {@code dir}
     * (or from {@code dir/cifar-10-batches-bin} if the files are there). Named {@code cifar10/train}
     * or {@code cifar10/test}.
     *
     * @throws DataFormatException for a missing file, a length that is not a multiple of 3073
     *     bytes, or a label above 9
     */
    public static InMemoryData load(Path dir, boolean train) {
        List<String> names = train ? TRAIN_FILES : List.of(TEST_FILE);
        Path base = dir;
        if (!Files.exists(dir.resolve(names.get(0)))
                && Files.exists(dir.resolve(ARCHIVE_FOLDER).resolve(names.get(0)))) {
            base = dir.resolve(ARCHIVE_FOLDER);
        }
        List<Path> files = new ArrayList<>();
        for (String n : names) {
            Path f = base.resolve(n);
            if (!Files.isRegularFile(f)) {
                throw new DataFormatException(
                        f,
                        "missing CIFAR-10 batch file " + n + " (searched directory "
                                + dir.toAbsolutePath().normalize() + " and its " + ARCHIVE_FOLDER + " folder)");
            }
            files.add(f);
        }
        return loadFiles(train ? "cifar10/train" : "cifar10/test", files);
    }

    /** Loads and concatenates the given batch files in order. */
    public static InMemoryData loadFiles(String name, List<Path> files) {
        long records = 0;
        for (Path f : files) {
            long length = size(f);
            if (length == 0 || length % RECORD_SIZE != 0) {
                throw new DataFormatException(
                        f,
                        "length " + length + " is not a positive multiple of the " + RECORD_SIZE
                                + "-byte record size (truncated, or not a CIFAR-10 binary batch)");
            }
            records += length / RECORD_SIZE;
        }
        if (records * INPUT_SIZE > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name + ": too many records to load: " + records);
        }
        float[] x = new float[(int) records * INPUT_SIZE];
        int[] labels = new int[(int) records];
        int n = 0;
        for (Path f : files) {
            byte[] b = read(f);
            if (b.length % RECORD_SIZE != 0 || n + b.length / RECORD_SIZE > records) {
                throw new DataFormatException(f, "changed while being read");
            }
            for (int r = 0; r < b.length / RECORD_SIZE; r++, n++) {
                int at = r * RECORD_SIZE;
                int label = b[at] & 0xFF;
                if (label >= NUM_CLASSES) {
                    throw new DataFormatException(
                            f, "record " + r + " has label " + label + ", outside [0, " + NUM_CLASSES + ")");
                }
                labels[n] = label;
                for (int j = 0; j < INPUT_SIZE; j++) x[n * INPUT_SIZE + j] = (b[at + 1 + j] & 0xFF) / 255f;
            }
        }
        return InMemoryData.wrapImages(name, x, new int[] {CHANNELS, SIDE, SIDE}, labels, NUM_CLASSES);
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(f, "file not found", e);
        } catch (IOException e) {
            throw new DataFormatException(f, "cannot read: " + e, e);
        }
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(f, "file not found", e);
        } catch (IOException e) {
            throw new DataFormatException(f, "cannot read: " + e, e);
        }
    }
}
