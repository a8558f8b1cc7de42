package io.cortex4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The current OpenBLAS ({@link Blas}) against a plain reference: the library's own check, then the
 * CPU backend's GEMM on it for every shape class the models use (dense layers forward and back at
 * the batch sizes of the configs, the convolutions' im2col products, single rows, long and short
 * inner dimensions, all four transposes), in float32 and float64, whichever kernel the library chose.
 */
class BlasTest {
    /** [m, n, k] of the models' GEMMs. */
    static final int[][] SHAPES = {
        {128, 256, 784}, // LE MLP layer 1 forward, batch 128
        {256, 784, 128}, // its weight gradient (Bᵀ·X)
        {128, 784, 256}, // its error carried down
        {32, 500, 784}, // BurstCCN MLP, batch 32
        {100, 53, 53}, // GLE MNIST-1D recurrent-width layer, batch 100
        {4608, 20, 75}, // LeNet5 conv 1 as im2col: 128·6·6 patches × 20 filters × 3·5·5
        {50, 500, 500}, // LeNet5 conv 2 weight gradient shape class
        {1, 100, 784}, // microcircuit at batch 1: one row
        {7, 13, 3}, // odd and tiny
        {33, 65, 129}, // one past the vector widths
        {20, 75, 20000}, // a convolution's weight increment (long inner dimension: split along it when Aᵀ)
        {50, 100, 12833}, // the same, the inner dimension no multiple of the parts
    };

    /**
     * The kernels ND4J's OpenBLAS runs are found out (and said by {@code cortex4j info}): those that
     * {@code OPENBLAS_CORETYPE} pins where it is set. The warning about old kernels follows from the
     * name alone: none for the AVX2 kernels, one naming the kernels otherwise (on an AVX2 CPU).
     */
    @Test
    void nd4jsKernelsAreNamed() {
        assumeTrue("linux-x86_64".equals(Blas.platform()), "ND4J's kernel name is looked up on linux-x86_64 only here");
        String k = Blas.nd4jKernel();
        assertNotNull(k, "openblas_get_corename of ND4J's OpenBLAS");
        String pinned = System.getenv("OPENBLAS_CORETYPE");
        if (pinned != null && !pinned.isBlank()) assertEquals(pinned.toLowerCase(), k.toLowerCase());
        String w = Blas.nd4jKernelWarning();
        if (List.of("Haswell", "Zen", "SkylakeX", "Cooperlake").contains(k)) assertNull(w, w);
        else if (w != null) assertTrue(w.contains(k), w);
        assertTrue(Blas.describe().contains(k) || Blas.get() != null, Blas.describe());
    }

    /**
     * In a JVM started without {@code OPENBLAS_CORETYPE}: on a CPU that ND4J's OpenBLAS 0.3.19 sends to
     * its Barcelona kernels (AMD/Hygon after family 0x19, with AVX2 and FMA) cortex4j chooses Haswell,
     * checks them and says so, with no warning; {@code -Dcortex4j.nd4j.coretype=auto} leaves OpenBLAS's
     * own choice (Barcelona there, with the warning). Elsewhere nothing is chosen for it.
     */
    @Test
    void nd4jsKernelsAreChosenWhereItDoesNotKnowTheCpu() throws Exception {
        assumeTrue("linux-x86_64".equals(Blas.platform()), "ND4J's kernel name is looked up on linux-x86_64 only here");
        String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        java.util.regex.Matcher fam = java.util.regex.Pattern.compile("(?m)^cpu family\\s*:\\s*(\\d+)")
                .matcher(cpuinfo);
        boolean amd = cpuinfo.contains("AuthenticAMD") || cpuinfo.contains("HygonGenuine");
        boolean unknownToIt = amd
                && fam.find()
                && Integer.parseInt(fam.group(1)) > 0x19
                && cpuinfo.contains(" avx2")
                && cpuinfo.contains(" fma");
        String chosen = probeInChild();
        String auto = probeInChild("-Dcortex4j.nd4j.coretype=auto");
        if (unknownToIt) {
            assertTrue(chosen.startsWith("Haswell kernels, chosen by cortex4j"), chosen);
            assertTrue(chosen.endsWith("warning: null"), chosen);
            assertTrue(auto.startsWith("Barcelona kernels"), auto);
            assertTrue(auto.contains("WARNING") || auto.contains("does not know it"), auto);
        } else {
            assertTrue(!chosen.contains("chosen by cortex4j"), chosen);
            assertEquals(auto.replaceAll("warning: .*", ""), chosen.replaceAll("warning: .*", ""));
        }
    }

    /** What {@link Nd4jKernelProbe} prints in a JVM of this class path without OPENBLAS_CORETYPE. */
    static String probeInChild(String... jvmFlags) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
        cmd.add(Nd4jKernelProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("OPENBLAS_CORETYPE");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines()
                .filter(l -> l.startsWith("kernels: "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(out))
                .substring("kernels: ".length());
    }

    @Test
    void theLibraryPassesItsOwnCheck() {
        Blas b = Blas.current();
        assumeTrue(b != null, "no current OpenBLAS here: " + Blas.whyNot());
        assertNull(b.check(), b.name());
    }

    @Test
    void everyModelShapeMatchesAPlainReference() {
        Blas lib = Blas.current();
        assumeTrue(lib != null, "no current OpenBLAS here: " + Blas.whyNot());
        Random rnd = new Random(11);
        try (Nd4jCpuBackend be = new Nd4jCpuBackend(0, 2, 1.0, lib)) {
            for (int[] s : SHAPES) {
                int m = s[0], n = s[1], k = s[2];
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                    double[] a = gaussian(rnd, m * k), b = gaussian(rnd, k * n), c0 = gaussian(rnd, m * n);
                    double alpha = 0.5, beta = 0.25;
                    double[] want = Blas.plainGemm(ta, tb, m, n, k, alpha, a, b, beta, c0);
                    for (DType d : DType.values()) {
                        try (Tensor A = ta ? be.fromHost(d, a, k, m) : be.fromHost(d, a, m, k);
                                Tensor B = tb ? be.fromHost(d, b, n, k) : be.fromHost(d, b, k, n);
                                Tensor C = be.fromHost(d, c0, m, n)) {
                            be.gemm(ta, tb, alpha, A, B, beta, C);
                            double[] got = C.toHost();
                            double tol = d == DType.FLOAT32 ? 2e-6 : 1e-13;
                            for (int i = 0; i < want.length; i++) {
                                double err = Math.abs(got[i] - want[i]) / (Math.sqrt(k) + Math.abs(want[i]));
                                int at = i;
                                assertTrue(
                                        err <= tol,
                                        () -> String.format(
                                                "%s %dx%dx%d%s%s element %d: %s, want %s (%s)",
                                                d,
                                                m,
                                                n,
                                                k,
                                                ta ? " Aᵀ" : "",
                                                tb ? " Bᵀ" : "",
                                                at,
                                                got[at],
                                                want[at],
                                                lib.name()));
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The products split along their inner dimension (Aᵀ·B with a long k and a small C) give the same
     * bits on one thread as on two: the parts are fixed by k alone and summed in order.
     */
    @Test
    void splitProductsDoNotDependOnTheThreadCount() {
        Blas lib = Blas.current();
        assumeTrue(lib != null, "no current OpenBLAS here: " + Blas.whyNot());
        Random rnd = new Random(5);
        int[][] shapes = {{20, 75, 100352}, {50, 500, 12800}, {7, 9, Nd4jCpuBackend.KSPLIT_MIN_K + 13}};
        for (DType d : DType.values()) {
            for (int[] s : shapes) {
                int m = s[0], n = s[1], k = s[2];
                double[] a = gaussian(rnd, m * k), b = gaussian(rnd, k * n), c0 = gaussian(rnd, m * n);
                double[][] got = new double[2][];
                for (int t = 1; t <= 2; t++) {
                    try (Nd4jCpuBackend be = new Nd4jCpuBackend(0, t, 1.0, lib)) {
                        Tensor A = be.fromHost(d, a, k, m), B = be.fromHost(d, b, k, n), C = be.fromHost(d, c0, m, n);
                        be.gemm(true, false, 0.5, A, B, 0.25, C);
                        got[t - 1] = C.toHost();
                    }
                }
                for (int i = 0; i < m * n; i++)
                    assertEquals(
                            Double.doubleToRawLongBits(got[0][i]),
                            Double.doubleToRawLongBits(got[1][i]),
                            d + " " + m + "x" + n + "x" + k + " element " + i + ": one thread " + got[0][i] + ", two "
                                    + got[1][i]);
            }
        }
    }

    static double[] gaussian(Random rnd, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextGaussian();
        return v;
    }
}
