package io.cortex4j.bench;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GFLOP/s of the CPU backend's GEMM path (OpenBLAS on the tensors' buffers) beside ND4J's own
 * {@code INDArray.mmul}, best of N, for the shapes of DESIGN.md and of the LE workloads:
 * {@code ./cortex4j bench --gemm [--repeats 7]}. CPU backend only: {@code --backend} other than cpu is refused.
 */
public final class GemmRate {
    private GemmRate() {}

    record Options(int repeats) {}

    static Options parse(String[] args) {
        int repeats = 7;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--gemm" -> {}
                case "--repeats" -> repeats = BenchBackend.wholeNumber(BenchBackend.value(args, i++), "--repeats");
                case "--backend" -> i++; // read by BenchBackend.option
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " for --gemm");
            }
        }
        if (repeats < 1) throw new IllegalArgumentException("--repeats needs a whole number ≥ 1");
        BenchBackend.option(
                args,
                "--gemm measures OpenBLAS and ND4J's mmul on the CPU backend's buffers directly; the GPU's GEMM rate is measured by "
                        + "the GPU benchmark (io.cortex4j.cuda.bench.GpuBench, scripts/gpu-check/run.sh)");
        return new Options(repeats);
    }

    static void run(Options o) {
        run(o.repeats());
    }

    public static void run(int repeats) {
        int[][] shapes = {{1024, 1024, 1024}, {128, 784, 256}, {128, 256, 256}, {32, 784, 256}};
        Backend be = new Nd4jCpuBackend();
        System.out.println(
                "float32 GEMM C[m,n] = A[m,k]·B[k,n] on backend " + be.name() + ", best of " + repeats + " (GFLOP/s)");
        System.out.printf(
                Locale.ROOT,
                "%-18s %14s %16s %18s%n",
                "m x k x n",
                "Backend.gemm",
                "INDArray.mmul",
                "INDArray.mmul(Bᵀ)");
        for (int[] s : shapes) {
            int m = s[0], k = s[1], n = s[2];
            double flop = 2.0 * m * n * k;
            Tensor a = be.zeros(DType.FLOAT32, m, k),
                    b = be.zeros(DType.FLOAT32, k, n),
                    c = be.zeros(DType.FLOAT32, m, n);
            Tensor bt = be.zeros(DType.FLOAT32, n, k);
            be.fill(a, 0.5);
            be.fill(b, 0.25);
            be.fill(bt, 0.25);
            double ours = best(repeats, flop, () -> be.gemm(false, false, 1.0, a, b, 0.0, c));
            INDArray A = Nd4jCpuBackend.asINDArray(a),
                    Bm = Nd4jCpuBackend.asINDArray(b),
                    C = Nd4jCpuBackend.asINDArray(c);
            INDArray Bt = Nd4jCpuBackend.asINDArray(bt);
            double nd = best(repeats, flop, () -> A.mmuli(Bm, C));
            double ndT = best(repeats, flop, () -> A.mmuli(Bt.transpose(), C));
            System.out.printf(Locale.ROOT, "%-18s %14.1f %16.1f %18.1f%n", m + "x" + k + "x" + n, ours, nd, ndT);
            for (Tensor t : new Tensor[] {a, b, c, bt}) t.close();
        }
        System.out.println("ND4J backend " + Nd4j.getBackend().getClass().getSimpleName() + ", BLAS vendor "
                + Nd4j.factory().blas().getBlasVendor());
    }

    private static double best(int repeats, double flop, Runnable op) {
        for (int i = 0; i < 3; i++) op.run();
        double[] gf = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            int inner = Math.max(1, (int) (2e9 / flop));
            long t = System.nanoTime();
            for (int i = 0; i < inner; i++) op.run();
            gf[r] = flop * inner / ((System.nanoTime() - t) / 1e9) / 1e9;
        }
        return Arrays.stream(gf).max().orElseThrow();
    }
}
