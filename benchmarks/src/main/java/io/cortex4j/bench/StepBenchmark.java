package io.cortex4j.bench;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.cuda.bench.BenchWorkloads;
import io.cortex4j.model.microcircuit.FeedbackRule;
import io.cortex4j.model.microcircuit.Microcircuit;
import io.cortex4j.tensor.DType;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: one forward-Euler step of the dendritic microcircuit with PAL learning on (noise, high-pass,
 * B rule, low-passed ΔW, output nudged towards a target) — the workload of the reference
 * harness R3 (`PAL MC`, noise_model). Run with
 * {@code java -jar benchmarks/target/benchmarks.jar StepBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class StepBenchmark {
    @Param({"4,30,3", "784,100,10"})
    public String layers;

    @Param({"1", "32", "128"})
    public int batch;

    @Param({"PAL"})
    public String rule;

    Microcircuit net;

    @Setup(Level.Trial)
    public void setUp() {
        net = BenchWorkloads.microcircuit(
                Workloads.parseLayers(layers), FeedbackRule.parse(rule), new Nd4jCpuBackend(), DType.FLOAT32, batch, 1);
        for (int i = 0; i < 200; i++) net.step();
    }

    @Benchmark
    public void step() {
        net.step();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        net.close();
    }
}
