package io.cortex4j.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** One shared library opened for the life of the process, and downcall handles to its functions. */
final class NativeLibrary {
    private static final Linker LINKER = Linker.nativeLinker();
    final Path path;
    private final SymbolLookup lookup;
    /** Every function bound by {@link #function}, in binding order (for BindingSignatureTest). */
    private final Map<String, FunctionDescriptor> bound = new LinkedHashMap<>();

    NativeLibrary(Path path) {
        this.path = path;
        try {
            this.lookup = SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new CudaException("cannot load " + path + ": " + e.getMessage());
        }
    }

    /** The handle of {@code name}, or a {@link CudaException} naming the library and symbol. */
    MethodHandle function(String name, FunctionDescriptor fd) {
        MemorySegment addr = lookup.find(name)
                .orElseThrow(() -> new CudaException(path + " has no function " + name + " (too old a version?)"));
        MethodHandle handle = LINKER.downcallHandle(addr, fd);
        synchronized (bound) {
            bound.put(name, fd);
        }
        return handle;
    }

    /** The symbols bound so far through {@link #function} and their descriptors, in binding order. */
    Map<String, FunctionDescriptor> boundFunctions() {
        synchronized (bound) {
            return new LinkedHashMap<>(bound);
        }
    }

    /** Whether the library exports {@code name}. */
    boolean has(String name) {
        return lookup.find(name).isPresent();
    }

    /** Rethrows what a downcall threw (they throw nothing checked but are declared with Throwable). */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new CudaException("native call failed: " + t);
    }
}
