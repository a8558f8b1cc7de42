package io.cortex4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compiles every CUDA source (recursively) under {@code src/main/cuda} to PTX with {@code nvcc} (skipped where
 * no nvcc is installed) and checks that each expected kernel is there as an unmangled entry.
 */
class KernelSourcesCompileTest {

    /** The kernels microcircuit.cu must define (names the CUDA backend will look up). */
    static final List<String> MICROCIRCUIT_KERNELS =
            List.of("sigmoid", "axpby", "ou_noise_update", "highpass_update", "lowpass_apply", "philox_normals");

    /** The kernels spi_elementwise.cu must define (see src/main/cuda/OPS.md for the SPI op each implements). */
    static final List<String> SPI_ELEMENTWISE_KERNELS = List.of(
            "fill",
            "fill_f64",
            "cast_f32_from_f64",
            "cast_f64_from_f32",
            "lincomb",
            "lincomb_f64",
            "mul",
            "mul_f64",
            "div_elem",
            "div_elem_f64",
            "activation",
            "activation_f64",
            "lincomb_activation",
            "lincomb_activation_f64",
            "lincomb_chain",
            "lincomb_chain_f64",
            "prediction_error",
            "prediction_error_f64",
            "high_pass",
            "high_pass_f64",
            "burst",
            "burst_f64",
            "lif_step",
            "lif_step_f64",
            "low_pass_outer_apply",
            "low_pass_outer_apply_f64",
            "add_row_vector",
            "add_row_vector_f64",
            "sign_concordant",
            "sign_concordant_f64",
            "gather_rows",
            "gather_rows_f64",
            "scatter_rows",
            "scatter_rows_f64",
            "gle_neuron_step",
            "gle_neuron_step_f64",
            "adam_step",
            "adam_step_f64",
            "clamp",
            "clamp_f64",
            "block_transpose",
            "block_transpose_f64");

    /** The kernels spi_reduce.cu must define. */
    static final List<String> SPI_REDUCE_KERNELS = List.of(
            "column_sums",
            "column_sums_f64",
            "column_sums_partial",
            "column_sums_partial_f64",
            "column_sums_finish",
            "column_sums_finish_f64",
            "softmax_rows",
            "softmax_rows_f64",
            "softmax_rows_block",
            "softmax_rows_block_f64",
            "sum_partials",
            "sum_partials_f64",
            "dot_partials",
            "dot_partials_f64",
            "sum_finish",
            "max_abs_partials",
            "max_abs_partials_f64",
            "max_abs_finish",
            "has_non_finite",
            "has_non_finite_f64",
            "same_content",
            "same_content_f64");

    /** The kernels spi_conv.cu must define. */
    static final List<String> SPI_CONV_KERNELS =
            List.of("im2col", "im2col_f64", "col2im", "col2im_f64", "max_pool", "max_pool_f64");

    /** The kernels spi_random.cu must define. */
    static final List<String> SPI_RANDOM_KERNELS = List.of(
            "random_bits",
            "random_uniforms",
            "random_uniforms_f64",
            "random_normals",
            "random_normals_f64",
            "ou_step",
            "bernoulli",
            "bernoulli_f64",
            "ou_step_f64",
            "random_permutation");

    /** Expected kernels by source file name (a file not listed here must still define at least one kernel). */
    static final Map<String, List<String>> EXPECTED_KERNELS = Map.of(
            KernelSources.MICROCIRCUIT, MICROCIRCUIT_KERNELS,
            KernelSources.SPI_ELEMENTWISE, SPI_ELEMENTWISE_KERNELS,
            KernelSources.SPI_REDUCE, SPI_REDUCE_KERNELS,
            KernelSources.SPI_CONV, SPI_CONV_KERNELS,
            KernelSources.SPI_RANDOM, SPI_RANDOM_KERNELS);

    static Path cudaDir() {
        String base = System.getProperty("basedir");
        Path dir = (base != null ? Path.of(base) : Path.of("")).resolve("src/main/cuda");
        assertTrue(Files.isDirectory(dir), "no CUDA source folder at " + dir.toAbsolutePath());
        return dir;
    }

    static List<Path> cudaSources() throws IOException {
        try (Stream<Path> s = Files.walk(cudaDir())) {
            return s.filter(p ->
                            Files.isRegularFile(p) && p.getFileName().toString().endsWith(".cu"))
                    .sorted()
                    .toList();
        }
    }

    static Optional<Path> findNvcc() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (d.isEmpty()) continue;
                Path p = Path.of(d, "nvcc");
                if (Files.isExecutable(p)) return Optional.of(p);
            }
        }
        Path p = Path.of("/usr/local/cuda/bin/nvcc");
        return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }

    static Path nvccOrSkip() {
        Optional<Path> nvcc = findNvcc();
        Assumptions.assumeTrue(nvcc.isPresent(), "nvcc not found on PATH or in /usr/local/cuda/bin");
        return nvcc.get();
    }

    record Result(int exitCode, String output, String ptx) {}

    /** nvcc --ptx -arch=ARCH -o OUT/x.ptx SOURCE; output is nvcc's stdout+stderr. */
    static Result compile(Path nvcc, Path source, String arch, Path outDir) throws Exception {
        Path ptx = outDir.resolve("x.ptx");
        Files.deleteIfExists(ptx);
        Path log = outDir.resolve("nvcc.log");
        Process p = new ProcessBuilder(
                        nvcc.toString(), "--ptx", "-arch=" + arch, "-o", ptx.toString(), source.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("nvcc timed out on " + source + " (" + arch + ")");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        String text = Files.exists(ptx) ? Files.readString(ptx, StandardCharsets.UTF_8) : "";
        return new Result(p.exitValue(), out, text);
    }

    static boolean hasEntry(String ptx, String kernel) {
        return Pattern.compile("\\.entry\\s+" + Pattern.quote(kernel) + "\\s*\\(")
                .matcher(ptx)
                .find();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"compute_90", "compute_80"})
    void everySourceCompilesToPtxWithItsKernels(String arch, @TempDir Path tmp) throws Exception {
        Path nvcc = nvccOrSkip();
        List<Path> sources = cudaSources();
        assertFalse(sources.isEmpty(), "no .cu files in " + cudaDir());
        List<String> problems = new ArrayList<>();
        for (Path src : sources) {
            Result r = compile(nvcc, src, arch, tmp);
            if (r.exitCode() != 0) {
                problems.add(src.getFileName() + " (" + arch + "): nvcc exit " + r.exitCode() + "\n" + r.output());
                continue;
            }
            List<String> expected = new ArrayList<>(KernelSources.kernelNames(Files.readString(src)));
            for (String k : EXPECTED_KERNELS.getOrDefault(src.getFileName().toString(), List.of())) {
                if (!expected.contains(k)) expected.add(k);
            }
            assertFalse(expected.isEmpty(), src + " defines no extern \"C\" __global__ kernel");
            for (String k : expected) {
                if (!hasEntry(r.ptx(), k))
                    problems.add(src.getFileName() + " (" + arch + "): no .entry " + k + " in PTX");
            }
        }
        if (!problems.isEmpty()) fail(String.join("\n", problems));
    }

    @Test
    void brokenKernelFailsToCompile(@TempDir Path tmp) throws Exception {
        Path nvcc = nvccOrSkip();
        Path bad = tmp.resolve("broken.cu");
        Files.writeString(bad, """
                extern "C" __global__ void broken(float* out, int n)
                {
                    int i = blockIdx.x * blockDim.x + threadIdx.x;
                    if (i < n) out[i] = undeclared_value * 2.0f
                }
                """);
        Result r = compile(nvcc, bad, "compute_90", tmp);
        assertNotEquals(0, r.exitCode(), "nvcc accepted a broken kernel:\n" + r.output());
        assertTrue(r.output().contains("error"), "nvcc reported no error:\n" + r.output());
    }

    @Test
    void kernelWithoutExternCIsNotFoundByName(@TempDir Path tmp) throws Exception {
        Path nvcc = nvccOrSkip();
        Path src = tmp.resolve("mangled.cu");
        Files.writeString(src, """
                __global__ void scale(float* out, int n)
                {
                    int i = blockIdx.x * blockDim.x + threadIdx.x;
                    if (i < n) out[i] *= 2.0f;
                }
                """);
        Result r = compile(nvcc, src, "compute_90", tmp);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.ptx().contains(".entry"), "no entry at all in\n" + r.ptx());
        assertFalse(hasEntry(r.ptx(), "scale"), "a C++-mangled kernel must not match the plain name");
    }

    @Test
    void sourcesAreOnTheClasspathAsResources() throws IOException {
        // the jar carries the top level of src/main/cuda as cuda/*.cu
        List<String> onDisk = cudaSources().stream()
                .filter(p -> p.getParent().equals(cudaDir()))
                .map(p -> p.getFileName().toString())
                .toList();
        assertEquals(onDisk, KernelSources.list());
        for (String name : onDisk) {
            assertEquals(Files.readString(cudaDir().resolve(name)), KernelSources.load(name), name);
        }
        assertEquals(MICROCIRCUIT_KERNELS, KernelSources.kernelNames(KernelSources.load(KernelSources.MICROCIRCUIT)));
    }

    @Test
    void spiSourcesDefineExactlyTheExpectedKernels() {
        for (Map.Entry<String, List<String>> e : EXPECTED_KERNELS.entrySet()) {
            List<String> found = KernelSources.kernelNames(KernelSources.load(e.getKey()));
            assertEquals(
                    e.getValue(),
                    found,
                    e.getKey() + ": kernels differ from the expected list (update it with OPS.md)");
        }
    }

    @Test
    void kernelNamesAreUniqueAcrossSources() throws IOException {
        // the backend may link several sources into one NVRTC program or look names up across modules
        Map<String, String> seen = new HashMap<>();
        for (Path src : cudaSources()) {
            for (String k : KernelSources.kernelNames(Files.readString(src))) {
                String before = seen.put(k, src.getFileName().toString());
                assertNull(before, "kernel " + k + " defined in both " + before + " and " + src.getFileName());
            }
        }
    }

    @Test
    void opsMapNamesEveryKernel() throws IOException {
        Path ops = cudaDir().resolve("OPS.md");
        assertTrue(Files.isRegularFile(ops), "no " + ops);
        String text = Files.readString(ops);
        for (Path src : cudaSources()) {
            if (src.getFileName().toString().equals(KernelSources.MICROCIRCUIT)) continue;
            for (String k : KernelSources.kernelNames(Files.readString(src))) {
                assertTrue(
                        Pattern.compile("`" + Pattern.quote(k) + "`")
                                .matcher(text)
                                .find(),
                        "OPS.md does not mention `" + k + "`");
            }
        }
    }

    @Test
    void sourcesNeedNoHeaders() throws IOException {
        for (Path src : cudaSources()) {
            assertFalse(
                    Pattern.compile("(?m)^\\s*#\\s*include")
                            .matcher(Files.readString(src))
                            .find(),
                    src + " has an #include; NVRTC at run time has no CUDA headers to offer");
        }
    }
}
