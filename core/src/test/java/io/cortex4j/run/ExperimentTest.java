package io.cortex4j.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.config.ConfigException;
import io.cortex4j.model.le.LeSpec;
import io.cortex4j.model.microcircuit.MicrocircuitSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every shipped config binds, and its resolved YAML binds back to an equal experiment; the checks that span keys name file, line and key. */
class ExperimentTest {
    static final Path CONFIGS = Path.of("..", "configs");

    static Stream<Path> shipped() throws IOException {
        try (Stream<Path> s = Files.list(CONFIGS)) {
            // the families of core; the dl4j configs are checked in baselines, where that family lives
            return s
                    .filter(p -> p.toString().endsWith(".yaml")
                            && !p.getFileName().toString().contains("dl4j"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shipped")
    void shippedConfigsBindAndTheirResolvedYamlReproducesThem(Path config) {
        Experiment e = Experiment.load(config, List.of());
        String yaml = e.toYaml();
        Experiment again = Experiment.parse(yaml, "resolved", List.of());
        assertEquals(yaml, again.toYaml(), "resolving is idempotent");
        assertEquals(e, again);
        assertTrue(yaml.startsWith("# the resolved config of run '" + e.name() + "'"));
    }

    @Test
    void familyDefaultsArePartOfTheResolvedConfig() {
        Experiment e = Experiment.parse(TinyRuns.all().get("microcircuit-classification"), "t.yaml", List.of());
        MicrocircuitSpec s = e.spec(MicrocircuitSpec.class);
        assertEquals(100.0, s.rule().tauLowPass(), "PAL low-passes ΔW by default");
        assertEquals(0.1, e.data().targets().low(), "the microcircuit's low target");
        String yaml = e.toYaml();
        assertTrue(yaml.contains("readout: mean") && yaml.contains("readoutSkip: 0.2"), yaml);
        Experiment le = Experiment.parse(TinyRuns.all().get("le-classification"), "t.yaml", List.of());
        assertEquals(2, le.spec(LeSpec.class).rule().tauXi().length, "per-layer defaults filled for PAL");
        assertEquals(0.0, le.data().targets().low());
    }

    static String error(String yaml, String... sets) {
        return assertThrows(ConfigException.class, () -> Experiment.parse(yaml, "c.yaml", List.of(sets)))
                .getMessage();
    }

    @Test
    void crossKeyChecksNameFileLineAndKey() {
        String mc = TinyRuns.all().get("microcircuit-classification");
        assertEquals(
                "c.yaml:3: 'rule.etaFeedback': needs 1 value (one per hidden layer), got 2",
                error(mc.replace("etaFeedback: [0.5]", "etaFeedback: [0.5, 0.5]")));
        assertEquals(
                "--set model.init.weights=[1, -1]: 'model.init.weights': needs [low, high] with low ≤ high, got [1.0, -1.0]",
                error(mc, "model.init.weights=[1, -1]"));
        assertTrue(error(mc, "model.init.weights=-0.1")
                .startsWith("--set model.init.weights=-0.1: 'model.init.weights': must be a list of numbers"));
        assertEquals(
                "c.yaml:2: 'model.family': unknown family 'microcircircuit' (known: burst, gle, le, microcircuit, spiking)",
                error(mc.replace("family: microcircuit", "family: microcircircuit")));
        assertEquals(
                "c.yaml:1: 'task': family le does not run the alignment task (it runs: "
                        + String.join(
                                ", ",
                                new io.cortex4j.model.le.LeFamily()
                                        .tasks().stream()
                                                .map(io.cortex4j.config.Binder::word)
                                                .toList())
                        + ")",
                error("task: alignment\n" + TinyRuns.all().get("le-classification")));
        assertTrue(error(mc, "rule.etaIP=").contains("'rule.etaIP': no value given"));
        assertTrue(error(mc, "schedule.readoutSkip=1.5").contains("'schedule.readoutSkip': must be ≤"));
        assertTrue(
                error(mc, "model.dt=10.0")
                        .contains("'model.conductances': the membrane time constant of the pyramidal"),
                "τ below dt");
        String le = TinyRuns.all().get("le-classification");
        assertEquals(
                "c.yaml:6: 'rule.feedbackLrFactors': only the pal rule uses feedbackLrFactors",
                error(le.replace("name: pal", "name: fa")));
        assertTrue(
                error(le, "rule.tauXi=0.1").contains("'rule.tauXi': must be a list of numbers"), "no silent broadcast");
        assertTrue(error(le, "optimizer={name: adam, learningRate: 0.1}")
                .contains("'optimizer': LE networks learn with rule.learningRate"));
    }
}
