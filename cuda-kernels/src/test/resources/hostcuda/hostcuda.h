// cortex4j host CUDA emulator: what the host-compiled kernels and the emulated driver share.
// Test-only (see io.cortex4j.cuda.HostCuda). Not part of the shipped backend.
#pragma once
#include <cstddef>
#include <type_traits>
#include <utility>

struct hostcuda_dim3 {
    unsigned int x, y, z;
};

extern "C" {
// The launch coordinates of the thread that runs now (blocks run one after another, the threads of
// a block one at a time: plain calls, or cooperative fibers for kernels that use __syncthreads).
extern hostcuda_dim3 hostcuda_threadIdx, hostcuda_blockIdx, hostcuda_blockDim, hostcuda_gridDim;
// __syncthreads: the running thread waits until every thread of its block has reached the barrier.
void hostcuda_syncthreads(void);
}

// One host-compiled kernel: its name and source, a type-erased entry point and its parameter types.
struct hostcuda_kernel {
    const char* name;
    const char* source;
    void (*fn)();
    void (*invoke)(void (*fn)(), void** params); // calls fn(*(A0*)params[0], *(A1*)params[1], ...)
    int nparams;
    const size_t* sizes;        // sizeof each parameter
    const unsigned char* isPointer;
    int barrier;                // 1: uses __syncthreads (directly or through a device function)
};

extern "C" void hostcuda_register(const hostcuda_kernel* k);

namespace hostcuda_detail {
template <class... A, size_t... I>
inline void call(void (*f)(A...), void** p, std::index_sequence<I...>) {
    f(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(p[I])...);
}

template <class... A>
struct Sig {
    static void invoke(void (*fn)(), void** p) {
        call(reinterpret_cast<void (*)(A...)>(fn), p, std::index_sequence_for<A...>{});
    }
    static constexpr size_t sizes[sizeof...(A) + 1] = {sizeof(A)..., 0};
    static constexpr unsigned char ptrs[sizeof...(A) + 1] = {(unsigned char)std::is_pointer<A>::value..., 0};
};

// Registers kernel f; parameter types come from f's type by deduction, so no per-kernel code is written.
template <class... A>
inline int add(const char* name, const char* source, void (*f)(A...), int barrier) {
    hostcuda_register(new hostcuda_kernel{name, source, reinterpret_cast<void (*)()>(f), &Sig<A...>::invoke,
                                          (int)sizeof...(A), Sig<A...>::sizes, Sig<A...>::ptrs, barrier});
    return 0;
}
} // namespace hostcuda_detail
