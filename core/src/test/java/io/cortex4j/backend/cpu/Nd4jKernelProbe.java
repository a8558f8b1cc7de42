package io.cortex4j.backend.cpu;

/** Prints ND4J's kernels as a new backend finds them (BlasTest runs it in a JVM of its own). */
final class Nd4jKernelProbe {
    private Nd4jKernelProbe() {}

    public static void main(String[] args) {
        try (Nd4jCpuBackend be = new Nd4jCpuBackend()) {
            System.out.println("kernels: " + Blas.nd4jKernels() + ", warning: " + Blas.nd4jKernelWarning());
        }
    }
}
