// cortex4j host CUDA emulator: a stand-in for libcuda.so.1 that exports exactly the driver functions
// io.cortex4j.cuda.CudaDriver binds, compiled against the real cuda.h so that every struct the Java
// side writes (CUDA_KERNEL_NODE_PARAMS) is read as the real header lays it out.
//
// Device memory is host memory (allocations are tracked, so copies, memsets and pointer arguments
// outside any allocation fail the call); streams run their work at once, in order; a capturing
// stream records kernel launches, memsets, device copies and cuBLAS GEMMs into a graph that
// cuGraphLaunch replays and cuGraphExecKernelNodeSetParams patches (argument values are copied when
// a launch is captured or a node updated, as the driver does). cuModuleLoadData takes the PTX that
// NVRTC (here: nvrtc.cpp, nvcc) made and checks that each function looked up is an .entry in it;
// the function that runs is the host-compiled kernel of that name (kernels are compiled with shim.h).
// Test-only: see io.cortex4j.cuda.HostCuda.
#include <cuda.h>

#include <chrono>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <ucontext.h>
#include <vector>

#include "hostcuda.h"

#define HC_EXPORT extern "C" __attribute__((visibility("default")))

hostcuda_dim3 hostcuda_threadIdx, hostcuda_blockIdx, hostcuda_blockDim, hostcuda_gridDim;

namespace {

std::recursive_mutex& lock() {
    static std::recursive_mutex m;
    return m;
}

std::string& lastError() {
    static std::string s;
    return s;
}

CUresult fail(CUresult rc, const std::string& why) {
    lastError() = why;
    std::fprintf(stderr, "hostcuda: %s\n", why.c_str());
    return rc;
}

// ------------------------------------------------------------------------------ kernels

std::map<std::string, const hostcuda_kernel*>& kernels() {
    static std::map<std::string, const hostcuda_kernel*> k;
    return k;
}

std::map<std::string, long long>& launchCounts() {
    static std::map<std::string, long long> c;
    return c;
}

// ------------------------------------------------------------------------------ memory

std::map<uintptr_t, size_t>& allocations() {
    static std::map<uintptr_t, size_t> a;
    return a;
}

// whether [p, p + bytes) lies in one allocation (an empty range may also sit at an allocation's end)
bool inAllocation(uintptr_t p, size_t bytes) {
    auto& a = allocations();
    auto it = a.upper_bound(p);
    if (it == a.begin()) return false;
    --it;
    return p >= it->first && p - it->first <= it->second && bytes <= it->second - (p - it->first);
}

// ------------------------------------------------------------------------------ execution of a grid

struct Fibers {
    std::vector<ucontext_t> ctx;
    std::vector<char*> stacks;
    std::vector<unsigned char> done;
    ucontext_t main;
    static constexpr size_t STACK = 256 * 1024;
};

Fibers& fibers() {
    static Fibers f;
    return f;
}

const hostcuda_kernel* runningKernel;
void** runningParams;
int runningThread;
bool inFiber;
jmp_buf plainBarrierEscape;

void setThread(unsigned int t) {
    unsigned int bx = hostcuda_blockDim.x, by = hostcuda_blockDim.y;
    hostcuda_threadIdx = {t % bx, (t / bx) % by, t / (bx * by)};
}

void fiberEntry() {
    int t = runningThread;
    runningKernel->invoke(runningKernel->fn, runningParams);
    fibers().done[t] = 1; // returning resumes fibers().main (uc_link)
}

// Runs one block whose threads meet at barriers: every live thread runs until its next
// __syncthreads (or its end), in thread order, then the next phase begins.
void runBlockWithBarriers(unsigned int threads) {
    Fibers& f = fibers();
    if (f.ctx.size() < threads) {
        f.ctx.resize(threads);
        while (f.stacks.size() < threads) f.stacks.push_back(static_cast<char*>(std::malloc(Fibers::STACK)));
    }
    f.done.assign(threads, 0);
    for (unsigned int t = 0; t < threads; ++t) {
        getcontext(&f.ctx[t]);
        f.ctx[t].uc_stack.ss_sp = f.stacks[t];
        f.ctx[t].uc_stack.ss_size = Fibers::STACK;
        f.ctx[t].uc_link = &f.main;
        makecontext(&f.ctx[t], fiberEntry, 0);
    }
    bool live = true;
    inFiber = true;
    while (live) {
        live = false;
        for (unsigned int t = 0; t < threads; ++t) {
            if (f.done[t]) continue;
            runningThread = (int)t;
            setThread(t);
            swapcontext(&f.main, &f.ctx[t]);
            if (!f.done[t]) live = true;
        }
    }
    inFiber = false;
}

CUresult runGrid(const hostcuda_kernel* k, hostcuda_dim3 grid, hostcuda_dim3 block, void** params) {
    launchCounts()[k->name]++;
    runningKernel = k;
    runningParams = params;
    hostcuda_gridDim = grid;
    hostcuda_blockDim = block;
    unsigned int threads = block.x * block.y * block.z;
    if (!k->barrier && setjmp(plainBarrierEscape) != 0) {
        return fail(CUDA_ERROR_LAUNCH_FAILED, std::string("kernel ") + k->name +
                                                 " reached __syncthreads but was compiled as barrier-free: "
                                                 "HostCuda's barrier analysis missed it");
    }
    for (unsigned int bz = 0; bz < grid.z; ++bz)
        for (unsigned int by = 0; by < grid.y; ++by)
            for (unsigned int bx = 0; bx < grid.x; ++bx) {
                hostcuda_blockIdx = {bx, by, bz};
                if (k->barrier) {
                    runBlockWithBarriers(threads);
                } else {
                    for (unsigned int t = 0; t < threads; ++t) {
                        setThread(t);
                        k->invoke(k->fn, params);
                    }
                }
            }
    return CUDA_SUCCESS;
}

// ------------------------------------------------------------------------------ streams and graphs

struct Module {
    std::set<std::string> entries;
};

struct Function {
    const hostcuda_kernel* kernel;
};

struct KernelLaunch {
    const hostcuda_kernel* kernel = nullptr;
    hostcuda_dim3 grid{0, 0, 0}, block{0, 0, 0};
    std::vector<std::vector<unsigned char>> values; // a copy of every argument value
    std::vector<void*> pointers;

    void setArgs(void** params) {
        values.assign(kernel->nparams, {});
        pointers.assign(kernel->nparams, nullptr);
        for (int i = 0; i < kernel->nparams; ++i) {
            values[i].assign(static_cast<unsigned char*>(params[i]),
                             static_cast<unsigned char*>(params[i]) + kernel->sizes[i]);
            pointers[i] = values[i].data();
        }
    }
};

struct Node {
    bool isKernel = false;
    KernelLaunch launch;
    std::function<CUresult()> op; // memsets, copies, GEMMs
    CUresult run() {
        if (isKernel) return runGrid(launch.kernel, launch.grid, launch.block, launch.pointers.data());
        return op();
    }
};

struct Graph {
    std::vector<std::unique_ptr<Node>> nodes;
};

struct GraphExec {
    std::vector<Node> nodes;
    const Graph* from;
};

struct Stream {
    bool capturing = false;
    Graph* graph = nullptr;
    CUgraphNode lastNode[1] = {nullptr};
};

std::set<Stream*>& streams() {
    static std::set<Stream*> s;
    return s;
}

std::set<GraphExec*>& execs() {
    static std::set<GraphExec*> s;
    return s;
}

int context = 1; // the primary context's handle target
bool initialised = false;

Stream* streamOf(CUstream s) { return reinterpret_cast<Stream*>(s); }

bool isCapturing(CUstream s) { return s != nullptr && streamOf(s)->capturing; }

// Runs op now, or records it into the capture of stream s.
CUresult submit(CUstream s, Node node) {
    if (s != nullptr && !streams().count(streamOf(s))) return fail(CUDA_ERROR_INVALID_HANDLE, "unknown stream");
    if (isCapturing(s)) {
        Stream* st = streamOf(s);
        st->graph->nodes.push_back(std::make_unique<Node>(std::move(node)));
        st->lastNode[0] = reinterpret_cast<CUgraphNode>(st->graph->nodes.back().get());
        return CUDA_SUCCESS;
    }
    return node.run();
}

CUresult checkRange(CUdeviceptr p, size_t bytes, const char* what) {
    if (!inAllocation((uintptr_t)p, bytes))
        return fail(CUDA_ERROR_INVALID_VALUE, std::string(what) + ": device range [" + std::to_string(p) + ", +" +
                                                  std::to_string(bytes) + ") is not inside one allocation");
    return CUDA_SUCCESS;
}

CUresult checkLaunchArgs(const hostcuda_kernel* k, void** params) {
    if (k->nparams > 0 && params == nullptr)
        return fail(CUDA_ERROR_INVALID_VALUE, std::string("kernel ") + k->name + ": no kernelParams");
    for (int i = 0; i < k->nparams; ++i) {
        if (!k->isPointer[i]) continue;
        uintptr_t p;
        std::memcpy(&p, params[i], sizeof p);
        if (p != 0 && !inAllocation(p, 0))
            return fail(CUDA_ERROR_INVALID_VALUE, std::string("kernel ") + k->name + ": pointer parameter " +
                                                      std::to_string(i) + " (" + std::to_string(p) +
                                                      ") is not device memory");
    }
    return CUDA_SUCCESS;
}

CUresult checkGeometry(const hostcuda_kernel* k, hostcuda_dim3 g, hostcuda_dim3 b, unsigned int shared) {
    unsigned long long threads = (unsigned long long)b.x * b.y * b.z;
    if (g.x == 0 || g.y == 0 || g.z == 0 || threads == 0 || threads > 1024 || g.y > 65535 || g.z > 65535 ||
        b.z > 64)
        return fail(CUDA_ERROR_INVALID_VALUE, std::string("kernel ") + k->name + ": invalid launch geometry");
    if (shared != 0)
        return fail(CUDA_ERROR_NOT_SUPPORTED,
                    std::string("kernel ") + k->name + ": dynamic shared memory is not emulated");
    return CUDA_SUCCESS;
}

} // namespace

// ------------------------------------------------------------------------------ the emulator's own API

extern "C" void hostcuda_register(const hostcuda_kernel* k) { kernels()[k->name] = k; }

extern "C" void hostcuda_syncthreads(void) {
    if (!inFiber) longjmp(plainBarrierEscape, 1);
    Fibers& f = fibers();
    swapcontext(&f.ctx[runningThread], &f.main);
}

/** How often kernel {@code name} has run (launched or replayed in a graph); -1 if no such kernel is compiled in. */
HC_EXPORT long long hostcuda_launch_count(const char* name) {
    std::lock_guard<std::recursive_mutex> g(lock());
    if (!kernels().count(name)) return -1;
    auto it = launchCounts().find(name);
    return it == launchCounts().end() ? 0 : it->second;
}

/** The names of the host-compiled kernels, comma-separated, into buf (returns the length needed). */
HC_EXPORT size_t hostcuda_kernel_names(char* buf, size_t size) {
    std::lock_guard<std::recursive_mutex> g(lock());
    std::string s;
    for (auto& e : kernels()) s += (s.empty() ? "" : ",") + e.first;
    if (buf != nullptr && size > 0) {
        std::strncpy(buf, s.c_str(), size - 1);
        buf[size - 1] = 0;
    }
    return s.size() + 1;
}

/** Whether kernel name was compiled as using barriers (1), not (0), or is unknown (-1). */
HC_EXPORT int hostcuda_kernel_uses_barriers(const char* name) {
    auto it = kernels().find(name);
    return it == kernels().end() ? -1 : it->second->barrier;
}

HC_EXPORT const char* hostcuda_last_error(void) { return lastError().c_str(); }

/** Lets other parts of this library (cublas.cpp) queue work on a stream. */
extern "C" CUresult hostcuda_submit(CUstream s, std::function<CUresult()>* op) {
    Node n;
    n.op = std::move(*op);
    return submit(s, std::move(n));
}

extern "C" int hostcuda_in_allocation(uintptr_t p, size_t bytes) { return inAllocation(p, bytes) ? 1 : 0; }

// ------------------------------------------------------------------------------ the driver API

#define LOCKED std::lock_guard<std::recursive_mutex> guard_(lock())

HC_EXPORT CUresult cuInit(unsigned int flags) {
    LOCKED;
    if (flags != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuInit: flags must be 0");
    initialised = true;
    return CUDA_SUCCESS;
}

#define NEED_INIT \
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED

HC_EXPORT CUresult cuDriverGetVersion(int* v) {
    if (v == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *v = 13000;
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuDeviceGetCount(int* n) {
    NEED_INIT;
    *n = 1;
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuDeviceGet(CUdevice* d, int ordinal) {
    NEED_INIT;
    if (ordinal != 0) return CUDA_ERROR_INVALID_DEVICE;
    *d = 0;
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuDeviceGetName(char* name, int len, CUdevice d) {
    NEED_INIT;
    if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
    std::snprintf(name, (size_t)len, "%s", "cortex4j host emulator (CPU)");
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuDeviceGetAttribute(int* v, CUdevice_attribute attr, CUdevice d) {
    NEED_INIT;
    if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
    switch (attr) {
    case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *v = 1; break;
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *v = 9; break;
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *v = 0; break;
    case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE: *v = 1000000; break;
    case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH: *v = 64; break;
    default: return fail(CUDA_ERROR_NOT_SUPPORTED, "cuDeviceGetAttribute: attribute " + std::to_string(attr));
    }
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice d) {
    NEED_INIT;
    if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
    *bytes = (size_t)16 << 30;
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuDevicePrimaryCtxRetain(CUcontext* ctx, CUdevice d) {
    NEED_INIT;
    if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
    *ctx = reinterpret_cast<CUcontext>(&context);
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
    NEED_INIT;
    return d == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}

HC_EXPORT CUresult cuCtxSetCurrent(CUcontext ctx) {
    NEED_INIT;
    if (ctx != nullptr && ctx != reinterpret_cast<CUcontext>(&context)) return CUDA_ERROR_INVALID_CONTEXT;
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuCtxSynchronize(void) {
    NEED_INIT;
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) {
    LOCKED;
    NEED_INIT;
    if (bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    void* m = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
    if (m == nullptr) return CUDA_ERROR_OUT_OF_MEMORY;
    std::memset(m, 0xff, bytes); // device memory starts as garbage: all-ones words are NaN (floats) or -1 (ints)
    allocations()[(uintptr_t)m] = bytes;
    *p = (CUdeviceptr)(uintptr_t)m;
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuMemFree_v2(CUdeviceptr p) {
    LOCKED;
    auto it = allocations().find((uintptr_t)p);
    if (it == allocations().end()) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemFree: not an allocation");
    allocations().erase(it);
    std::free(reinterpret_cast<void*>(p));
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t bytes) {
    LOCKED;
    CUresult rc = checkRange(dst, bytes, "cuMemcpyHtoD");
    if (rc != CUDA_SUCCESS) return rc;
    if (bytes > 0) std::memcpy(reinterpret_cast<void*>(dst), src, bytes);
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t bytes) {
    LOCKED;
    CUresult rc = checkRange(src, bytes, "cuMemcpyDtoH");
    if (rc != CUDA_SUCCESS) return rc;
    if (bytes > 0) std::memcpy(dst, reinterpret_cast<const void*>(src), bytes);
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t bytes, CUstream s) {
    LOCKED;
    if (isCapturing(s))
        return fail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "cuMemcpyHtoDAsync on a capturing stream");
    return cuMemcpyHtoD_v2(dst, src, bytes);
}

HC_EXPORT CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t bytes, CUstream s) {
    LOCKED;
    if (isCapturing(s))
        return fail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "cuMemcpyDtoHAsync on a capturing stream");
    return cuMemcpyDtoH_v2(dst, src, bytes);
}

HC_EXPORT CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream s) {
    LOCKED;
    CUresult rc = checkRange(dst, bytes, "cuMemcpyDtoD (destination)");
    if (rc == CUDA_SUCCESS) rc = checkRange(src, bytes, "cuMemcpyDtoD (source)");
    if (rc != CUDA_SUCCESS) return rc;
    Node n;
    n.op = [dst, src, bytes]() {
        if (bytes > 0) std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes);
        return CUDA_SUCCESS;
    };
    return submit(s, std::move(n));
}

HC_EXPORT CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t count, CUstream s) {
    LOCKED;
    if (dst % 4 != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemsetD32: unaligned destination");
    CUresult rc = checkRange(dst, count * 4, "cuMemsetD32");
    if (rc != CUDA_SUCCESS) return rc;
    Node n;
    n.op = [dst, value, count]() {
        unsigned int* p = reinterpret_cast<unsigned int*>(dst);
        for (size_t i = 0; i < count; ++i) p[i] = value;
        return CUDA_SUCCESS;
    };
    return submit(s, std::move(n));
}

HC_EXPORT CUresult cuModuleLoadData(CUmodule* module, const void* image) {
    LOCKED;
    NEED_INIT;
    const char* text = static_cast<const char*>(image);
    if (text == nullptr || std::strstr(text, ".version") == nullptr || std::strstr(text, ".target") == nullptr)
        return fail(CUDA_ERROR_INVALID_IMAGE, "cuModuleLoadData: not a PTX image");
    Module* m = new Module();
    for (const char* p = std::strstr(text, ".entry"); p != nullptr; p = std::strstr(p + 6, ".entry")) {
        const char* q = p + 6;
        while (*q == ' ' || *q == '\t') ++q;
        const char* e = q;
        while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') || (*e >= '0' && *e <= '9') || *e == '_' ||
               *e == '$')
            ++e;
        if (e > q) m->entries.insert(std::string(q, e));
    }
    *module = reinterpret_cast<CUmodule>(m);
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuModuleUnload(CUmodule module) {
    LOCKED;
    delete reinterpret_cast<Module*>(module);
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuModuleGetFunction(CUfunction* f, CUmodule module, const char* name) {
    LOCKED;
    Module* m = reinterpret_cast<Module*>(module);
    if (m == nullptr) return CUDA_ERROR_INVALID_HANDLE;
    if (!m->entries.count(name))
        return fail(CUDA_ERROR_NOT_FOUND, std::string("cuModuleGetFunction: no .entry ") + name + " in the PTX");
    auto it = kernels().find(name);
    if (it == kernels().end())
        return fail(CUDA_ERROR_NOT_FOUND,
                    std::string("cuModuleGetFunction: ") + name + " is in the PTX but was not host-compiled");
    static std::map<std::string, Function*> functions;
    Function*& fn = functions[name];
    if (fn == nullptr) fn = new Function{it->second};
    *f = reinterpret_cast<CUfunction>(fn);
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,
                                  unsigned int by, unsigned int bz, unsigned int shared, CUstream s, void** params,
                                  void** extra) {
    LOCKED;
    if (f == nullptr) return CUDA_ERROR_INVALID_HANDLE;
    const hostcuda_kernel* k = reinterpret_cast<Function*>(f)->kernel;
    if (extra != nullptr) return fail(CUDA_ERROR_NOT_SUPPORTED, "cuLaunchKernel: 'extra' is not emulated");
    CUresult rc = checkGeometry(k, {gx, gy, gz}, {bx, by, bz}, shared);
    if (rc == CUDA_SUCCESS) rc = checkLaunchArgs(k, params);
    if (rc != CUDA_SUCCESS) return rc;
    Node n;
    n.isKernel = true;
    n.launch.kernel = k;
    n.launch.grid = {gx, gy, gz};
    n.launch.block = {bx, by, bz};
    n.launch.setArgs(params);
    return submit(s, std::move(n));
}

HC_EXPORT CUresult cuStreamCreate(CUstream* s, unsigned int flags) {
    LOCKED;
    NEED_INIT;
    (void)flags;
    Stream* st = new Stream();
    streams().insert(st);
    *s = reinterpret_cast<CUstream>(st);
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuStreamDestroy_v2(CUstream s) {
    LOCKED;
    Stream* st = streamOf(s);
    if (!streams().erase(st)) return CUDA_ERROR_INVALID_HANDLE;
    delete st->graph;
    delete st;
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuStreamSynchronize(CUstream s) {
    LOCKED;
    if (isCapturing(s)) return fail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "cuStreamSynchronize while capturing");
    return CUDA_SUCCESS;
}

struct HcEvent {
    std::chrono::steady_clock::time_point at;
    bool recorded = false;
};

HC_EXPORT CUresult cuEventCreate(CUevent* e, unsigned int flags) {
    (void)flags;
    *e = reinterpret_cast<CUevent>(new HcEvent());
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuEventDestroy_v2(CUevent e) {
    delete reinterpret_cast<HcEvent*>(e);
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuEventRecord(CUevent e, CUstream s) {
    LOCKED;
    if (isCapturing(s)) return fail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "cuEventRecord while capturing");
    HcEvent* ev = reinterpret_cast<HcEvent*>(e);
    ev->at = std::chrono::steady_clock::now();
    ev->recorded = true;
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuEventSynchronize(CUevent e) {
    return reinterpret_cast<HcEvent*>(e)->recorded ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

HC_EXPORT CUresult cuEventElapsedTime_v2(float* ms, CUevent start, CUevent end) {
    HcEvent *a = reinterpret_cast<HcEvent*>(start), *b = reinterpret_cast<HcEvent*>(end);
    if (!a->recorded || !b->recorded) return CUDA_ERROR_INVALID_HANDLE;
    *ms = std::chrono::duration<float, std::milli>(b->at - a->at).count();
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuStreamBeginCapture_v2(CUstream s, CUstreamCaptureMode mode) {
    LOCKED;
    (void)mode;
    if (s == nullptr || !streams().count(streamOf(s)))
        return fail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "cuStreamBeginCapture: not a created stream");
    Stream* st = streamOf(s);
    if (st->capturing) return fail(CUDA_ERROR_ILLEGAL_STATE, "cuStreamBeginCapture: already capturing");
    st->capturing = true;
    st->graph = new Graph();
    st->lastNode[0] = nullptr;
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuStreamEndCapture(CUstream s, CUgraph* graph) {
    LOCKED;
    Stream* st = streamOf(s);
    if (s == nullptr || !streams().count(st) || !st->capturing)
        return fail(CUDA_ERROR_ILLEGAL_STATE, "cuStreamEndCapture: the stream is not capturing");
    st->capturing = false;
    *graph = reinterpret_cast<CUgraph>(st->graph);
    st->graph = nullptr;
    st->lastNode[0] = nullptr;
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuStreamGetCaptureInfo_v3(CUstream s, CUstreamCaptureStatus* status, cuuint64_t* id,
                                             CUgraph* graph, const CUgraphNode** deps,
                                             const CUgraphEdgeData** edges, size_t* count) {
    LOCKED;
    Stream* st = streamOf(s);
    if (s != nullptr && !streams().count(st)) return CUDA_ERROR_INVALID_HANDLE;
    bool active = s != nullptr && st->capturing;
    if (status != nullptr) *status = active ? CU_STREAM_CAPTURE_STATUS_ACTIVE : CU_STREAM_CAPTURE_STATUS_NONE;
    if (id != nullptr) *id = active ? (cuuint64_t)(uintptr_t)st->graph : 0;
    if (graph != nullptr) *graph = active ? reinterpret_cast<CUgraph>(st->graph) : nullptr;
    size_t n = active && st->lastNode[0] != nullptr ? 1 : 0;
    if (deps != nullptr) *deps = n ? st->lastNode : nullptr;
    if (edges != nullptr) *edges = nullptr;
    if (count != nullptr) *count = n;
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuGraphInstantiateWithFlags(CUgraphExec* exec, CUgraph graph, unsigned long long flags) {
    LOCKED;
    if (flags != 0) return fail(CUDA_ERROR_NOT_SUPPORTED, "cuGraphInstantiateWithFlags: flags");
    Graph* g = reinterpret_cast<Graph*>(graph);
    GraphExec* e = new GraphExec();
    e->from = g;
    for (auto& n : g->nodes) e->nodes.push_back(*n);
    execs().insert(e);
    *exec = reinterpret_cast<CUgraphExec>(e);
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuGraphLaunch(CUgraphExec exec, CUstream s) {
    LOCKED;
    GraphExec* e = reinterpret_cast<GraphExec*>(exec);
    if (!execs().count(e)) return CUDA_ERROR_INVALID_HANDLE;
    if (isCapturing(s)) return fail(CUDA_ERROR_NOT_SUPPORTED, "cuGraphLaunch into a capture is not emulated");
    for (Node& n : e->nodes) {
        CUresult rc = n.run();
        if (rc != CUDA_SUCCESS) return rc;
    }
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuGraphExecKernelNodeSetParams_v2(CUgraphExec exec, CUgraphNode node,
                                                     const CUDA_KERNEL_NODE_PARAMS* p) {
    LOCKED;
    GraphExec* e = reinterpret_cast<GraphExec*>(exec);
    if (!execs().count(e)) return CUDA_ERROR_INVALID_HANDLE;
    size_t index = e->from->nodes.size();
    for (size_t i = 0; i < e->from->nodes.size(); ++i)
        if (reinterpret_cast<CUgraphNode>(e->from->nodes[i].get()) == node) index = i;
    if (index == e->from->nodes.size())
        return fail(CUDA_ERROR_INVALID_VALUE, "cuGraphExecKernelNodeSetParams: the node is not in the graph");
    Node& n = e->nodes[index];
    if (!n.isKernel) return fail(CUDA_ERROR_INVALID_VALUE, "cuGraphExecKernelNodeSetParams: not a kernel node");
    if (p->func == nullptr) return CUDA_ERROR_INVALID_HANDLE;
    const hostcuda_kernel* k = reinterpret_cast<Function*>(p->func)->kernel;
    if (k != n.launch.kernel)
        return fail(CUDA_ERROR_INVALID_VALUE, "cuGraphExecKernelNodeSetParams: a different function");
    if (p->extra != nullptr) return fail(CUDA_ERROR_NOT_SUPPORTED, "kernel node 'extra' is not emulated");
    hostcuda_dim3 g{p->gridDimX, p->gridDimY, p->gridDimZ}, b{p->blockDimX, p->blockDimY, p->blockDimZ};
    CUresult rc = checkGeometry(k, g, b, p->sharedMemBytes);
    if (rc == CUDA_SUCCESS) rc = checkLaunchArgs(k, p->kernelParams);
    if (rc != CUDA_SUCCESS) return rc;
    n.launch.grid = g;
    n.launch.block = b;
    n.launch.setArgs(p->kernelParams);
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuGraphExecDestroy(CUgraphExec exec) {
    LOCKED;
    GraphExec* e = reinterpret_cast<GraphExec*>(exec);
    if (!execs().erase(e)) return CUDA_ERROR_INVALID_HANDLE;
    delete e;
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuGraphDestroy(CUgraph graph) {
    LOCKED;
    delete reinterpret_cast<Graph*>(graph);
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuGetErrorName(CUresult rc, const char** s) {
    static std::map<int, const char*> names = {
        {CUDA_SUCCESS, "CUDA_SUCCESS"},
        {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE"},
        {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY"},
        {CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED"},
        {CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE"},
        {CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE"},
        {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT"},
        {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE"},
        {CUDA_ERROR_ILLEGAL_STATE, "CUDA_ERROR_ILLEGAL_STATE"},
        {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND"},
        {CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED"},
        {CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED"},
        {CUDA_ERROR_NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED"},
    };
    auto it = names.find(rc);
    if (it == names.end()) return CUDA_ERROR_INVALID_VALUE;
    *s = it->second;
    return CUDA_SUCCESS;
}

HC_EXPORT CUresult cuGetErrorString(CUresult rc, const char** s) {
    const char* name;
    if (cuGetErrorName(rc, &name) != CUDA_SUCCESS) return CUDA_ERROR_INVALID_VALUE;
    static thread_local std::string text;
    text = std::string("(host emulator) ") + lastError();
    *s = rc == CUDA_SUCCESS ? "no error" : text.c_str();
    return CUDA_SUCCESS;
}
