package io.cortex4j.cuda;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The stream work of a stretch of {@link CudaBackend#runRepeated}: kernel launches, GEMMs, device
 * memsets and copies, in order, as plain numbers (no driver calls here). It splits into two parts:
 *
 * <ul>
 *   <li>the <b>structure</b> ({@link #structureEquals}, {@link #structureHash}): each op's kind; for
 *       a kernel its function, grid, block and argument count; for every other op all of its
 *       arguments (a GEMM's pointers and scalars, a copy's addresses). Two recordings with the same
 *       structure can run as the same CUDA graph;</li>
 *   <li>the kernels' <b>argument values</b>, one 64-bit slot per parameter (pointers, counts,
 *       scalars; a 32-bit parameter in the low half with the high half zero). These may differ
 *       between recordings of one structure: an Euler step's RNG step counter, Adam's bias
 *       corrections, the buffers a double-buffered step swaps. A cached graph takes the new values
 *       node by node ({@link #changedKernels}).</li>
 * </ul>
 */
final class OpRecording {
    static final long KERNEL = 1, GEMM = 2, MEMSET32 = 3, COPY = 4;

    private long[] structure = new long[256];
    private int structureLength;
    private long[] args = new long[1024];
    private int argsLength;
    private int[] kernelArgsFrom = new int[64];
    private int kernels, ops;

    /** A kernel launch: function address, 1-D grid and block, and the first {@code count} 8-byte argument slots of {@code values}. */
    void kernel(long function, int grid, int block, MemorySegment values, int count) {
        addStructure(KERNEL, function, grid, block, count);
        if (kernels == kernelArgsFrom.length) kernelArgsFrom = Arrays.copyOf(kernelArgsFrom, 2 * kernels);
        kernelArgsFrom[kernels++] = argsLength;
        if (argsLength + count > args.length) args = Arrays.copyOf(args, Math.max(2 * args.length, argsLength + count));
        MemorySegment.copy(values, JAVA_LONG, 0, args, argsLength, count);
        argsLength += count;
        ops++;
    }

    /** A row-major GEMM as {@link Cublas#gemmRowMajor} takes it (all of it is structure). */
    void gemm(
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
        addStructure(GEMM, f64 ? 1 : 0, transA ? 1 : 0, transB ? 1 : 0, m);
        addStructure(n, k, Double.doubleToRawLongBits(alpha), a, lda);
        addStructure(b, ldb, Double.doubleToRawLongBits(beta), c, 0);
        ops++;
    }

    /** {@code count} 32-bit words at {@code dst} set to {@code value}. */
    void memset32(long dst, int value, long count) {
        addStructure(MEMSET32, dst, value, count, 0);
        ops++;
    }

    /** {@code bytes} bytes copied on the device from {@code src} to {@code dst}. */
    void copy(long dst, long src, long bytes) {
        addStructure(COPY, dst, src, bytes, 0);
        ops++;
    }

    private void addStructure(long a, long b, long c, long d, long e) {
        if (structureLength + 5 > structure.length) structure = Arrays.copyOf(structure, 2 * structure.length);
        long[] s = structure;
        int i = structureLength;
        s[i] = a;
        s[i + 1] = b;
        s[i + 2] = c;
        s[i + 3] = d;
        s[i + 4] = e;
        structureLength = i + 5;
    }

    boolean isEmpty() {
        return ops == 0;
    }

    int ops() {
        return ops;
    }

    int kernels() {
        return kernels;
    }

    void clear() {
        structureLength = argsLength = kernels = ops = 0;
    }

    int structureHash() {
        int h = 1;
        for (int i = 0; i < structureLength; i++) h = 31 * h + Long.hashCode(structure[i]);
        return h;
    }

    boolean structureEquals(OpRecording o) {
        return structureLength == o.structureLength
                && Arrays.equals(structure, 0, structureLength, o.structure, 0, structureLength);
    }

    /** An independent copy (for a graph cache entry). */
    OpRecording copy() {
        OpRecording r = new OpRecording();
        r.structure = Arrays.copyOf(structure, structureLength);
        r.structureLength = structureLength;
        r.args = Arrays.copyOf(args, argsLength);
        r.argsLength = argsLength;
        r.kernelArgsFrom = Arrays.copyOf(kernelArgsFrom, Math.max(1, kernels));
        r.kernels = kernels;
        r.ops = ops;
        return r;
    }

    /**
     * The kernels (by index among the kernels, in launch order) whose argument values in {@code now}
     * differ from this recording's; this recording takes {@code now}'s values. Both must have the same
     * structure.
     */
    int[] changedKernels(OpRecording now) {
        if (!structureEquals(now)) throw new IllegalArgumentException("recordings of different op sequences");
        int[] changed = new int[kernels];
        int c = 0;
        for (int k = 0; k < kernels; k++) {
            int from = kernelArgsFrom[k], to = k + 1 < kernels ? kernelArgsFrom[k + 1] : argsLength;
            if (!Arrays.equals(args, from, to, now.args, from, to)) {
                System.arraycopy(now.args, from, args, from, to - from);
                changed[c++] = k;
            }
        }
        return Arrays.copyOf(changed, c);
    }

    /** Writes kernel {@code k}'s argument values into consecutive 8-byte slots of {@code values}; returns their count. */
    int kernelArgs(int k, MemorySegment values) {
        int from = kernelArgsFrom[k], to = k + 1 < kernels ? kernelArgsFrom[k + 1] : argsLength;
        MemorySegment.copy(args, from, values, JAVA_LONG, 0, to - from);
        return to - from;
    }

    /** What {@link #replay} hands each op to. */
    interface Visitor {
        /** Kernel number {@code index} (0-based among the kernels); its arguments via {@link #kernelArgs}. */
        void kernel(int index, long function, int grid, int block);

        void gemm(
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
                long c);

        void memset32(long dst, int value, long count);

        void copy(long dst, long src, long bytes);
    }

    /** Hands every recorded op, in order, to {@code v}. */
    void replay(Visitor v) {
        long[] s = structure;
        int kernel = 0;
        for (int i = 0; i < structureLength; ) {
            long kind = s[i];
            if (kind == KERNEL) {
                v.kernel(kernel++, s[i + 1], (int) s[i + 2], (int) s[i + 3]);
                i += 5;
            } else if (kind == GEMM) {
                v.gemm(
                        s[i + 1] != 0,
                        s[i + 2] != 0,
                        s[i + 3] != 0,
                        (int) s[i + 4],
                        (int) s[i + 5],
                        (int) s[i + 6],
                        Double.longBitsToDouble(s[i + 7]),
                        s[i + 8],
                        (int) s[i + 9],
                        s[i + 10],
                        (int) s[i + 11],
                        Double.longBitsToDouble(s[i + 12]),
                        s[i + 13]);
                i += 15;
            } else if (kind == MEMSET32) {
                v.memset32(s[i + 1], (int) s[i + 2], s[i + 3]);
                i += 5;
            } else if (kind == COPY) {
                v.copy(s[i + 1], s[i + 2], s[i + 3]);
                i += 5;
            } else {
                throw new IllegalStateException("corrupt op recording at " + i);
            }
        }
    }
}
