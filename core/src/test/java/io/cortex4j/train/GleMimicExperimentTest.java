package io.cortex4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.config.ConfigException;
import io.cortex4j.config.GleExperimentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped GLE teacher–student configs, shortened: LagLine (specs/gle.md §6.1) recovers the
 * teacher's w = (1, 2) and τm = (1, 2) with prospective errors and misses them with instantaneous
 * ones (the paper's "bp" comparison); LagNet (§6.2) learns its first layer.
 */
class GleMimicExperimentTest {
    @TempDir
    Path tmp;

    static GleExperimentConfig config(String file, String duration) throws Exception {
        String text = Files.readString(Path.of("../configs/" + file));
        text = text.replaceFirst("duration: \\d+", "duration: " + duration);
        return GleExperimentConfig.parse(text, file);
    }

    Map<String, Object> run(GleExperimentConfig cfg) {
        try (GleMimicExperiment e = GleMimicExperiment.create(
                cfg, tmp.resolve(cfg.name() + "-" + cfg.run().seed()), Progress.silent())) {
            return e.run();
        }
    }

    @Test
    void lagLineRecoversTheTeacherWithProspectiveErrors() throws Exception {
        for (long seed : new long[] {1, 2}) {
            Map<String, Object> s = run(config("gle-lagline.yaml", "600").withSeed(seed));
            assertTrue((double) s.get("param_rel_error") < 0.01, "seed " + seed + ": " + s.get("param_rel_error"));
            assertTrue((double) s.get("final_loss") < 1e-8, "seed " + seed + ": loss " + s.get("final_loss"));
        }
        Path dir = tmp.resolve("gle-lagline-2");
        for (String f : new String[] {
            "config.yaml", "metrics.csv", "summary.json", "parameters.npz", "loss.png", "parameters.png"
        }) {
            assertTrue(Files.exists(dir.resolve(f)), f);
        }
        // the resolved config parses back to the same experiment
        GleExperimentConfig back = GleExperimentConfig.load(dir.resolve("config.yaml"));
        assertEquals(config("gle-lagline.yaml", "600").withSeed(2).toYaml(), back.toYaml());
    }

    @Test
    void lagLineWithInstantaneousErrorsMissesTheTeacher() throws Exception {
        Map<String, Object> s = run(config("gle-lagline-bp.yaml", "600"));
        assertTrue(
                (double) s.get("param_rel_error") > 0.5,
                "instantaneous errors should miss the teacher: " + s.get("param_rel_error"));
    }

    @Test
    void lagNetLearnsItsFirstLayer() throws Exception {
        Map<String, Object> s = run(config("gle-lagnet.yaml", "921"));
        assertTrue(
                (double) s.get("param_rel_error") < 0.02,
                "first-layer weights vs teacher: " + s.get("param_rel_error"));
        assertEquals(1, ((Map<?, ?>) s.get("student")).size(), "only layer0.W learns");
    }

    @Test
    void badConfigsNameTheKeyAndLine() throws Exception {
        String ok = Files.readString(Path.of("../configs/gle-lagline.yaml"));
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> GleExperimentConfig.parse(ok.replace("weights: [[1.0], [2.0]]", "weights: [[1.0]]"), "x.yaml"));
        int line = java.util.Arrays.asList(ok.split("\n")).indexOf("  weights: [[1.0], [2.0]]") + 1;
        assertTrue(line > 0);
        assertTrue(e.getMessage().startsWith("x.yaml:" + line + ": 'teacher.weights'"), e.getMessage());
        e = assertThrows(
                ConfigException.class,
                () -> GleExperimentConfig.parse(ok.replace("tauR: 0.1, bias", "tauR: 0.001, bias"), "x.yaml"));
        assertTrue(e.getMessage().contains("below dt") || e.getMessage().contains("≥ dt"), e.getMessage());
        e = assertThrows(
                ConfigException.class,
                () -> GleExperimentConfig.parse(ok.replace("halfPeriod: 2.0", "halfPeriod: 2.005"), "x.yaml"));
        assertTrue(e.getMessage().contains("signal.halfPeriod"), e.getMessage());
        e = assertThrows(
                ConfigException.class,
                () -> GleExperimentConfig.parse(ok.replace("name: adam", "name: rmsprop"), "x.yaml"));
        assertTrue(e.getMessage().contains("optimizer.name"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> GleExperimentConfig.parse(ok + "extra: 1\n", "x.yaml"));
        assertTrue(e.getMessage().contains("unknown key 'extra'"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("anything")));
    }
}
