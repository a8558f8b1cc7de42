package io.cortex4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The CUDA driver API ({@code libcuda.so.1}) through the foreign-function API: initialisation and
 * devices, the primary context, device memory and copies, modules and kernel launches, streams,
 * events and stream-captured graphs. Handles (contexts, modules, functions, streams, events, graphs)
 * are {@link MemorySegment} addresses; device pointers are {@code long}s. Every failed call throws a
 * {@link CudaException} with the driver's error name and text.
 */
public final class CudaDriver {
    /** CUdevice_attribute values used here. */
    public static final int ATTR_MULTIPROCESSOR_COUNT = 16,
            ATTR_COMPUTE_CAPABILITY_MAJOR = 75,
            ATTR_COMPUTE_CAPABILITY_MINOR = 76,
            ATTR_MEMORY_CLOCK_RATE = 36,
            ATTR_GLOBAL_MEMORY_BUS_WIDTH = 37;
    /** CUstreamCaptureMode: capture only this thread's work. */
    public static final int CAPTURE_MODE_THREAD_LOCAL = 1;
    /** CUresult (and the 0 every call is checked against): CUDA_SUCCESS. */
    static final int SUCCESS = 0;
    /** CUstream_flags: the stream does not synchronise with the legacy NULL stream. */
    static final int STREAM_NON_BLOCKING = 1;
    /** CUevent_flags: the default (timing) event. */
    static final int EVENT_DEFAULT = 0;
    /** CUstreamCaptureStatus: the stream is capturing. */
    static final int CAPTURE_STATUS_ACTIVE = 1;

    /**
     * CUDA_KERNEL_NODE_PARAMS_v1 (cuda.h), which the unversioned cuGraphExecKernelNodeSetParams reads:
     * the field names are the header's (BindingLayoutTest compares every offset and size with it).
     */
    static final StructLayout KERNEL_NODE_PARAMS_V1 = MemoryLayout.structLayout(
            ADDRESS.withName("func"),
            JAVA_INT.withName("gridDimX"),
            JAVA_INT.withName("gridDimY"),
            JAVA_INT.withName("gridDimZ"),
            JAVA_INT.withName("blockDimX"),
            JAVA_INT.withName("blockDimY"),
            JAVA_INT.withName("blockDimZ"),
            JAVA_INT.withName("sharedMemBytes"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("kernelParams"),
            ADDRESS.withName("extra"));

    /**
     * CUDA_KERNEL_NODE_PARAMS_v2 (cuda.h), which cuGraphExecKernelNodeSetParams_v2 reads: v1 followed
     * by the kernel and context handles. {@link #setKernelNodeParams} writes only v1's fields (the
     * rest zero), so either entry point reads it correctly.
     */
    static final StructLayout KERNEL_NODE_PARAMS_V2 = MemoryLayout.structLayout(java.util.stream.Stream.concat(
                    KERNEL_NODE_PARAMS_V1.memberLayouts().stream(),
                    java.util.stream.Stream.of(ADDRESS.withName("kern"), ADDRESS.withName("ctx")))
            .toArray(MemoryLayout[]::new));

    private static final long NODE_FUNC = nodeField("func"),
            NODE_GRID_X = nodeField("gridDimX"),
            NODE_GRID_Y = nodeField("gridDimY"),
            NODE_GRID_Z = nodeField("gridDimZ"),
            NODE_BLOCK_X = nodeField("blockDimX"),
            NODE_BLOCK_Y = nodeField("blockDimY"),
            NODE_BLOCK_Z = nodeField("blockDimZ"),
            NODE_SHARED_MEM = nodeField("sharedMemBytes"),
            NODE_KERNEL_PARAMS = nodeField("kernelParams");

    private static long nodeField(String name) {
        return KERNEL_NODE_PARAMS_V2.byteOffset(MemoryLayout.PathElement.groupElement(name));
    }

    private final NativeLibrary lib;
    private final MethodHandle init,
            driverVersion,
            deviceCount,
            deviceGet,
            deviceName,
            deviceAttribute,
            deviceTotalMem,
            primaryRetain,
            primaryRelease,
            ctxSetCurrent,
            ctxSynchronize,
            memAlloc,
            memFree,
            htod,
            dtoh,
            dtod,
            htodAsync,
            dtohAsync,
            memsetD32,
            moduleLoadData,
            moduleUnload,
            moduleGetFunction,
            launch,
            streamCreate,
            streamDestroy,
            streamSynchronize,
            eventCreate,
            eventDestroy,
            eventRecord,
            eventSynchronize,
            eventElapsed,
            beginCapture,
            endCapture,
            graphInstantiate,
            graphLaunch,
            graphExecDestroy,
            graphDestroy,
            errorName,
            errorString;
    /** For re-parameterised graph replays; null where the driver lacks them (then graphs are not used, see {@link #canUpdateGraphs}). */
    private final MethodHandle captureInfo, execKernelNodeSetParams;

    private final boolean captureInfoV3;

    public CudaDriver(Path library) {
        lib = new NativeLibrary(library);
        FunctionDescriptor i_a = FunctionDescriptor.of(JAVA_INT, ADDRESS),
                i_i = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
        init = lib.function("cuInit", i_i);
        driverVersion = lib.function("cuDriverGetVersion", i_a);
        deviceCount = lib.function("cuDeviceGetCount", i_a);
        deviceGet = lib.function("cuDeviceGet", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        deviceName = lib.function("cuDeviceGetName", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        deviceAttribute =
                lib.function("cuDeviceGetAttribute", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        deviceTotalMem = lib.function("cuDeviceTotalMem_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        primaryRetain = lib.function("cuDevicePrimaryCtxRetain", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        primaryRelease = lib.function("cuDevicePrimaryCtxRelease_v2", i_i);
        ctxSetCurrent = lib.function("cuCtxSetCurrent", i_a);
        ctxSynchronize = lib.function("cuCtxSynchronize", FunctionDescriptor.of(JAVA_INT));
        memAlloc = lib.function("cuMemAlloc_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        memFree = lib.function("cuMemFree_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        htod = lib.function("cuMemcpyHtoD_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG));
        dtoh = lib.function("cuMemcpyDtoH_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
        dtod = lib.function(
                "cuMemcpyDtoDAsync_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
        htodAsync = lib.function(
                "cuMemcpyHtoDAsync_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS));
        dtohAsync = lib.function(
                "cuMemcpyDtoHAsync_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        memsetD32 = lib.function(
                "cuMemsetD32Async", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS));
        moduleLoadData = lib.function("cuModuleLoadData", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        moduleUnload = lib.function("cuModuleUnload", i_a);
        moduleGetFunction =
                lib.function("cuModuleGetFunction", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        launch = lib.function(
                "cuLaunchKernel",
                FunctionDescriptor.of(
                        JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                        ADDRESS, ADDRESS, ADDRESS));
        streamCreate = lib.function("cuStreamCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        streamDestroy = lib.function("cuStreamDestroy_v2", i_a);
        streamSynchronize = lib.function("cuStreamSynchronize", i_a);
        eventCreate = lib.function("cuEventCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        eventDestroy = lib.function("cuEventDestroy_v2", i_a);
        eventRecord = lib.function("cuEventRecord", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        eventSynchronize = lib.function("cuEventSynchronize", i_a);
        eventElapsed = lib.function(
                lib.has("cuEventElapsedTime_v2") ? "cuEventElapsedTime_v2" : "cuEventElapsedTime",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        beginCapture = lib.function("cuStreamBeginCapture_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        endCapture = lib.function("cuStreamEndCapture", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        graphInstantiate = lib.function(
                "cuGraphInstantiateWithFlags", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        graphLaunch = lib.function("cuGraphLaunch", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        graphExecDestroy = lib.function("cuGraphExecDestroy", i_a);
        graphDestroy = lib.function("cuGraphDestroy", i_a);
        captureInfoV3 = lib.has("cuStreamGetCaptureInfo_v3");
        captureInfo = captureInfoV3
                ? lib.function(
                        "cuStreamGetCaptureInfo_v3",
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS))
                : lib.has("cuStreamGetCaptureInfo_v2")
                        ? lib.function(
                                "cuStreamGetCaptureInfo_v2",
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS))
                        : null;
        // CUDA_KERNEL_NODE_PARAMS_v2 begins with the v1 layout, so the unversioned entry point (v1) reads it correctly
        // too
        String setParams = lib.has("cuGraphExecKernelNodeSetParams_v2")
                ? "cuGraphExecKernelNodeSetParams_v2"
                : "cuGraphExecKernelNodeSetParams";
        execKernelNodeSetParams = lib.has(setParams)
                ? lib.function(setParams, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS))
                : null;
        errorName = lib.function("cuGetErrorName", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        errorString = lib.function("cuGetErrorString", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    public Path path() {
        return lib.path;
    }

    /** The library and what this binding bound in it (for BindingSignatureTest). */
    NativeLibrary library() {
        return lib;
    }

    // ------------------------------------------------------------------------------- devices

    public void init() {
        call("cuInit", () -> (int) init.invokeExact(0));
    }

    /** The driver's CUDA version as "major.minor" (e.g. 13.0). */
    public String driverVersion() {
        int v = outInt("cuDriverGetVersion", p -> (int) driverVersion.invokeExact(p));
        return v / 1000 + "." + v % 1000 / 10;
    }

    public int deviceCount() {
        return outInt("cuDeviceGetCount", p -> (int) deviceCount.invokeExact(p));
    }

    public int device(int ordinal) {
        return outInt("cuDeviceGet", p -> (int) deviceGet.invokeExact(p, ordinal));
    }

    public String deviceName(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            call("cuDeviceGetName", () -> (int) deviceName.invokeExact(buf, 256, dev));
            return buf.getString(0);
        }
    }

    public int attribute(int dev, int attr) {
        return outInt("cuDeviceGetAttribute", p -> (int) deviceAttribute.invokeExact(p, attr, dev));
    }

    public long totalMemory(int dev) {
        return outLong("cuDeviceTotalMem", p -> (int) deviceTotalMem.invokeExact(p, dev));
    }

    /** Retains the device's primary context and makes it current on this thread; returns the context. */
    public MemorySegment usePrimaryContext(int dev) {
        MemorySegment ctx = outAddress("cuDevicePrimaryCtxRetain", p -> (int) primaryRetain.invokeExact(p, dev));
        call("cuCtxSetCurrent", () -> (int) ctxSetCurrent.invokeExact(ctx));
        return ctx;
    }

    /** Makes {@code ctx} current on the calling thread. */
    public void setCurrent(MemorySegment ctx) {
        call("cuCtxSetCurrent", () -> (int) ctxSetCurrent.invokeExact(ctx));
    }

    public void releasePrimaryContext(int dev) {
        call("cuDevicePrimaryCtxRelease", () -> (int) primaryRelease.invokeExact(dev));
    }

    public void synchronize() {
        call("cuCtxSynchronize", () -> (int) ctxSynchronize.invokeExact());
    }

    // ------------------------------------------------------------------------------- memory

    public long malloc(long bytes) {
        return outLong("cuMemAlloc", p -> (int) memAlloc.invokeExact(p, bytes));
    }

    public void free(long dptr) {
        call("cuMemFree", () -> (int) memFree.invokeExact(dptr));
    }

    /** Synchronous copy of {@code bytes} from host memory to the device. */
    public void copyToDevice(long dst, MemorySegment src, long bytes) {
        call("cuMemcpyHtoD", () -> (int) htod.invokeExact(dst, src, bytes));
    }

    public void copyToHost(MemorySegment dst, long src, long bytes) {
        call("cuMemcpyDtoH", () -> (int) dtoh.invokeExact(dst, src, bytes));
    }

    public void copyToDeviceAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        call("cuMemcpyHtoDAsync", () -> (int) htodAsync.invokeExact(dst, src, bytes, stream));
    }

    public void copyToHostAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        call("cuMemcpyDtoHAsync", () -> (int) dtohAsync.invokeExact(dst, src, bytes, stream));
    }

    public void copyOnDevice(long dst, long src, long bytes, MemorySegment stream) {
        call("cuMemcpyDtoDAsync", () -> (int) dtod.invokeExact(dst, src, bytes, stream));
    }

    /** Sets {@code count} 32-bit words to {@code value} (e.g. {@code Float.floatToRawIntBits(x)}). */
    public void fill32(long dst, int value, long count, MemorySegment stream) {
        call("cuMemsetD32Async", () -> (int) memsetD32.invokeExact(dst, value, count, stream));
    }

    // ------------------------------------------------------------------------------- modules and launches

    /** Loads a PTX (NUL-terminated text) or CUBIN image. */
    public MemorySegment loadModule(byte[] image) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment img = a.allocate(image.length + 1L);
            MemorySegment.copy(image, 0, img, JAVA_BYTE, 0, image.length);
            return outAddress("cuModuleLoadData", p -> (int) moduleLoadData.invokeExact(p, img));
        }
    }

    public void unloadModule(MemorySegment module) {
        call("cuModuleUnload", () -> (int) moduleUnload.invokeExact(module));
    }

    public MemorySegment function(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocateFrom(name);
            return outAddress(
                    "cuModuleGetFunction(" + name + ")", p -> (int) moduleGetFunction.invokeExact(p, module, n));
        }
    }

    /**
     * Launches {@code f} on a 1-D grid. {@code params} is an array of pointers to the argument values
     * (one per kernel parameter), as cuLaunchKernel takes them.
     */
    public void launch(
            MemorySegment f, int grid, int block, int sharedBytes, MemorySegment stream, MemorySegment params) {
        call("cuLaunchKernel", () ->
                (int) launch.invokeExact(f, grid, 1, 1, block, 1, 1, sharedBytes, stream, params, MemorySegment.NULL));
    }

    // ------------------------------------------------------------------------------- streams, events, graphs

    public MemorySegment createStream() {
        return outAddress("cuStreamCreate", p -> (int) streamCreate.invokeExact(p, STREAM_NON_BLOCKING));
    }

    public void destroyStream(MemorySegment s) {
        call("cuStreamDestroy", () -> (int) streamDestroy.invokeExact(s));
    }

    public void synchronize(MemorySegment stream) {
        call("cuStreamSynchronize", () -> (int) streamSynchronize.invokeExact(stream));
    }

    public MemorySegment createEvent() {
        return outAddress("cuEventCreate", p -> (int) eventCreate.invokeExact(p, EVENT_DEFAULT));
    }

    public void destroyEvent(MemorySegment e) {
        call("cuEventDestroy", () -> (int) eventDestroy.invokeExact(e));
    }

    public void record(MemorySegment event, MemorySegment stream) {
        call("cuEventRecord", () -> (int) eventRecord.invokeExact(event, stream));
    }

    /** Milliseconds between two recorded events (waits for the second). */
    public float elapsedMillis(MemorySegment start, MemorySegment end) {
        call("cuEventSynchronize", () -> (int) eventSynchronize.invokeExact(end));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ms = a.allocate(JAVA_FLOAT);
            call("cuEventElapsedTime", () -> (int) eventElapsed.invokeExact(ms, start, end));
            return ms.get(JAVA_FLOAT, 0);
        }
    }

    /** Starts recording the work queued on {@code stream} into a graph instead of running it. */
    public void beginCapture(MemorySegment stream) {
        call("cuStreamBeginCapture", () -> (int) beginCapture.invokeExact(stream, CAPTURE_MODE_THREAD_LOCAL));
    }

    /** Ends a capture and returns the captured graph (a template: {@link #instantiate} it, {@link #destroyGraphTemplate} it when done). */
    public MemorySegment endCapture(MemorySegment stream) {
        return outAddress("cuStreamEndCapture", p -> (int) endCapture.invokeExact(stream, p));
    }

    /** An executable graph of {@code graph}. */
    public MemorySegment instantiate(MemorySegment graph) {
        return outAddress("cuGraphInstantiate", p -> (int) graphInstantiate.invokeExact(p, graph, 0L));
    }

    public void destroyGraphTemplate(MemorySegment graph) {
        call("cuGraphDestroy", () -> (int) graphDestroy.invokeExact(graph));
    }

    /** Whether this driver can name captured nodes and change an instantiated kernel node's arguments (CUDA 12.0+). */
    public boolean canUpdateGraphs() {
        return captureInfo != null && execKernelNodeSetParams != null;
    }

    /**
     * The node that the last op queued on a capturing {@code stream} became: the stream's one current
     * dependency (the stream is used linearly). Throws where the capture has no single last node.
     */
    public MemorySegment lastCapturedNode(MemorySegment stream) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment status = a.allocate(JAVA_INT), deps = a.allocate(ADDRESS), count = a.allocate(JAVA_LONG);
            MemorySegment none = MemorySegment.NULL;
            if (captureInfoV3)
                call("cuStreamGetCaptureInfo", () ->
                        (int) captureInfo.invokeExact(stream, status, none, none, deps, none, count));
            else
                call("cuStreamGetCaptureInfo", () ->
                        (int) captureInfo.invokeExact(stream, status, none, none, deps, count));
            if (status.get(JAVA_INT, 0) != CAPTURE_STATUS_ACTIVE)
                throw new CudaException("cuStreamGetCaptureInfo: the stream is not capturing");
            long n = count.get(JAVA_LONG, 0);
            if (n != 1)
                throw new CudaException(
                        "cuStreamGetCaptureInfo: expected one last node on the capturing stream, found " + n);
            return deps.get(ADDRESS, 0).reinterpret(8).get(ADDRESS, 0);
        }
    }

    /**
     * Gives kernel node {@code node} of the executable graph {@code exec} new launch arguments (a
     * 1-D launch of {@code f}, as {@link #launch}); launches of {@code exec} already queued keep the
     * old ones. {@code scratch} holds the parameter struct (at least {@link #KERNEL_NODE_PARAMS_V2}'s size).
     */
    public void setKernelNodeParams(
            MemorySegment exec,
            MemorySegment node,
            MemorySegment f,
            int grid,
            int block,
            int sharedBytes,
            MemorySegment params,
            MemorySegment scratch) {
        // CUDA_KERNEL_NODE_PARAMS_v2 (KERNEL_NODE_PARAMS_V2): the v1 fields set, extra, kern and ctx zero
        scratch.fill((byte) 0);
        scratch.set(ADDRESS, NODE_FUNC, f);
        scratch.set(JAVA_INT, NODE_GRID_X, grid);
        scratch.set(JAVA_INT, NODE_GRID_Y, 1);
        scratch.set(JAVA_INT, NODE_GRID_Z, 1);
        scratch.set(JAVA_INT, NODE_BLOCK_X, block);
        scratch.set(JAVA_INT, NODE_BLOCK_Y, 1);
        scratch.set(JAVA_INT, NODE_BLOCK_Z, 1);
        scratch.set(JAVA_INT, NODE_SHARED_MEM, sharedBytes);
        scratch.set(ADDRESS, NODE_KERNEL_PARAMS, params);
        call("cuGraphExecKernelNodeSetParams", () -> (int) execKernelNodeSetParams.invokeExact(exec, node, scratch));
    }

    /** Ends a capture whose work is not wanted (e.g. the captured code threw) and drops the graph; never throws. */
    public void abortCapture(MemorySegment stream) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            int rc = (int) endCapture.invokeExact(stream, p);
            MemorySegment graph = p.get(ADDRESS, 0);
            if (rc == SUCCESS && graph.address() != 0) {
                int ignored = (int) graphDestroy.invokeExact(graph);
            }
        } catch (Throwable t) {
            // nothing more to undo
        }
    }

    public void launchGraph(MemorySegment exec, MemorySegment stream) {
        call("cuGraphLaunch", () -> (int) graphLaunch.invokeExact(exec, stream));
    }

    public void destroyGraph(MemorySegment exec) {
        call("cuGraphExecDestroy", () -> (int) graphExecDestroy.invokeExact(exec));
    }

    // ------------------------------------------------------------------------------- errors

    @FunctionalInterface
    interface Call {
        int run() throws Throwable;
    }

    @FunctionalInterface
    interface OutCall {
        int run(MemorySegment out) throws Throwable;
    }

    private void call(String what, Call c) {
        int rc;
        try {
            rc = c.run();
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
        if (rc != SUCCESS) throw new CudaException(what + " failed: " + describe(rc));
    }

    private int outInt(String what, OutCall c) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_INT);
            call(what, () -> c.run(p));
            return p.get(JAVA_INT, 0);
        }
    }

    private long outLong(String what, OutCall c) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            call(what, () -> c.run(p));
            return p.get(JAVA_LONG, 0);
        }
    }

    private MemorySegment outAddress(String what, OutCall c) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            call(what, () -> c.run(p));
            return p.get(ADDRESS, 0);
        }
    }

    /** "CUDA_ERROR_X: text" for a CUresult. */
    public String describe(int rc) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(ADDRESS), s = a.allocate(ADDRESS);
            int r1 = (int) errorName.invokeExact(rc, n), r2 = (int) errorString.invokeExact(rc, s);
            String name = r1 == SUCCESS ? n.get(ADDRESS, 0).reinterpret(128).getString(0) : "CUresult " + rc;
            String text = r2 == SUCCESS ? s.get(ADDRESS, 0).reinterpret(512).getString(0) : "";
            return text.isEmpty() ? name : name + ": " + text;
        } catch (Throwable t) {
            return "CUresult " + rc;
        }
    }
}
