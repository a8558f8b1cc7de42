// cortex4j host CUDA emulator: the shim that lets g++ compile the kernel sources (src/main/cuda/*.cu)
// unchanged as C++ for the CPU:  g++ -x c++ -include shim.h ...  (see io.cortex4j.cuda.HostCuda).
//
// Execution model (driver.cpp): the blocks of a grid run one after another; the threads of a block
// one at a time, as cooperative fibers for kernels that use __syncthreads (a barrier switches to the
// next thread until every thread of the block has reached it), else as plain calls. So __shared__
// memory can be a static: one block of a kernel is live at a time. No warp-synchronous code exists
// in the sources (no shuffles, votes or volatile warp reductions); a source that adds some must
// extend this shim. Compile with -ffp-contract=off: CUDA's --fmad=false, no fused multiply-adds.
#pragma once
#include <math.h>
#include <cmath>
#include <cstring>
#include "hostcuda.h"

#define __global__
#define __device__ static
#define __host__
#define __forceinline__ inline
#define __noinline__
#define __shared__ static
#define __constant__ static const
#define __syncthreads() hostcuda_syncthreads()
#define threadIdx hostcuda_threadIdx
#define blockIdx hostcuda_blockIdx
#define blockDim hostcuda_blockDim
#define gridDim hostcuda_gridDim

// ---- the CUDA intrinsics the sources use, exactly (IEEE round-to-nearest; bit reinterpretations) ----
static inline unsigned int __umulhi(unsigned int a, unsigned int b) {
    return (unsigned int)(((unsigned long long)a * (unsigned long long)b) >> 32);
}
static inline double __longlong_as_double(long long x) {
    double d;
    std::memcpy(&d, &x, sizeof d);
    return d;
}
static inline long long __double_as_longlong(double d) {
    long long x;
    std::memcpy(&x, &d, sizeof x);
    return x;
}
static inline float __uint_as_float(unsigned int x) {
    float f;
    std::memcpy(&f, &x, sizeof f);
    return f;
}
static inline unsigned int __float_as_uint(float f) {
    unsigned int x;
    std::memcpy(&x, &f, sizeof x);
    return x;
}
static inline int __double2hiint(double d) { return (int)((unsigned long long)__double_as_longlong(d) >> 32); }
static inline int __double2loint(double d) { return (int)(unsigned int)((unsigned long long)__double_as_longlong(d)); }
static inline double __hiloint2double(int hi, int lo) {
    return __longlong_as_double((long long)(((unsigned long long)(unsigned int)hi << 32) | (unsigned int)lo));
}
// one IEEE operation each, rounded to nearest (SSE2 double arithmetic; -ffp-contract=off keeps them unfused)
static inline double __dadd_rn(double a, double b) { return a + b; }
static inline double __dmul_rn(double a, double b) { return a * b; }
static inline double __dsqrt_rn(double a) { return std::sqrt(a); }
