package io.cortex4j.bench;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.cuda.bench.BenchWorkloads;
import io.cortex4j.model.Network;
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
 * B rule, low-passed ΔW, output nudged towards a target) — the workloads {@code microcircuit-4-30-3}
 * and {@code microcircuit-784-100-10} of configs/bench, those of the reference harness R3 (`PAL MC`,
 * noise_model), built by {@link BenchWorkloads#network} on the CPU backend. Run with
 * {@code java -jar benchmarks/target/benchmarks.jar StepBenchmark} (any other workload of
 * configs/bench, or a config path, with {@code -p workload=le-mlp-pal}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow",
            "--add-modules=jdk.incubator.vector"
        })
public class StepBenchmark {
    @Param({"microcircuit-4-30-3", "microcircuit-784-100-10"})
    public String workload;

    @Param({"1", "32", "128"})
    public int batch;

    Nd4jCpuBackend backend;
    Network net;

    @Setup(Level.Trial)
    public void setUp() {
        backend = new Nd4jCpuBackend();
        net = BenchWorkloads.network(Workloads.microcircuitAlias(workload), backend, DType.FLOAT32, batch, 1);
        for (int i = 0; i < 200; i++) net.step();
    }

    @Benchmark
    public void step() {
        net.step();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        net.close();
        backend.close();
    }
}
