package io.cortex4j.cuda;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the CUDA libraries the way users install them, without loading anything:
 * <ul>
 * <li>{@code -Dcortex4j.cuda.<lib>=/path/to/lib.so} (lib: cuda, nvrtc, cublas) names one file;</li>
 * <li>{@code CUDA_HOME} / {@code CUDA_PATH}: {@code lib64}, {@code lib}, {@code targets/x86_64-linux/lib};</li>
 * <li>every folder of {@code LD_LIBRARY_PATH};</li>
 * <li>the NVIDIA wheels of a Python environment ({@code nvidia/<package>/lib} in the site-packages of
 * {@code VIRTUAL_ENV}, {@code CONDA_PREFIX}, the user's {@code ~/.local} and the system Pythons,
 * PyTorch's own {@code torch/lib} included);</li>
 * <li>the toolkit and driver folders: {@code /usr/local/cuda/lib64}, {@code /usr/local/cuda-*}/lib64 (newest
 * first), {@code /usr/local/nvidia/lib64} (containers), {@code /usr/lib/x86_64-linux-gnu}, {@code /usr/lib64}.</li>
 * </ul>
 * The driver ({@code libcuda.so.1}) is never taken from a toolkit's {@code stubs} folder, which only
 * links and fails at run time. The first folder, in the order above, that holds a library decides;
 * within a folder the newest soname (CUDA 13, then 12, then the unversioned link) is taken.
 */
public final class CudaLibraries {
    /** A library to find: its config key, and its file names in order of preference. */
    public enum Lib {
        CUDA("cuda", "libcuda.so.1", "libcuda.so"),
        NVRTC("nvrtc", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"),
        CUBLAS("cublas", "libcublas.so.13", "libcublas.so.12", "libcublas.so");

        final String key;
        final List<String> names;

        Lib(String key, String... names) {
            this.key = key;
            this.names = List.of(names);
        }

        public String key() {
            return key;
        }

        public List<String> fileNames() {
            return names;
        }
    }

    /** Where one library was found, or the folders that were searched in vain. */
    public record Found(Lib lib, Optional<Path> path, List<Path> searched) {
        /** "libcuda.so.1 at /path", or "no libcuda.so.1" (the folders are said once, by {@link #folderList}). */
        public String describeShort() {
            return path.map(p -> lib.names.get(0) + " at " + p).orElse("no " + lib.names.get(0));
        }

        /** The folders searched, for a message. */
        public String folderList() {
            return searched.size() + " folders: "
                    + String.join(
                            ", ", searched.stream().map(Path::toString).limit(8).toList())
                    + (searched.size() > 8 ? ", …" : "");
        }

        public String describe() {
            return path.map(p -> lib.names.get(0) + " at " + p)
                    .orElse("no " + lib.names.get(0) + " (searched " + searched.size() + " folders: "
                            + String.join(
                                    ", ",
                                    searched.stream()
                                            .map(Path::toString)
                                            .limit(8)
                                            .toList()) + (searched.size() > 8 ? ", …" : "") + ")");
        }
    }

    private final Map<String, String> env;
    private final Map<String, String> props;
    private final Path home;
    private final List<Path> systemRoots;

    /** The search of this process: its environment, system properties, home folder and the usual system folders. */
    public static CudaLibraries system() {
        Map<String, String> props = new java.util.HashMap<>();
        for (Lib l : Lib.values()) {
            String v = System.getProperty("cortex4j.cuda." + l.key);
            if (v != null) props.put(l.key, v);
        }
        return new CudaLibraries(
                System.getenv(), props, Path.of(System.getProperty("user.home", "/root")), Path.of("/"));
    }

    /**
     * @param env   environment variables
     * @param props explicit library files by key (cuda, nvrtc, cublas)
     * @param home  the user's home folder
     * @param root  the file-system root under which the system folders are looked up ("/" normally; a temporary folder in tests)
     */
    public CudaLibraries(Map<String, String> env, Map<String, String> props, Path home, Path root) {
        this.env = env;
        this.props = props;
        this.home = home;
        List<Path> roots = new ArrayList<>();
        roots.add(root.resolve("usr/local/cuda/lib64"));
        roots.addAll(versionedToolkits(root.resolve("usr/local")));
        roots.add(root.resolve("usr/local/nvidia/lib64"));
        roots.add(root.resolve("usr/lib/x86_64-linux-gnu"));
        roots.add(root.resolve("usr/lib64"));
        roots.add(root.resolve("usr/lib/wsl/lib"));
        for (Path py : List.of(root.resolve("usr/lib"), root.resolve("usr/local/lib"))) roots.addAll(pythonLibs(py));
        this.systemRoots = roots;
    }

    /** The folders searched, in order (explicit files come before all of them). */
    public List<Path> folders() {
        Set<Path> out = new LinkedHashSet<>();
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String v = env.get(var);
            if (v == null || v.isBlank()) continue;
            Path h = Path.of(v);
            out.add(h.resolve("lib64"));
            out.add(h.resolve("lib"));
            out.add(h.resolve("targets/x86_64-linux/lib"));
        }
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) for (String d : ld.split(":")) if (!d.isBlank()) out.add(Path.of(d));
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) out.addAll(pythonLibs(Path.of(v).resolve("lib")));
        }
        out.addAll(pythonLibs(home.resolve(".local/lib")));
        out.addAll(systemRoots);
        return new ArrayList<>(out);
    }

    public Found find(Lib lib) {
        String explicit = props.get(lib.key);
        if (explicit != null) {
            Path p = Path.of(explicit);
            return new Found(lib, Files.isRegularFile(p) ? Optional.of(p) : Optional.empty(), List.of(p));
        }
        List<Path> folders = folders();
        for (Path d :
                folders) { // the first folder that has the library decides (the user's CUDA_HOME over a newer toolkit
            // elsewhere)
            if (lib == Lib.CUDA
                    && d.getFileName() != null
                    && d.getFileName().toString().equals("stubs")) continue;
            for (String name : lib.names) {
                Path p = d.resolve(name);
                if (Files.isRegularFile(p)) return new Found(lib, Optional.of(p), folders);
            }
        }
        return new Found(lib, Optional.empty(), folders);
    }

    /** {@code prefix/cuda-*}/lib64, highest version first. */
    private static List<Path> versionedToolkits(Path prefix) {
        try (Stream<Path> s = Files.list(prefix)) {
            return s.filter(p -> p.getFileName().toString().matches("cuda-\\d+(\\.\\d+)*"))
                    .sorted(Comparator.comparing(CudaLibraries::version).reversed())
                    .map(p -> p.resolve("lib64"))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String version(Path p) {
        StringBuilder b = new StringBuilder();
        for (String part : p.getFileName().toString().substring(5).split("\\."))
            b.append(String.format("%05d", Integer.parseInt(part)));
        return b.toString();
    }

    /**
     * In every {@code libDir/python3*}/{site,dist}-packages: the {@code lib} folders of the NVIDIA wheels
     * ({@code nvidia/<package>/lib}) and PyTorch's {@code torch/lib}.
     */
    private static List<Path> pythonLibs(Path libDir) {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> pys = Files.list(libDir)) {
            for (Path py : pys.filter(p -> p.getFileName().toString().startsWith("python3"))
                    .sorted()
                    .toList()) {
                for (String sp : List.of("site-packages", "dist-packages")) {
                    Path pkgs = py.resolve(sp);
                    Path nv = pkgs.resolve("nvidia");
                    if (Files.isDirectory(nv)) {
                        try (Stream<Path> s = Files.list(nv)) {
                            s.map(p -> p.resolve("lib"))
                                    .filter(Files::isDirectory)
                                    .sorted()
                                    .forEach(out::add);
                        }
                    }
                    Path torch = pkgs.resolve("torch/lib");
                    if (Files.isDirectory(torch)) out.add(torch);
                }
            }
        } catch (IOException e) {
            // no such folder: nothing to add
        }
        return out;
    }
}
