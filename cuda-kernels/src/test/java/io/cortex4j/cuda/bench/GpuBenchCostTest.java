package io.cortex4j.cuda.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.cuda.CudaBackendProvider;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pure-Java parts of the GPU benchmark: the workload configs, step costs counted on the
 * {@link CostBackend} against the numbers by hand, the JSON writer, the no-GPU exit. No GPU, no ND4J.
 */
class GpuBenchCostTest {
    /**
     * LeNet5 (3×32×32, conv 20@5 → pool → conv 50@5 → pool → 500 → 10), PAL, batch 128, by hand
     * (multiply-adds m·n·k of one product per layer):
     * conv1: 128·784 positions·75 patch·20 = 150,528,000, 2 products (forward, ΔW);
     * conv2: 128·100·500·50 = 320,000,000, 4 products (+ backward, + ΔB);
     * dense 1250→500: 128·1250·500 = 80,000,000, 4 products; dense 500→10: 128·500·10 = 640,000, 4 products.
     * Sum: 301,056,000 + 1,280,000,000 + 320,000,000 + 2,560,000 = 1,903,616,000 MACs = 3,807,232,000 FLOPs.
     */
    @Test
    void lenet5PalGemmFlopsCounted() {
        BenchWorkloads.StepCost c = BenchWorkloads.cost("le-lenet5-pal", DType.FLOAT32, 128);
        assertEquals(3_807_232_000.0, c.flops(), 0.0, "the counted op sequence agrees with the count by hand");
        // the ΔW products run as the fused low-passed update: conv1 + conv2 + dense + dense
        assertEquals(
                2 * (150_528_000L + 320_000_000L + 80_000_000L + 640_000L),
                c.byOp().get("lowPassOuterApply")[2]);
        assertEquals(4, c.byOp().get("lowPassOuterApply")[0]);
        assertEquals(
                3,
                c.byOp().get("im2col")[0],
                "conv1 unfolds its input every step (no content check on a GPU), conv2 its input and, for ΔB, the noise below");
        assertEquals(null, c.byOp().get("sameContent"), "no host content check in a GPU step");
        assertTrue(c.bytes() > 0);
    }

    /** LeNet5 with BP, batch 128: as PAL without ΔB (3 products in conv2 and the dense layers), and no low-pass. */
    @Test
    void lenet5BpGemmFlopsCounted() {
        // 2·150,528,000 + 3·(320,000,000 + 80,000,000 + 640,000) = 1,502,976,000 MACs
        BenchWorkloads.StepCost c = BenchWorkloads.cost("le-lenet5-bp", DType.FLOAT32, 128);
        assertEquals(3_005_952_000.0, c.flops(), 0.0);
        assertEquals(null, c.byOp().get("lowPassOuterApply"));
    }

    /**
     * MLP 784-256-256-10 at batch 128: forward and ΔW of every layer, the backward error of layers 2
     * and 3 (MACs 128·(2·200,704 + 3·65,536 + 3·2,560) = 77,529,088); PAL adds ΔB of layers 2 and 3
     * (128·(65,536 + 2,560) = 8,716,288).
     */
    @Test
    void mlpGemmFlopsCounted() {
        assertEquals(
                155_058_176.0,
                BenchWorkloads.cost("le-mlp-bp", DType.FLOAT32, 128).flops(),
                0.0);
        assertEquals(
                172_490_752.0,
                BenchWorkloads.cost("le-mlp-pal", DType.FLOAT32, 128).flops(),
                0.0);
    }

    /**
     * Microcircuit 784-100-10, PAL, batch 1, per step (multiply-adds): v^bas 100·784 + 10·100; v^api 2 × 100·10;
     * v^den 10·100; ΔW^IP, ΔB^PI, ΔB 3 × 1000; low-passed ΔW 100·784 + 10·100.
     * 78,400 + 1,000 + 2,000 + 1,000 + 3,000 + 78,400 + 1,000 = 164,800 MACs = 329,600 FLOPs.
     */
    @Test
    void microcircuitGemmFlops() {
        assertEquals(
                329_600.0,
                BenchWorkloads.cost("microcircuit-784-100-10", DType.FLOAT32, 1).flops(),
                0.0);
    }

    /**
     * GLE MNIST-1D (1 → 53 → 5 × 53 → 10), per sample: forward 53 + 5·2,809 + 530 = 14,628 MACs, the
     * gradient outer products the same, the errors sent down through Wᵀ by layers 2–7 14,575: 43,831
     * MACs = 87,662 FLOPs, in 7 + 7 + 6 GEMMs; Adam's step is element-wise.
     */
    @Test
    void gleGemmFlops() {
        BenchWorkloads.StepCost c = BenchWorkloads.cost("gle-mnist1d", DType.FLOAT32, 100);
        assertEquals(100 * 87_662.0, c.flops(), 0.0);
        assertEquals(20, c.byOp().get("gemm")[0]);
        assertTrue(c.byOp().containsKey("adamStep"), "the optimizer steps with the network");
    }

    @Test
    void perOpByteRules() {
        CostBackend be = new CostBackend();
        Tensor a = be.zeros(DType.FLOAT32, 2, 3), b = be.zeros(DType.FLOAT32, 4, 3), c = be.zeros(DType.FLOAT32, 2, 4);
        be.gemm(false, true, 1.0, a, b, 0.0, c); // 2·2·4·3 FLOPs; (6 + 12 + 8) floats
        assertEquals(48.0, be.flops(), 0.0);
        assertEquals(104, be.bytes());
        be.reset();
        be.gemm(false, true, 1.0, a, b, 1.0, c); // C also read: + 8 floats
        assertEquals(136, be.bytes());
        be.reset();
        Tensor x = be.zeros(DType.FLOAT64, 5, 2),
                y = be.zeros(DType.FLOAT64, 5, 3),
                lo = be.zeros(DType.FLOAT64, 2, 3),
                w = be.zeros(DType.FLOAT64, 2, 3);
        be.lowPassOuterApply(0.1, x, y, 0.01, lo, w); // 2·2·3·5 FLOPs; 10 + 15 + 2·6 + 2·6 doubles
        assertEquals(60.0, be.flops(), 0.0);
        assertEquals(49 * 8, be.bytes());
        be.reset();
        be.gatherRows(
                be.zeros(DType.FLOAT32, 4, 100),
                be.zeros(DType.FLOAT32, 4, 10),
                be.zeros(DType.FLOAT32, 4, 10)); // idx 40 + src 40 + dst 40
        assertEquals(480, be.bytes());
    }

    /** Without a GPU (here, in CI) the benchmark says why, writes the reason, and exits with the "skipped" status. */
    @Test
    void withoutAGpuItSaysWhyAndSkips(@TempDir Path dir) throws Exception {
        CudaBackendProvider p = new CudaBackendProvider();
        Assumptions.assumeFalse(
                p.isAvailable(), "a GPU is present: the benchmark itself is run by scripts/gpu-check/run.sh, not here");
        assertEquals(GpuBench.EXIT_NO_GPU, GpuBench.run(new String[] {dir.toString()}));
        Object skipped = io.cortex4j.run.RunDirectory.readJson(dir.resolve("gpu-bench.json"))
                .get("skipped");
        assertEquals(p.unavailableReason(), skipped);
        assertTrue(Files.readString(dir.resolve("gpu-bench.txt")).startsWith("GpuBench skipped, no usable GPU: "));
    }
}
