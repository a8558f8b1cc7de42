package io.cortex4j.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The CUDA C kernel sources shipped with this module (classpath resources {@code cuda/*.cu},
 * copied from {@code src/main/cuda} at build time). The CUDA backend compiles them at run time
 * with NVRTC; the sources have no {@code #include}s, so they compile without a CUDA toolkit.
 */
public final class KernelSources {

    /** Classpath folder holding the {@code .cu} files. */
    public static final String RESOURCE_DIR = "cuda";

    /** The source with the microcircuit kernels. */
    public static final String MICROCIRCUIT = "microcircuit.cu";

    /** The elementwise, fused-step, gather/scatter and block-transpose kernels of the Backend SPI (see cuda/OPS.md). */
    public static final String SPI_ELEMENTWISE = "spi_elementwise.cu";

    /** The deterministic reduction kernels of the Backend SPI (column sums, softmax, sum, dot, maxAbs, flags). */
    public static final String SPI_REDUCE = "spi_reduce.cu";

    /** The im2col, col2im and max-pooling kernels of the Backend SPI. */
    public static final String SPI_CONV = "spi_conv.cu";

    /** The counter-based random-number kernels (Philox4x32-10, bit-identical to io.cortex4j.random.CounterRandom). */
    public static final String SPI_RANDOM = "spi_random.cu";

    private static final Pattern KERNEL =
            Pattern.compile("extern\\s+\"C\"\\s+__global__\\s+void\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*\\(");

    private KernelSources() {}

    /** File names (e.g. {@code microcircuit.cu}) of all kernel sources on the classpath, sorted. */
    public static List<String> list() {
        URL dir = KernelSources.class.getClassLoader().getResource(RESOURCE_DIR);
        if (dir == null) {
            // a jar without directory entries: find the folder through a file we know is there
            URL known = KernelSources.class.getClassLoader().getResource(RESOURCE_DIR + "/" + MICROCIRCUIT);
            if (known == null) return List.of();
            String s = known.toString();
            try {
                dir = URI.create(s.substring(0, s.length() - MICROCIRCUIT.length() - 1))
                        .toURL();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            URI uri = dir.toURI();
            if ("jar".equals(uri.getScheme())) {
                FileSystem fs;
                boolean close = false;
                try {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                    close = true;
                } catch (FileSystemAlreadyExistsException e) {
                    fs = FileSystems.getFileSystem(uri);
                }
                try {
                    String inner = uri.getSchemeSpecificPart();
                    return listDir(fs.getPath(inner.substring(inner.indexOf("!/") + 1)));
                } finally {
                    if (close) fs.close();
                }
            }
            return listDir(Path.of(uri));
        } catch (URISyntaxException e) {
            throw new IllegalStateException("bad resource URL " + dir, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> listDir(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString().replace("/", ""))
                    .filter(n -> n.endsWith(".cu"))
                    .sorted()
                    .toList();
        }
    }

    /** The text of kernel source {@code name} (a file name from {@link #list()}). */
    public static String load(String name) {
        if (name.contains("/") || name.contains("\\")) throw new IllegalArgumentException("not a file name: " + name);
        try (InputStream in = KernelSources.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + "/" + name)) {
            if (in == null)
                throw new IllegalArgumentException(
                        "no kernel source " + RESOURCE_DIR + "/" + name + " on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of the {@code extern "C" __global__} kernels defined in {@code source}, in order. */
    public static List<String> kernelNames(String source) {
        List<String> names = new ArrayList<>();
        Matcher m = KERNEL.matcher(source);
        while (m.find()) names.add(m.group(1));
        return List.copyOf(names);
    }
}
