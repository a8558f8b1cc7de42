package io.cortex4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * cuBLAS through the foreign-function API: SGEMM/DGEMM, strided-batched SGEMM and the TF32 math
 * mode, with row-major entry points (cortex4j's tensors are row-major; cuBLAS is column-major, so
 * C = op(A)·op(B) is computed as Cᵀ = op(B)ᵀ·op(A)ᵀ with the operands swapped, which needs no copies).
 */
public final class Cublas {
    /** cublasOperation_t: CUBLAS_OP_N, CUBLAS_OP_T. */
    static final int OP_N = 0, OP_T = 1;
    /** cublasMath_t: CUBLAS_DEFAULT_MATH, CUBLAS_TF32_TENSOR_OP_MATH. */
    static final int DEFAULT_MATH = 0, TF32_TENSOR_OP_MATH = 3;
    /** cublasStatus_t: CUBLAS_STATUS_SUCCESS. */
    static final int STATUS_SUCCESS = 0;

    private final NativeLibrary lib;
    private final MethodHandle create,
            destroy,
            setStream,
            setMathMode,
            getVersion,
            sgemm,
            dgemm,
            sgemmBatched,
            setWorkspace;

    public Cublas(Path library) {
        lib = new NativeLibrary(library);
        create = lib.function("cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        destroy = lib.function("cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        setStream = lib.function("cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        setMathMode = lib.function("cublasSetMathMode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        getVersion = lib.function("cublasGetVersion_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        FunctionDescriptor gemm = FunctionDescriptor.of(
                JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT,
                JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        sgemm = lib.function("cublasSgemm_v2", gemm);
        dgemm = lib.function("cublasDgemm_v2", gemm);
        setWorkspace = lib.has("cublasSetWorkspace_v2")
                ? lib.function("cublasSetWorkspace_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG))
                : null;
        sgemmBatched = lib.function(
                "cublasSgemmStridedBatched",
                FunctionDescriptor.of(
                        JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG,
                        JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG,
                        JAVA_INT));
    }

    public Path path() {
        return lib.path;
    }

    /** The library and what this binding bound in it (for BindingSignatureTest). */
    NativeLibrary library() {
        return lib;
    }

    /** A cuBLAS handle bound to the current context. */
    public MemorySegment createHandle() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) create.invokeExact(p), "cublasCreate");
            return p.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    public void destroyHandle(MemorySegment h) {
        try {
            check((int) destroy.invokeExact(h), "cublasDestroy");
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    public void setStream(MemorySegment h, MemorySegment stream) {
        try {
            check((int) setStream.invokeExact(h, stream), "cublasSetStream");
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /** TF32 tensor-core math for float32 GEMMs (about 10 mantissa bits in the products) or the exact default. */
    public void setTf32(MemorySegment h, boolean on) {
        try {
            check((int) setMathMode.invokeExact(h, on ? TF32_TENSOR_OP_MATH : DEFAULT_MATH), "cublasSetMathMode");
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /**
     * Gives the handle a fixed device workspace (needed for reproducible results and under CUDA-graph
     * capture); returns false where this cuBLAS has no {@code cublasSetWorkspace} (older than 11.2).
     */
    public boolean setWorkspace(MemorySegment h, long devicePointer, long bytes) {
        if (setWorkspace == null) return false;
        try {
            check((int) setWorkspace.invokeExact(h, devicePointer, bytes), "cublasSetWorkspace");
            return true;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /** The library version as an integer (e.g. 130001). */
    public int version(MemorySegment h) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) getVersion.invokeExact(h, v), "cublasGetVersion");
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /**
     * Row-major C[m,n] = alpha·op(A)·op(B) + beta·C, with A stored [m,k] ([k,m] if transA) and B stored
     * [k,n] ([n,k] if transB), all on the device; float32 or float64.
     */
    public void gemmRowMajor(
            MemorySegment h,
            boolean f64,
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            double alpha,
            long a,
            int aCols,
            long b,
            int bCols,
            double beta,
            long c) {
        try (Arena ar = Arena.ofConfined()) {
            MemorySegment al = f64 ? ar.allocateFrom(JAVA_DOUBLE, alpha) : ar.allocateFrom(JAVA_FLOAT, (float) alpha);
            MemorySegment be = f64 ? ar.allocateFrom(JAVA_DOUBLE, beta) : ar.allocateFrom(JAVA_FLOAT, (float) beta);
            int opA = transA ? OP_T : OP_N, opB = transB ? OP_T : OP_N;
            int rc = f64
                    ? (int) dgemm.invokeExact(h, opB, opA, n, m, k, al, b, bCols, a, aCols, be, c, n)
                    : (int) sgemm.invokeExact(h, opB, opA, n, m, k, al, b, bCols, a, aCols, be, c, n);
            check(rc, f64 ? "cublasDgemm" : "cublasSgemm");
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /**
     * {@link #gemmRowMajor} with alpha and beta written into {@code scalars} (at least 16 bytes of
     * native memory the caller keeps), so a call allocates nothing. cuBLAS reads them during the call.
     */
    public void gemmRowMajor(
            MemorySegment h,
            boolean f64,
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            double alpha,
            long a,
            int aCols,
            long b,
            int bCols,
            double beta,
            long c,
            MemorySegment scalars) {
        MemorySegment al = scalars.asSlice(0, 8), be = scalars.asSlice(8, 8);
        if (f64) {
            al.set(JAVA_DOUBLE, 0, alpha);
            be.set(JAVA_DOUBLE, 0, beta);
        } else {
            al.set(JAVA_FLOAT, 0, (float) alpha);
            be.set(JAVA_FLOAT, 0, (float) beta);
        }
        int opA = transA ? OP_T : OP_N, opB = transB ? OP_T : OP_N;
        try {
            int rc = f64
                    ? (int) dgemm.invokeExact(h, opB, opA, n, m, k, al, b, bCols, a, aCols, be, c, n)
                    : (int) sgemm.invokeExact(h, opB, opA, n, m, k, al, b, bCols, a, aCols, be, c, n);
            check(rc, f64 ? "cublasDgemm" : "cublasSgemm");
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /** {@link #gemmRowMajor} for {@code count} float32 problems at fixed element strides. */
    public void gemmRowMajorBatched(
            MemorySegment h,
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            long a,
            int aCols,
            long strideA,
            long b,
            int bCols,
            long strideB,
            float beta,
            long c,
            long strideC,
            int count) {
        try (Arena ar = Arena.ofConfined()) {
            MemorySegment al = ar.allocateFrom(JAVA_FLOAT, alpha), be = ar.allocateFrom(JAVA_FLOAT, beta);
            int rc = (int) sgemmBatched.invokeExact(
                    h,
                    transB ? OP_T : OP_N,
                    transA ? OP_T : OP_N,
                    n,
                    m,
                    k,
                    al,
                    b,
                    bCols,
                    strideB,
                    a,
                    aCols,
                    strideA,
                    be,
                    c,
                    n,
                    strideC,
                    count);
            check(rc, "cublasSgemmStridedBatched");
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    private static void check(int status, String call) {
        if (status != STATUS_SUCCESS) throw new CudaException(call + " failed: " + statusName(status));
    }

    /** cublasStatus_t names (cublas_api.h). */
    static String statusName(int s) {
        return switch (s) {
            case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
            case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
            case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
            case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
            case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
            case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
            case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
            case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
            case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
            default -> "cublasStatus " + s;
        };
    }
}
