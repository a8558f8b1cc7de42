// cortex4j host CUDA emulator: a stand-in for libcublas with the functions io.cortex4j.cuda.Cublas
// binds. GEMMs are column-major with cuBLAS's op/ld semantics (C = alpha*op(A)*op(B) + beta*C;
// op(A) is m x k, A[i + l*lda] untransposed, A[l + i*lda] transposed; beta == 0 does not read C),
// summed in the operands' precision in index order, queued on the handle's stream (so captured into
// graphs like the kernels). TF32 mode is recorded but the products stay exact float32.
// Test-only: see io.cortex4j.cuda.HostCuda.
#include <cuda.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#define HC_EXPORT extern "C" __attribute__((visibility("default")))

extern "C" CUresult hostcuda_submit(CUstream s, std::function<CUresult()>* op);
extern "C" int hostcuda_in_allocation(uintptr_t p, size_t bytes);

namespace {
enum Status { OK = 0, NOT_INITIALIZED = 1, INVALID_VALUE = 7, EXECUTION_FAILED = 13 };
enum Op { N = 0, T = 1 };

struct Handle {
    CUstream stream = nullptr;
    int mathMode = 0;
    uintptr_t workspace = 0;
    size_t workspaceBytes = 0;
};

int bad(const std::string& why) {
    std::fprintf(stderr, "hostcuda cublas: %s\n", why.c_str());
    return INVALID_VALUE;
}

// the bytes a column-major rows x cols matrix with leading dimension ld spans
size_t span(long long rows, long long cols, long long ld, size_t elem) {
    if (rows == 0 || cols == 0) return 0;
    return (size_t)((cols - 1) * ld + rows) * elem;
}

template <class R>
int gemm(Handle* h, int ta, int tb, int m, int n, int k, const R* alpha, const R* A, int lda, const R* B, int ldb,
         const R* beta, R* C, int ldc, long long strideA, long long strideB, long long strideC, int count,
         const char* name) {
    if (h == nullptr) return NOT_INITIALIZED;
    if ((ta != N && ta != T) || (tb != N && tb != T) || m < 0 || n < 0 || k < 0 || count < 0)
        return bad(std::string(name) + ": bad op or negative size");
    long long aRows = ta == N ? m : k, aCols = ta == N ? k : m, bRows = tb == N ? k : n, bCols = tb == N ? n : k;
    if (lda < (aRows > 1 ? aRows : 1) || ldb < (bRows > 1 ? bRows : 1) || ldc < (m > 1 ? m : 1))
        return bad(std::string(name) + ": leading dimension too small");
    R al = *alpha, be = *beta; // host pointer mode: read during the call
    for (int b = 0; b < count; ++b) {
        const R *a = A + b * strideA, *bb = B + b * strideB;
        R* c = C + b * strideC;
        bool readsAB = al != R(0) && k > 0;
        if ((readsAB && (!hostcuda_in_allocation((uintptr_t)a, span(aRows, aCols, lda, sizeof(R))) ||
                         !hostcuda_in_allocation((uintptr_t)bb, span(bRows, bCols, ldb, sizeof(R))))) ||
            !hostcuda_in_allocation((uintptr_t)c, span(m, n, ldc, sizeof(R))))
            return bad(std::string(name) + ": an operand is not inside device memory");
    }
    std::function<CUresult()> op = [=]() {
        for (int b = 0; b < count; ++b) {
            const R *a = A + b * strideA, *bm = B + b * strideB;
            R* c = C + b * strideC;
            for (int j = 0; j < n; ++j)
                for (int i = 0; i < m; ++i) {
                    R acc = 0;
                    if (al != R(0))
                        for (int l = 0; l < k; ++l) {
                            R x = ta == N ? a[i + (long long)l * lda] : a[l + (long long)i * lda];
                            R y = tb == N ? bm[l + (long long)j * ldb] : bm[j + (long long)l * ldb];
                            acc = acc + x * y;
                        }
                    R* out = &c[i + (long long)j * ldc];
                    *out = be == R(0) ? al * acc : al * acc + be * *out;
                }
        }
        return CUDA_SUCCESS;
    };
    return hostcuda_submit(h->stream, &op) == CUDA_SUCCESS ? OK : EXECUTION_FAILED;
}
} // namespace

HC_EXPORT int cublasCreate_v2(void** handle) {
    *handle = new Handle();
    return OK;
}

HC_EXPORT int cublasDestroy_v2(void* handle) {
    delete static_cast<Handle*>(handle);
    return OK;
}

HC_EXPORT int cublasSetStream_v2(void* handle, CUstream s) {
    if (handle == nullptr) return NOT_INITIALIZED;
    static_cast<Handle*>(handle)->stream = s;
    return OK;
}

HC_EXPORT int cublasSetMathMode(void* handle, int mode) {
    if (handle == nullptr) return NOT_INITIALIZED;
    static_cast<Handle*>(handle)->mathMode = mode;
    return OK;
}

HC_EXPORT int cublasGetVersion_v2(void* handle, int* v) {
    if (handle == nullptr) return NOT_INITIALIZED;
    *v = 130000;
    return OK;
}

HC_EXPORT int cublasSetWorkspace_v2(void* handle, void* ws, size_t bytes) {
    if (handle == nullptr) return NOT_INITIALIZED;
    if (bytes > 0 && !hostcuda_in_allocation((uintptr_t)ws, bytes)) return bad("cublasSetWorkspace: not device memory");
    static_cast<Handle*>(handle)->workspace = (uintptr_t)ws;
    static_cast<Handle*>(handle)->workspaceBytes = bytes;
    return OK;
}

HC_EXPORT int cublasSgemm_v2(void* h, int ta, int tb, int m, int n, int k, const float* alpha, const float* A, int lda,
                             const float* B, int ldb, const float* beta, float* C, int ldc) {
    return gemm<float>(static_cast<Handle*>(h), ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, 0, 0, 0, 1,
                       "cublasSgemm");
}

HC_EXPORT int cublasDgemm_v2(void* h, int ta, int tb, int m, int n, int k, const double* alpha, const double* A,
                             int lda, const double* B, int ldb, const double* beta, double* C, int ldc) {
    return gemm<double>(static_cast<Handle*>(h), ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, 0, 0, 0, 1,
                        "cublasDgemm");
}

HC_EXPORT int cublasSgemmStridedBatched(void* h, int ta, int tb, int m, int n, int k, const float* alpha,
                                        const float* A, int lda, long long strideA, const float* B, int ldb,
                                        long long strideB, const float* beta, float* C, int ldc, long long strideC,
                                        int count) {
    return gemm<float>(static_cast<Handle*>(h), ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, strideA, strideB,
                       strideC, count, "cublasSgemmStridedBatched");
}
