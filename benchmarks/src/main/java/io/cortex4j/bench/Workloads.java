package io.cortex4j.bench;

import java.util.Arrays;

/**
 * Command-line helpers of the benchmark workloads; the workloads themselves (the PAL microcircuit
 * matching the reference harness R3, the layered LE networks) are defined once, for the CPU
 * harnesses and the GPU benchmark, in {@link io.cortex4j.cuda.bench.BenchWorkloads}.
 */
final class Workloads {
    private Workloads() {}

    static int[] parseLayers(String s) {
        return Arrays.stream(s.split("[,\\-x ]+")).mapToInt(Integer::parseInt).toArray();
    }
}
