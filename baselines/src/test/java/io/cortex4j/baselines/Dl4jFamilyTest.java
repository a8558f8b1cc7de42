package io.cortex4j.baselines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.config.ConfigException;
import io.cortex4j.datasets.InMemoryData;
import io.cortex4j.datasets.YinYang;
import io.cortex4j.io.NpyArray;
import io.cortex4j.io.Npz;
import io.cortex4j.run.Experiment;
import io.cortex4j.run.Progress;
import io.cortex4j.run.RunDirectory;
import io.cortex4j.run.Trainer;
import io.cortex4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The DL4J baseline is one more family on the spine: it resumes bit for bit, is evaluated from its
 * checkpoint, imports parameters, and trains on data read from any DL4J {@code DataSetIterator}.
 */
class Dl4jFamilyTest {
    static final String TINY = """
            name: tiny-dl4j
            model:
              family: dl4j
              input: 4
              layers: [{type: dense, units: 12, activation: sigmoid}, {type: dense, units: 3, activation: linear}]
            rule: {name: bp, learningRate: 0.5, lrFactors: [1, 0.5]}
            data: {name: yinyang, trainLimit: 64, evalLimit: 32}
            schedule: {epochs: 3, batch: 8}
            run: {seed: 2}
            """;

    @TempDir
    Path tmp;

    static Experiment experiment(String... sets) {
        return Experiment.parse(TINY, "tiny-dl4j.yaml", List.of(sets));
    }

    static Map<String, Object> run(Experiment e, Path dir) {
        try (Trainer t = Trainer.start(e, dir, Progress.silent())) {
            return t.run();
        }
    }

    static List<String> metrics(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(RunDirectory.METRICS))) {
            String[] f = line.split(",", -1);
            out.add(String.join(
                    ",", List.of(f).subList(0, f.length - 3))); // without wall_s, samples_per_s, steps_per_s
        }
        return out;
    }

    @Test
    void shippedDl4jConfigsBindAndRoundTrip() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("..", "configs"))) {
            for (Path p :
                    s.filter(x -> x.getFileName().toString().contains("dl4j")).toList()) {
                Experiment e = Experiment.load(p, List.of());
                assertEquals(
                        e.toYaml(),
                        Experiment.parse(e.toYaml(), "resolved", List.of()).toYaml(),
                        p.toString());
            }
        }
    }

    @Test
    void aKilledRunResumesToTheUninterruptedResult() throws IOException {
        run(experiment("probes={signals: [output, layer1.W], every: 3}"), tmp.resolve("whole"));
        Path killed = tmp.resolve("killed");
        try (Trainer t = Trainer.start(
                experiment("run.checkpointEvery=2", "probes={signals: [output, layer1.W], every: 3}"),
                killed,
                Progress.silent())) {
            t.interruptAfterBatches(11);
            assertThrows(Trainer.Interrupted.class, t::run);
        }
        try (Trainer t = Trainer.resume(killed, Progress.silent(), null)) {
            t.run();
        }
        assertEquals(metrics(tmp.resolve("whole")), metrics(killed));
        Map<String, NpyArray> a = Npz.read(tmp.resolve("whole").resolve(RunDirectory.PARAMETERS)),
                b = Npz.read(killed.resolve(RunDirectory.PARAMETERS));
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).data(), b.get(k).data(), 0.0, k);
        Map<String, NpyArray> pa = Npz.read(tmp.resolve("whole").resolve(RunDirectory.PROBES)),
                pb = Npz.read(killed.resolve(RunDirectory.PROBES));
        assertEquals(
                List.of(8L, 12L, 4L),
                List.of(
                        pa.get("steps").shape()[0],
                        pa.get("layer1.W").shape()[1],
                        pa.get("layer1.W").shape()[2]),
                "24 steps recorded every 3rd; W is [12, 4]");
        for (String k : pa.keySet())
            assertArrayEquals(pa.get(k).data(), pb.get(k).data(), 0.0, "probe " + k);
    }

    @Test
    void evalReproducesTheTestAccuracyAndInitFromSetsTheWeights() throws IOException {
        Path dir = tmp.resolve("run");
        Map<String, Object> summary = run(experiment(), dir);
        try (Trainer t = Trainer.open(dir, null)) {
            assertEquals(
                    (double) summary.get("test_acc"),
                    t.evaluateSplits().get("test").get("test_acc"),
                    0.0);
        }
        Map<String, NpyArray> p = Npz.read(dir.resolve(RunDirectory.PARAMETERS));
        try (Trainer t = Trainer.start(
                experiment("model.init.from=\"" + dir.resolve(RunDirectory.PARAMETERS) + "\""),
                tmp.resolve("b"),
                Progress.silent())) {
            for (Map.Entry<String, Tensor> e : t.network().parameters().entrySet())
                assertArrayEquals(p.get(e.getKey()).data(), e.getValue().toHost(), 0.0, e.getKey());
        }
        assertTrue(
                assertThrows(ConfigException.class, () -> Experiment.parse(TINY, "c.yaml", List.of("run.backend=cuda")))
                        .getMessage()
                        .contains("'run.backend': the DL4J baseline runs on ND4J's own CPU backend"));
    }

    /** A DL4J DataSetIterator (the user's own data) feeds a cortex4j run, and gives the numbers of the same data read by name. */
    @Test
    void aDl4jIteratorFeedsACortex4jRun() {
        YinYang.Splits yy = YinYang.standardSplits(2);
        List<InMemoryData> splits = new ArrayList<>();
        for (String split : List.of("train", "validation", "test")) {
            InMemoryData d = yy.get(split);
            int n = split.equals("train") ? 64 : 32;
            List<DataSet> list = new ArrayList<>();
            float[] x = new float[d.inputSize()];
            for (int i = 0; i < n; i++) {
                d.copyInput(i, x, 0);
                float[] y = new float[d.numClasses()];
                y[d.label(i)] = 1;
                list.add(new DataSet(
                        Nd4j.create(x, new long[] {1, x.length}), Nd4j.create(y, new long[] {1, y.length})));
            }
            splits.add(Dl4jData.read(new ListDataSetIterator<>(list, 10), "dl4j/" + split));
        }
        Map<String, Object> fromIterator;
        try (Trainer t = Trainer.start(
                experiment(), tmp.resolve("it"), Progress.silent(), splits.get(0), splits.get(1), splits.get(2))) {
            fromIterator = t.run();
        }
        Map<String, Object> byName = run(experiment(), tmp.resolve("name"));
        assertEquals(byName.get("test_acc"), fromIterator.get("test_acc"));
        assertEquals(byName.get("val_acc"), fromIterator.get("val_acc"));
        assertEquals("dl4j/train", fromIterator.get("data"));
    }
}
