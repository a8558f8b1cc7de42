package io.cortex4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * The host CUDA emulator of the HostCuda* tests: the kernel sources ({@link KernelSources}, the very
 * text NVRTC compiles) compiled for the CPU by g++ with {@code src/test/resources/hostcuda/shim.h},
 * linked with stand-ins of the CUDA driver, cuBLAS and NVRTC (driver.cpp, cublas.cpp, nvrtc.cpp there)
 * into one shared library under {@code target/host-cuda}, which the unchanged {@link CudaBackend},
 * {@link CudaDriver}, {@link Cublas} and {@link Nvrtc} load as their libraries. Built once per JVM
 * (objects are kept by content hash, so a later run recompiles only what changed). Unavailable, with
 * the reason, where no g++, nvcc or cuda.h is found; tests then skip.
 *
 * <p>Each kernel source {@code X.cu} is compiled as {@code g++ -include shim.h k_X.cpp}, where the
 * generated {@code k_X.cpp} is {@code #include "X.cu"} followed by one registration line per
 * {@code extern "C" __global__} kernel ({@link KernelSources#kernelNames}); the registration deduces
 * the kernel's parameter types from its function type, so no kernel has hand-written glue.
 */
final class HostCuda {
    private static final Pattern NVCC_RELEASE = Pattern.compile("release (\\d+)\\.(\\d+)");
    private static final List<String> NATIVE = List.of("hostcuda.h", "shim.h", "driver.cpp", "cublas.cpp", "nvrtc.cpp");
    private static final List<String> KERNEL_FLAGS = List.of(
            "-std=c++17",
            "-O2",
            "-fPIC",
            "-fvisibility=hidden",
            "-ffp-contract=off",
            "-fno-fast-math",
            "-Wall",
            "-Wno-unknown-pragmas",
            "-Werror=return-type");

    /** The suites (class simple names) that have finished in this JVM, for {@link HostCudaCoverageTest}. */
    static final Set<String> SUITES_DONE = ConcurrentHashMap.newKeySet();

    private static HostCuda instance;
    private static String reason;

    final Path library, buildDir, ptxCache, nvcc;
    final Map<String, Boolean> barrierKernels;
    private final MethodHandle launchCount, kernelNames;

    private HostCuda(Path library, Path buildDir, Path nvcc, Map<String, Boolean> barrierKernels) {
        this.library = library;
        this.buildDir = buildDir;
        this.ptxCache = buildDir.resolve("ptx-cache");
        this.nvcc = nvcc;
        this.barrierKernels = barrierKernels;
        SymbolLookup lookup = SymbolLookup.libraryLookup(library, Arena.global());
        Linker linker = Linker.nativeLinker();
        launchCount = linker.downcallHandle(
                lookup.find("hostcuda_launch_count").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        kernelNames = linker.downcallHandle(
                lookup.find("hostcuda_kernel_names").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG));
    }

    /** The emulator, built on first use; empty (see {@link #unavailableReason}) where it cannot be built. */
    static synchronized Optional<HostCuda> get() {
        if (instance == null && reason == null) {
            try {
                instance = build();
            } catch (Unavailable e) {
                reason = e.getMessage();
            }
        }
        return Optional.ofNullable(instance);
    }

    static synchronized String unavailableReason() {
        get();
        return reason;
    }

    /** The emulator, or a JUnit assumption failure (the test is skipped) saying why there is none. */
    static HostCuda require() {
        Optional<HostCuda> h = get();
        Assumptions.assumeTrue(h.isPresent(), () -> "host CUDA emulator unavailable: " + unavailableReason());
        return h.get();
    }

    /** Options of a {@link CudaBackend} on the emulator: the three libraries are explicit files (no system search). */
    CudaBackend.Options options() {
        String lib = library.toString();
        CudaLibraries libs = new CudaLibraries(
                Map.of(), Map.of("cuda", lib, "nvrtc", lib, "cublas", lib), buildDir, buildDir.resolve("no-root"));
        return new CudaBackend.Options(0, false, ptxCache, libs);
    }

    /** How often kernel {@code name} has run in this JVM (launches and graph replays); -1 if it was not host-compiled. */
    long launches(String name) {
        try (Arena a = Arena.ofConfined()) {
            return (long) launchCount.invokeExact(a.allocateFrom(name));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The kernels compiled into the emulator. */
    List<String> compiledKernels() {
        try (Arena a = Arena.ofConfined()) {
            long n = (long) kernelNames.invokeExact(MemorySegment.NULL, 0L);
            MemorySegment buf = a.allocate(n);
            long ignored = (long) kernelNames.invokeExact(buf, n);
            String s = buf.getString(0);
            return s.isEmpty() ? List.of() : List.of(s.split(","));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    // ------------------------------------------------------------------------------------ building

    private static final class Unavailable extends Exception {
        Unavailable(String why) {
            super(why);
        }
    }

    static Optional<Path> onPath(String... names) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String name : names)
            for (String d : path.split(File.pathSeparator)) {
                if (d.isEmpty()) continue;
                Path p = Path.of(d, name);
                if (Files.isExecutable(p)) return Optional.of(p);
            }
        return Optional.empty();
    }

    private static Optional<Path> cudaInclude(Path nvcc) {
        List<Path> candidates = new ArrayList<>();
        for (String v : List.of("CUDA_HOME", "CUDA_PATH")) {
            String h = System.getenv(v);
            if (h != null && !h.isBlank()) candidates.add(Path.of(h, "include"));
        }
        try {
            Path real = nvcc.toRealPath();
            if (real.getParent() != null && real.getParent().getParent() != null)
                candidates.add(real.getParent().getParent().resolve("include"));
        } catch (IOException e) {
            // not a usable path: the other candidates decide
        }
        candidates.add(Path.of("/usr/local/cuda/include"));
        return candidates.stream()
                .filter(d -> Files.isRegularFile(d.resolve("cuda.h")))
                .findFirst();
    }

    private static HostCuda build() throws Unavailable {
        Path gxx = onPath("g++", "c++").orElseThrow(() -> new Unavailable("no C++ compiler (g++ or c++) on PATH"));
        Path nvcc = KernelSourcesCompileTest.findNvcc()
                .orElseThrow(
                        () -> new Unavailable("no nvcc on PATH or in /usr/local/cuda/bin (it stands in for NVRTC)"));
        Path include = cudaInclude(nvcc)
                .orElseThrow(
                        () -> new Unavailable("no cuda.h (CUDA_HOME/include, beside nvcc, /usr/local/cuda/include)"));
        if (KernelSources.list().isEmpty()) throw new Unavailable("no kernel sources on the class path");
        try {
            Matcher version = NVCC_RELEASE.matcher(run(List.of(nvcc.toString(), "--version"), null));
            if (!version.find()) throw new Unavailable(nvcc + " --version names no release");
            String base = System.getProperty("basedir");
            Path dir = (base != null ? Path.of(base) : Path.of(""))
                    .toAbsolutePath()
                    .resolve("target/host-cuda");
            Path src = dir.resolve("src"), obj = dir.resolve("obj"), tmp = dir.resolve("tmp");
            Files.createDirectories(src);
            Files.createDirectories(obj);
            Files.createDirectories(tmp);
            for (String f : NATIVE) {
                try (InputStream in = HostCuda.class.getResourceAsStream("/hostcuda/" + f)) {
                    if (in == null) throw new Unavailable("test resource hostcuda/" + f + " missing");
                    writeIfChanged(src.resolve(f), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            String common = Files.readString(src.resolve("hostcuda.h")) + Files.readString(src.resolve("shim.h"));
            Map<String, Boolean> barriers = new LinkedHashMap<>();
            List<List<String>> compiles = new ArrayList<>();
            List<Path> objects = new ArrayList<>();
            for (String name : KernelSources.list()) {
                String text = KernelSources.load(name);
                writeIfChanged(src.resolve(name), text);
                Set<String> usesBarrier = barrierFunctions(text);
                StringBuilder w = new StringBuilder("// generated by io.cortex4j.cuda.HostCuda: ")
                        .append(name)
                        .append(" unchanged, then one registration per kernel\n#include \"")
                        .append(name)
                        .append("\"\n\nnamespace {\n[[maybe_unused]] const int hostcuda_registered[] = {\n");
                for (String k : KernelSources.kernelNames(text)) {
                    boolean b = usesBarrier.contains(k);
                    barriers.put(k, b);
                    w.append("    hostcuda_detail::add(\"")
                            .append(k)
                            .append("\", \"")
                            .append(name)
                            .append("\", &")
                            .append(k)
                            .append(", ")
                            .append(b ? 1 : 0)
                            .append("),\n");
                }
                w.append("};\n}\n");
                String stem = "k_" + name.replace(".cu", "");
                writeIfChanged(src.resolve(stem + ".cpp"), w.toString());
                List<String> flags = new ArrayList<>(KERNEL_FLAGS);
                flags.addAll(List.of("-include", src.resolve("shim.h").toString()));
                Path o = obj.resolve(stem + "-" + hash(gxx + String.join(" ", flags) + common + w + text) + ".o");
                objects.add(o);
                if (!Files.exists(o)) compiles.add(compileCommand(gxx, flags, src.resolve(stem + ".cpp"), o, src));
            }
            for (String f : List.of("driver.cpp", "cublas.cpp", "nvrtc.cpp")) {
                List<String> flags =
                        new ArrayList<>(List.of("-std=c++17", "-O2", "-fPIC", "-fvisibility=hidden", "-Wall"));
                flags.add("-I" + include);
                if (f.equals("nvrtc.cpp")) {
                    flags.add("-DHOSTCUDA_NVCC=\"" + nvcc + "\"");
                    flags.add("-DHOSTCUDA_TMP=\"" + tmp + "\"");
                    flags.add("-DHOSTCUDA_NVCC_MAJOR=" + version.group(1));
                    flags.add("-DHOSTCUDA_NVCC_MINOR=" + version.group(2));
                }
                Path o = obj.resolve(f.replace(".cpp", "") + "-"
                        + hash(gxx + String.join(" ", flags) + common + Files.readString(src.resolve(f))) + ".o");
                objects.add(o);
                if (!Files.exists(o)) compiles.add(compileCommand(gxx, flags, src.resolve(f), o, src));
            }
            runAll(compiles);
            StringBuilder all = new StringBuilder();
            for (Path o : objects) all.append(o.getFileName());
            Path lib = dir.resolve("lib/libhostcuda-" + hash(all.toString()) + ".so");
            if (!Files.exists(lib)) {
                Files.createDirectories(lib.getParent());
                Path part = lib.resolveSibling(lib.getFileName() + ".part");
                List<String> link = new ArrayList<>(List.of(gxx.toString(), "-shared", "-o", part.toString()));
                for (Path o : objects) link.add(o.toString());
                link.add("-lm");
                run(link, null);
                Files.move(part, lib, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return new HostCuda(lib, dir, nvcc, Map.copyOf(barriers));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> compileCommand(Path gxx, List<String> flags, Path source, Path object, Path src) {
        List<String> cmd = new ArrayList<>(List.of(gxx.toString()));
        cmd.addAll(flags);
        cmd.addAll(List.of("-I" + src, "-c", source.toString(), "-o", object + ".part"));
        return cmd;
    }

    /** Runs the compiles two at a time (this machine's cores); each writes OBJECT.part, renamed when done. */
    private static void runAll(List<List<String>> commands) throws IOException, InterruptedException {
        List<Process> running = new ArrayList<>();
        List<List<String>> started = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i <= commands.size(); i++) {
            while (!running.isEmpty() && (running.size() >= 2 || i == commands.size())) {
                Process p = running.remove(0);
                List<String> cmd = started.remove(0);
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    failures.add(String.join(" ", cmd) + "\n" + out);
                    continue;
                }
                String part = cmd.get(cmd.size() - 1);
                Files.move(Path.of(part), Path.of(part.substring(0, part.length() - 5)));
            }
            if (i == commands.size()) break;
            running.add(new ProcessBuilder(commands.get(i))
                    .redirectErrorStream(true)
                    .start());
            started.add(commands.get(i));
        }
        if (!failures.isEmpty())
            throw new IllegalStateException("host compile of the kernels failed:\n" + String.join("\n", failures));
    }

    private static String run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) pb.directory(dir.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0)
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }

    private static void writeIfChanged(Path f, String text) throws IOException {
        if (Files.exists(f) && Files.readString(f).equals(text)) return;
        Files.writeString(f, text);
    }

    private static String hash(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------ barrier analysis

    private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * The functions and macros of {@code source} that reach {@code __syncthreads}: directly, or by
     * calling (naming) one that does, transitively. Kernels in this set run their blocks' threads as
     * fibers; the others as plain calls (the emulator fails a launch whose barrier-free kernel reaches
     * a barrier after all, so a miss here cannot pass silently).
     */
    static Set<String> barrierFunctions(String source) {
        String s = source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", "");
        Map<String, String> bodies = new LinkedHashMap<>();
        // macros: #define NAME ... (with continuation lines)
        StringBuilder code = new StringBuilder();
        String[] lines = s.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.strip().startsWith("#")) {
                StringBuilder m = new StringBuilder(line);
                while (line.endsWith("\\") && i + 1 < lines.length) {
                    line = lines[++i];
                    m.append('\n').append(line);
                }
                Matcher d = Pattern.compile("#\\s*define\\s+(" + IDENT.pattern() + ")")
                        .matcher(m);
                if (d.find()) bodies.put(d.group(1), m.substring(d.end()));
                code.append('\n');
            } else code.append(line).append('\n');
        }
        String c = code.toString();
        int depth = 0, headerStart = 0, bodyStart = 0;
        String header = "";
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (ch == '{') {
                if (depth == 0) {
                    header = c.substring(headerStart, i);
                    bodyStart = i;
                }
                depth++;
            } else if (ch == '}') {
                depth--;
                if (depth == 0) {
                    int paren = header.indexOf('(');
                    if (paren > 0) {
                        Matcher m = Pattern.compile("(" + IDENT.pattern() + ")\\s*$")
                                .matcher(header.substring(0, paren));
                        if (m.find()) bodies.put(m.group(1), c.substring(bodyStart, i + 1));
                    }
                    headerStart = i + 1;
                }
            } else if (ch == ';' && depth == 0) headerStart = i + 1;
        }
        Set<String> out = new LinkedHashSet<>();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Map.Entry<String, String> e : bodies.entrySet()) {
                if (out.contains(e.getKey())) continue;
                Matcher m = IDENT.matcher(e.getValue());
                while (m.find()) {
                    String id = m.group();
                    if (id.equals("__syncthreads") || (!id.equals(e.getKey()) && out.contains(id))) {
                        out.add(e.getKey());
                        grew = true;
                        break;
                    }
                }
            }
        }
        return out;
    }
}
