package io.cortex4j.cuda;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The op recording behind {@link CudaBackend#runRepeated}: what is structure, what is a patchable argument. Runs without a GPU. */
class OpRecordingTest {
    private final Arena arena = Arena.ofAuto();

    /** A step as a model issues it: a GEMM, an OU-noise kernel with this step's counter, a copy, an Adam kernel with this step's corrections. */
    private OpRecording step(long counter, long bufferA, long bufferB, long gemmOut) {
        OpRecording r = new OpRecording();
        r.gemm(false, false, true, 4, 65, 33, 1.0, 0x1000, 33, 0x2000, 33, 0.0, gemmOut);
        MemorySegment v = arena.allocate(8L * 32, 8);
        v.set(JAVA_LONG, 0, bufferA);
        v.set(JAVA_LONG, 8, 260);
        v.set(JAVA_LONG, 16, counter);
        v.set(JAVA_DOUBLE, 24, 0.5);
        r.kernel(0xAAA0, 2, 256, v, 4);
        r.copy(bufferB, bufferA, 1040);
        v.set(JAVA_LONG, 0, bufferB);
        v.set(JAVA_DOUBLE, 8, 1e-3 / (1 - Math.pow(0.9, counter)));
        v.set(JAVA_LONG, 16, 0x1234_5678L & 0xffffffffL);
        r.kernel(0xBBB0, 9, 256, v, 3);
        r.memset32(0x9000, 0, 1);
        return r;
    }

    @Test
    void kernelArgumentsAreNotStructureAndArePatchedOneByOne() {
        OpRecording first = step(1, 0x5000, 0x6000, 0x7000), later = step(2, 0x5000, 0x6000, 0x7000);
        assertTrue(first.structureEquals(later));
        assertEquals(first.structureHash(), later.structureHash());
        assertEquals(5, first.ops());
        assertEquals(2, first.kernels());
        OpRecording cached = first.copy();
        assertArrayEquals(
                new int[] {0, 1}, cached.changedKernels(later), "the noise counter and the Adam step size changed");
        assertArrayEquals(new int[0], cached.changedKernels(later), "the cache now holds the new values");
        assertArrayEquals(new int[] {0, 1}, cached.changedKernels(first));
        // the cached copy is independent of the live recording, which is cleared and reused
        first.clear();
        assertTrue(first.isEmpty());
        assertArrayEquals(new int[0], cached.changedKernels(step(1, 0x5000, 0x6000, 0x7000)));
    }

    @Test
    void gemmsCopiesAndLaunchShapesAreStructure() {
        OpRecording base = step(1, 0x5000, 0x6000, 0x7000);
        assertFalse(base.structureEquals(step(1, 0x5000, 0x6000, 0x7100)), "another GEMM output is another graph");
        assertFalse(base.structureEquals(step(1, 0x5000, 0x6100, 0x7000)), "another copy target is another graph");
        OpRecording grid = new OpRecording(), grid2 = new OpRecording();
        MemorySegment v = arena.allocate(64, 8);
        grid.kernel(0xAAA0, 2, 256, v, 4);
        grid2.kernel(0xAAA0, 3, 256, v, 4);
        assertFalse(grid.structureEquals(grid2));
        OpRecording argc = new OpRecording();
        argc.kernel(0xAAA0, 2, 256, v, 3);
        assertFalse(grid.structureEquals(argc));
        assertThrows(IllegalArgumentException.class, () -> grid.copy().changedKernels(grid2));
        assertNotEquals(base.structureHash(), new OpRecording().structureHash());
    }

    @Test
    void swappedDoubleBuffersPatchThePointerArgumentsOnly() {
        OpRecording even = step(1, 0x5000, 0x6000, 0x7000), odd = step(2, 0x6000, 0x5000, 0x7000);
        assertFalse(even.structureEquals(odd), "the device copy's addresses differ: a graph per parity");
        OpRecording even2 = step(3, 0x5000, 0x6000, 0x7000);
        assertArrayEquals(new int[] {0, 1}, even.copy().changedKernels(even2));
    }

    @Test
    void replayHandsBackEveryOpInOrderWithItsArguments() {
        OpRecording r = step(7, 0x5000, 0x6000, 0x7000);
        List<String> seen = new ArrayList<>();
        MemorySegment out = arena.allocate(8L * 32, 8);
        r.replay(new OpRecording.Visitor() {
            @Override
            public void kernel(int index, long function, int grid, int block) {
                int n = r.kernelArgs(index, out);
                seen.add("kernel " + index + " " + Long.toHexString(function) + " " + grid + "x" + block + " args " + n
                        + " first " + Long.toHexString(out.get(JAVA_LONG, 0))
                        + (index == 0 ? " counter " + out.get(JAVA_LONG, 16) : ""));
            }

            @Override
            public void gemm(
                    boolean f64,
                    boolean transA,
                    boolean transB,
                    int m,
                    int n,
                    int k,
                    double alpha,
                    long a,
                    int lda,
                    long b,
                    int ldb,
                    double beta,
                    long c) {
                seen.add("gemm " + f64 + " " + transA + " " + transB + " " + m + "x" + n + "x" + k + " " + alpha + " "
                        + Long.toHexString(a) + " " + lda + " " + Long.toHexString(b) + " " + ldb + " " + beta + " "
                        + Long.toHexString(c));
            }

            @Override
            public void memset32(long dst, int value, long count) {
                seen.add("memset " + Long.toHexString(dst) + " " + value + " " + count);
            }

            @Override
            public void copy(long dst, long src, long bytes) {
                seen.add("copy " + Long.toHexString(dst) + " " + Long.toHexString(src) + " " + bytes);
            }
        });
        assertEquals(
                List.of(
                        "gemm false false true 4x65x33 1.0 1000 33 2000 33 0.0 7000",
                        "kernel 0 aaa0 2x256 args 4 first 5000 counter 7",
                        "copy 6000 5000 1040",
                        "kernel 1 bbb0 9x256 args 3 first 6000",
                        "memset 9000 0 1"),
                seen);
    }
}
