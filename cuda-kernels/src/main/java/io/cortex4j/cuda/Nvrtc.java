package io.cortex4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * NVRTC through the foreign-function API: CUDA C source to PTX or CUBIN for a given architecture.
 * NVRTC needs no GPU, so this runs wherever libnvrtc is installed.
 */
public final class Nvrtc {
    /** nvrtcResult: NVRTC_SUCCESS. */
    static final int SUCCESS = 0;

    private final NativeLibrary lib;
    private final MethodHandle version,
            create,
            compile,
            ptxSize,
            ptx,
            cubinSize,
            cubin,
            logSize,
            log,
            destroy,
            errorString;

    public Nvrtc(Path library) {
        lib = new NativeLibrary(library);
        version = lib.function("nvrtcVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        create = lib.function(
                "nvrtcCreateProgram",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        compile = lib.function("nvrtcCompileProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        ptxSize = lib.function("nvrtcGetPTXSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        ptx = lib.function("nvrtcGetPTX", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cubinSize = lib.function("nvrtcGetCUBINSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cubin = lib.function("nvrtcGetCUBIN", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        logSize = lib.function("nvrtcGetProgramLogSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        log = lib.function("nvrtcGetProgramLog", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        destroy = lib.function("nvrtcDestroyProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        errorString = lib.function("nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    public Path path() {
        return lib.path;
    }

    /** The library and what this binding bound in it (for BindingSignatureTest). */
    NativeLibrary library() {
        return lib;
    }

    /** "major.minor" of this NVRTC. */
    public String version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment maj = a.allocate(JAVA_INT), min = a.allocate(JAVA_INT);
            check((int) version.invokeExact(maj, min), "nvrtcVersion");
            return maj.get(JAVA_INT, 0) + "." + min.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /** The compiled program: PTX text when {@code arch} is {@code compute_XX}, CUBIN bytes when {@code sm_XX}; and NVRTC's log. */
    public record Output(byte[] image, boolean cubin, String log) {
        public String ptx() {
            return new String(
                    image,
                    0,
                    image.length > 0 && image[image.length - 1] == 0 ? image.length - 1 : image.length,
                    StandardCharsets.UTF_8);
        }
    }

    /**
     * Compiles {@code source} (named {@code name} in messages) for {@code arch} ({@code compute_90} gives PTX,
     * {@code sm_90} a CUBIN) with extra options such as {@code -use_fast_math}; a compile error throws with the log.
     */
    public Output compile(String name, String source, String arch, List<String> options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment progPtr = a.allocate(ADDRESS);
            check(
                    (int) create.invokeExact(
                            progPtr,
                            a.allocateFrom(source),
                            a.allocateFrom(name),
                            0,
                            MemorySegment.NULL,
                            MemorySegment.NULL),
                    "nvrtcCreateProgram");
            MemorySegment prog = progPtr.get(ADDRESS, 0);
            try {
                List<String> opts = new java.util.ArrayList<>();
                opts.add("--gpu-architecture=" + arch);
                opts.addAll(options);
                MemorySegment argv = a.allocate(ADDRESS, opts.size());
                for (int i = 0; i < opts.size(); i++) argv.setAtIndex(ADDRESS, i, a.allocateFrom(opts.get(i)));
                int rc = (int) compile.invokeExact(prog, opts.size(), argv);
                String text = log(a, prog);
                if (rc != SUCCESS)
                    throw new CudaException(
                            "NVRTC could not compile " + name + " for " + arch + " (" + error(rc) + "):\n" + text);
                boolean isCubin = arch.startsWith("sm_");
                MemorySegment size = a.allocate(JAVA_LONG);
                check(
                        (int) (isCubin ? cubinSize : ptxSize).invokeExact(prog, size),
                        "nvrtcGet" + (isCubin ? "CUBIN" : "PTX") + "Size");
                MemorySegment buf = a.allocate(size.get(JAVA_LONG, 0));
                check((int) (isCubin ? cubin : ptx).invokeExact(prog, buf), "nvrtcGet" + (isCubin ? "CUBIN" : "PTX"));
                return new Output(buf.toArray(JAVA_BYTE), isCubin, text);
            } finally {
                MemorySegment pp = a.allocate(ADDRESS);
                pp.set(ADDRESS, 0, prog);
                int ignored = (int) destroy.invokeExact(pp);
            }
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    private String log(Arena a, MemorySegment prog) throws Throwable {
        MemorySegment size = a.allocate(JAVA_LONG);
        check((int) logSize.invokeExact(prog, size), "nvrtcGetProgramLogSize");
        long n = size.get(JAVA_LONG, 0);
        if (n <= 1) return "";
        MemorySegment buf = a.allocate(n);
        check((int) log.invokeExact(prog, buf), "nvrtcGetProgramLog");
        return buf.getString(0).strip();
    }

    private String error(int rc) {
        try {
            MemorySegment s = (MemorySegment) errorString.invokeExact(rc);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "NVRTC error " + rc;
        }
    }

    private void check(int rc, String call) {
        if (rc != SUCCESS) throw new CudaException(call + " failed: " + error(rc));
    }
}
