package io.cortex4j.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cortex4j.backend.cpu.Nd4jCpuBackend;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps the golden reference file ({@value GoldenFile#REPOSITORY_PATH}) in step with the CPU
 * backend: every {@link GoldenCases golden case} run on {@link Nd4jCpuBackend} (default
 * configuration) in float32 must reproduce the file bit for bit. So any change of the CPU
 * backend's numbers, or of a case, fails here until the file is regenerated:
 * <pre>
 *   mvn -B -o -pl core -am test -Dtest=CpuGoldenReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Dcortex4j.golden.write=true
 * </pre>
 * ({@code =true} rewrites the committed file; any other value is a path, relative to the
 * repository root, to write instead). The file is written atomically (a temporary file, then a
 * rename); the tests then run against what was written.
 *
 * <p>Bits are expected on the platform that wrote the file (the CPU backend's results do not depend
 * on its thread count). Elsewhere (another CPU model or architecture), OpenBLAS may pick another
 * GEMM kernel and the JIT's {@code Math.exp}/{@code log} another implementation, which move float32
 * results by an ulp or so: there, where bits differ, the case must still agree with the file within
 * a hundredth of its cross-backend tolerance (1e-6 for ops), and the test says so in its output.
 *
 * <p>Also here: the self-check of the comparison itself (the same criterion as the CUDA test,
 * applied to the CPU backend in float64 against the float32 file), and the reader's errors on a
 * truncated or corrupt file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CpuGoldenReferenceTest {
    private final Backend cpu = new Nd4jCpuBackend();
    private GoldenFile.Reference ref;

    /** The repository root: the first folder upwards from the module's basedir holding core/ and cuda-kernels/. */
    static Path repositoryRoot() {
        Path p = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                .toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.isDirectory(q.resolve("core")) && Files.isDirectory(q.resolve("cuda-kernels"))) return q;
        }
        throw new IllegalStateException("no repository root (a folder with core/ and cuda-kernels/) above " + p);
    }

    static Path referencePath() {
        return repositoryRoot().resolve(GoldenFile.REPOSITORY_PATH);
    }

    Stream<String> cases() {
        return GoldenCases.all().stream().map(GoldenCases.Case::name);
    }

    @BeforeAll
    void loadOrWrite() throws IOException {
        String w = System.getProperty("cortex4j.golden.write");
        Path file = referencePath();
        if (w != null) {
            if (!w.isBlank() && !w.equals("true")) file = repositoryRoot().resolve(w);
            Map<String, Map<String, float[]>> all = new LinkedHashMap<>();
            for (GoldenCases.Case c : GoldenCases.all()) {
                Map<String, float[]> outs = new LinkedHashMap<>();
                for (Map.Entry<String, GoldenCases.Output> e :
                        GoldenCases.run(c, cpu, DType.FLOAT32).entrySet()) {
                    double[] v = e.getValue().values();
                    float[] f = new float[v.length];
                    for (int i = 0; i < v.length; i++)
                        f[i] = (float) v[i]; // exact for float32 tensors; the double reductions round here
                    outs.put(e.getKey(), f);
                }
                all.put(c.name(), outs);
            }
            String writer = "cortex4j CpuGoldenReferenceTest: backend " + cpu.name() + " ("
                    + cpu.getClass().getSimpleName() + ", default configuration), " + cpu.device() + ", float32, Java "
                    + System.getProperty("java.version");
            GoldenFile.write(file, writer, all);
            System.out.println("golden reference written: " + file + " (" + Files.size(file) + " bytes, " + all.size()
                    + " cases)");
        }
        ref = GoldenFile.read(file);
    }

    @Test
    void theFileHoldsExactlyTheCasesInOrder() {
        assertEquals(
                cases().toList(),
                new ArrayList<>(ref.cases().keySet()),
                "the cases of " + ref.source()
                        + " are not GoldenCases.all(): regenerate the file (see this class's javadoc)");
    }

    /** The CPU backend, float32, reproduces the file (bits; see the class javadoc for other platforms). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cpuFloat32ReproducesTheReference(String name) {
        GoldenCases.Case c = GoldenCases.byName(name);
        Map<String, GoldenCases.Output> got = GoldenCases.run(c, cpu, DType.FLOAT32);
        GoldenCheck.Result bits = GoldenCheck.compareBits(name, got, ref.of(name), ref.source());
        if (bits.passed()) return;
        String here = GoldenFile.platform();
        String regenerate = "\nThe CPU backend's float32 numbers changed: if that is intended, regenerate "
                + ref.source() + " (see CpuGoldenReferenceTest's javadoc) and commit it.";
        if (here.equals(ref.platform()) || ref.of(name) == null) fail(bits.message() + regenerate);
        GoldenCheck.Result close = GoldenCheck.compare(name, c.tolerance() / 100, got, ref.of(name), ref.source());
        if (!close.passed())
            fail(close.message() + "\n(platform " + here + "; the file was written on " + ref.platform() + ")"
                    + regenerate);
        System.out.println("golden case " + name + ": not bit-identical on " + here + " (the file was written on "
                + ref.platform() + "), "
                + bits.mismatches().size() + " element(s) differ, largest error " + close.maxError()
                + " × max(|ref|, scale), within "
                + c.tolerance() / 100);
    }

    /**
     * The comparison that CudaGoldenReferenceTest applies, on a run that is known to be right: the CPU
     * backend in float64 against the float32 file. It must pass at every case's tolerance, which shows
     * that the scales are sane and that float32 roundings (all that separates the two runs) stay within
     * the tolerance: ops within 1e-4, the model cases within theirs.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cpuFloat64IsWithinTheCrossBackendTolerance(String name) {
        GoldenCases.Case c = GoldenCases.byName(name);
        Map<String, GoldenCases.Output> got = GoldenCases.run(c, cpu, DType.FLOAT64);
        GoldenCheck.Result r = GoldenCheck.compare(c, got, ref.of(name), ref.source());
        System.out.printf(
                "golden self-check %-40s float64 vs float32 reference: largest error %.3g (%s), tolerance %.0e%n",
                name, r.maxError(), r.worst(), c.tolerance());
        if (!r.passed()) fail(r.message());
    }

    /** The criterion rejects what it should: a wrong element, a NaN for a number, a missing array, a size change. */
    @Test
    void theComparisonCatchesDeviations() {
        GoldenCases.Case c = GoldenCases.byName("elementwise-4099");
        Map<String, GoldenCases.Output> got = GoldenCases.run(c, cpu, DType.FLOAT64);
        assertTrue(GoldenCheck.compare(c, got, ref.of(c.name()), ref.source()).passed());
        Map<String, GoldenCases.Output> bad = new LinkedHashMap<>(got);
        double[] v = got.get("mul").values().clone();
        v[1234] *= 1 + 3e-4;
        v[17] = Double.NaN;
        bad.put("mul", new GoldenCases.Output(v, Double.NaN));
        GoldenCheck.Result r = GoldenCheck.compare(c, bad, ref.of(c.name()), ref.source());
        assertEquals(2, r.mismatches().size(), r.message());
        assertTrue(
                r.message().contains("elementwise-4099")
                        && r.message().contains("array mul, index 17: got NaN")
                        && r.message().contains("array mul, index 1234: got "),
                r.message());
        bad.remove("axpby");
        bad.put("extra", new GoldenCases.Output(new double[3], Double.NaN));
        r = GoldenCheck.compare(c, bad, ref.of(c.name()), ref.source());
        assertTrue(
                r.message().contains("array axpby is in") && r.message().contains("array extra is missing from"),
                r.message());
        assertTrue(GoldenCheck.compare("x", 1e-4, got, null, "f").message().contains("case missing from f"));
        // the CPU's own check is bitwise: one float32 ulp fails it
        Map<String, GoldenCases.Output> f32 = GoldenCases.run(c, cpu, DType.FLOAT32);
        assertTrue(GoldenCheck.compareBits(c.name(), f32, ref.of(c.name()), ref.source())
                .passed());
        double[] u = f32.get("lincomb3").values().clone();
        u[99] = Math.nextUp((float) u[99]);
        f32.put("lincomb3", new GoldenCases.Output(u, Double.NaN));
        r = GoldenCheck.compareBits(c.name(), f32, ref.of(c.name()), ref.source());
        assertEquals(1, r.mismatches().size(), r.message());
        assertTrue(r.message().contains("array lincomb3, index 99"), r.message());
        // near zero the array's scale applies, not the element's magnitude
        assertEquals(0.5e-4, GoldenCheck.error(1e-9 + 0.5e-4, 1e-9, 1.0), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, GoldenCheck.error(Double.NaN, 1.0, 1.0));
        assertEquals(0.0, GoldenCheck.error(Double.NaN, Double.NaN, 1.0));
        assertEquals(
                Double.POSITIVE_INFINITY, GoldenCheck.error(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 1.0));
    }

    // ------------------------------------------------------------------ the reader's errors

    private static Map<String, Map<String, float[]>> small() {
        Map<String, Map<String, float[]>> m = new LinkedHashMap<>();
        float[] v = new float[5000];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i * 0.37) * i;
        m.put("a", Map.of("x", v, "y", new float[] {Float.NaN, -0.0f, Float.POSITIVE_INFINITY}));
        m.put("b", Map.of("z", new float[] {1, 2, 3}));
        return m;
    }

    @Test
    void aWrittenFileReadsBackBitForBit(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("sub/g.bin.gz");
        GoldenFile.write(f, "test", small());
        GoldenFile.Reference r = GoldenFile.read(f);
        assertEquals(GoldenFile.VERSION, r.version());
        assertEquals("test", r.writer());
        assertEquals(List.of("a", "b"), new ArrayList<>(r.cases().keySet()));
        float[] y = r.of("a").get("y");
        assertTrue(
                Float.isNaN(y[0]) && Float.floatToRawIntBits(y[1]) == 0x8000_0000 && y[2] == Float.POSITIVE_INFINITY);
        assertEquals(small().get("a").get("x")[4321], r.of("a").get("x")[4321], 0f);
        try (var s = Files.list(dir.resolve("sub"))) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    private static void assertUnreadable(Path f, String what) {
        IOException e = assertThrows(IOException.class, () -> GoldenFile.read(f));
        assertTrue(e.getMessage().contains(f.toAbsolutePath().toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(what), "says '" + what + "': " + e.getMessage());
    }

    @Test
    void theReaderRejectsATruncatedOrCorruptFileNamingIt(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.bin.gz");
        GoldenFile.write(good, "test", small());
        byte[] bytes = Files.readAllBytes(good);
        // cut in the compressed data, in the gzip trailer, and with nothing left but the header
        for (int cut : new int[] {bytes.length / 2, bytes.length - 3, 12}) {
            Path t = dir.resolve("cut" + cut + ".bin.gz");
            Files.write(t, java.util.Arrays.copyOf(bytes, cut));
            assertUnreadable(t, "unreadable");
        }
        Path t = dir.resolve("half.bin.gz");
        Files.write(t, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertUnreadable(t, "truncated");
        // a changed byte in the compressed data: bad deflate data or a CRC mismatch
        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 0x5a;
        Path c = dir.resolve("flipped.bin.gz");
        Files.write(c, flipped);
        assertUnreadable(c, "unreadable");
        // a well-formed gzip file that is not ours, and a content cut short before gzip (a half-written stream, closed)
        Path other = dir.resolve("other.bin.gz");
        gzip(other, "just some text, long enough for the magic".getBytes(StandardCharsets.US_ASCII));
        assertUnreadable(other, "bad magic");
        Path shortContent = dir.resolve("short.bin.gz");
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(good))) {
            in.transferTo(raw);
        }
        byte[] content = raw.toByteArray();
        gzip(shortContent, java.util.Arrays.copyOf(content, content.length - 100));
        assertUnreadable(shortContent, "truncated");
        // not gzip at all, and missing
        Path plain = dir.resolve("plain.bin.gz");
        Files.writeString(plain, "CX4JGOLD not gzipped");
        assertUnreadable(plain, "unreadable");
        assertUnreadable(dir.resolve("absent.bin.gz"), "missing");
    }

    private static void gzip(Path f, byte[] content) throws IOException {
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            o.write(content);
        }
    }
}
