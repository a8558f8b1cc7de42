package io.cortex4j.golden;

import io.cortex4j.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * The file of reference outputs that the CPU backend wrote for the {@link GoldenCases}, float32.
 *
 * <p>Format, version 1: a gzip stream (whose trailer holds the CRC-32 and length of the content)
 * of big-endian {@link DataOutputStream} data:
 * <pre>
 *   magic       8 bytes  "CX4JGOLD"
 *   version     int      1
 *   writer      UTF      free text: the backend, its device, platform and JVM that wrote the file
 *   platform    UTF      os.name/os.arch/CPU model of the writer ({@link #platform()})
 *   cases       int      number of cases, then per case:
 *     name      UTF      the case's name ({@link GoldenCases.Case#name()})
 *     arrays    int      number of output arrays, then per array:
 *       name    UTF      the output's name within the case
 *       length  int      number of elements
 *       values  length × int: IEEE 754 float32 bits (Float.floatToRawIntBits; NaN payloads and −0 kept)
 *   end         8 bytes  "CX4J-END"
 *   cases       int      the case count again
 * </pre>
 * The values are the outputs exactly as the float32 run produced them (a float32 tensor's elements
 * widen to double without loss). Reading checks the magic, version, counts, the end marker and
 * the gzip CRC, and reports a truncated or corrupt file with its name.
 */
public final class GoldenFile {
    /** The committed reference, relative to the repository root; on cuda-kernels' test class path as {@link #RESOURCE}. */
    public static final String REPOSITORY_PATH = "cuda-kernels/src/test/resources/golden/cpu-reference-f32.bin.gz";

    public static final String RESOURCE = "/golden/cpu-reference-f32.bin.gz";
    public static final int VERSION = 1;
    private static final byte[] MAGIC = "CX4JGOLD".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "CX4J-END".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_LENGTH = 1 << 24;

    private GoldenFile() {}

    /** A reference file's content: case name → output name → float32 values, in file order. */
    public record Reference(
            String source, int version, String writer, String platform, Map<String, Map<String, float[]>> cases) {
        public Map<String, float[]> of(String caseName) {
            return cases.get(caseName);
        }
    }

    /**
     * os.name/os.arch, the CPU model and the vector extensions that decide which GEMM kernel OpenBLAS
     * picks (from /proc/cpuinfo where there is one): where this differs from the writer's, the CPU
     * backend's float32 results may differ from the file's in the last bit.
     */
    public static String platform() {
        String cpu = "unknown CPU";
        StringBuilder ext = new StringBuilder();
        try {
            Path info = Path.of("/proc/cpuinfo");
            if (Files.isReadable(info)) {
                boolean model = false, flags = false;
                for (String line : Files.readAllLines(info)) {
                    if (!model && line.startsWith("model name")) {
                        cpu = line.substring(line.indexOf(':') + 1).trim();
                        model = true;
                    } else if (!flags && (line.startsWith("flags") || line.startsWith("Features"))) {
                        java.util.Set<String> f = new java.util.HashSet<>(Arrays.asList(
                                line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
                        for (String x : new String[] {"sse4_2", "avx", "avx2", "fma", "avx512f", "asimd", "sve"})
                            if (f.contains(x)) ext.append('+').append(x);
                        flags = true;
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // keep "unknown CPU"
        }
        return System.getProperty("os.name") + "/" + System.getProperty("os.arch") + "/" + cpu
                + (ext.isEmpty() ? "" : "/" + ext.substring(1));
    }

    /** Writes {@code cases} (case → output → float32 values) atomically to {@code target} (a temporary file, then a rename), in the format of the class javadoc. */
    public static void write(Path target, String writer, Map<String, Map<String, float[]>> cases) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        AtomicFiles.write(target, out -> {
            GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16) {
                {
                    def.setLevel(java.util.zip.Deflater.BEST_COMPRESSION);
                }
            };
            DataOutputStream o = new DataOutputStream(gz);
            o.write(MAGIC);
            o.writeInt(VERSION);
            o.writeUTF(writer);
            o.writeUTF(platform());
            o.writeInt(cases.size());
            for (Map.Entry<String, Map<String, float[]>> c : cases.entrySet()) {
                o.writeUTF(c.getKey());
                o.writeInt(c.getValue().size());
                for (Map.Entry<String, float[]> a : c.getValue().entrySet()) {
                    o.writeUTF(a.getKey());
                    float[] v = a.getValue();
                    o.writeInt(v.length);
                    byte[] buf = new byte[4 * v.length];
                    for (int i = 0; i < v.length; i++) {
                        int b = Float.floatToRawIntBits(v[i]);
                        buf[4 * i] = (byte) (b >>> 24);
                        buf[4 * i + 1] = (byte) (b >>> 16);
                        buf[4 * i + 2] = (byte) (b >>> 8);
                        buf[4 * i + 3] = (byte) b;
                    }
                    o.write(buf);
                }
            }
            o.write(END);
            o.writeInt(cases.size());
            o.flush();
            gz.finish();
        });
    }

    public static Reference read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("golden reference file " + file.toAbsolutePath()
                    + " is missing (regenerate it: see CpuGoldenReferenceTest)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toAbsolutePath().toString());
        }
    }

    /** Reads the class path resource {@link #RESOURCE} (cuda-kernels' tests, also in the GPU pack). */
    public static Reference readResource(Class<?> anchor) throws IOException {
        var url = anchor.getResource(RESOURCE);
        if (url == null) {
            throw new IOException("golden reference resource " + RESOURCE + " is not on the class path of "
                    + anchor.getName() + " (it lives in " + REPOSITORY_PATH + ")");
        }
        try (InputStream in = url.openStream()) {
            return read(in, url.toString());
        }
    }

    /** Reads a reference from a stream; {@code source} names it in every error. */
    public static Reference read(InputStream raw, String source) throws IOException {
        try {
            DataInputStream in =
                    new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16));
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) throw corrupt(source, "bad magic: not a golden reference file");
            int version = in.readInt();
            if (version != VERSION)
                throw corrupt(source, "format version " + version + ", this reader knows version " + VERSION);
            String writer = in.readUTF(), platform = in.readUTF();
            int n = in.readInt();
            if (n < 0 || n > 100_000) throw corrupt(source, "case count " + n);
            Map<String, Map<String, float[]>> cases = new LinkedHashMap<>();
            for (int c = 0; c < n; c++) {
                String name = in.readUTF();
                int arrays = in.readInt();
                if (arrays < 0 || arrays > 100_000) throw corrupt(source, "case " + name + ": array count " + arrays);
                Map<String, float[]> outs = new LinkedHashMap<>();
                for (int a = 0; a < arrays; a++) {
                    String an = in.readUTF();
                    int len = in.readInt();
                    if (len < 0 || len > MAX_LENGTH)
                        throw corrupt(source, "case " + name + ", array " + an + ": length " + len);
                    byte[] buf = new byte[4 * len];
                    in.readFully(buf);
                    float[] v = new float[len];
                    for (int i = 0; i < len; i++) {
                        v[i] = Float.intBitsToFloat((buf[4 * i] & 0xff) << 24
                                | (buf[4 * i + 1] & 0xff) << 16
                                | (buf[4 * i + 2] & 0xff) << 8
                                | buf[4 * i + 3] & 0xff);
                    }
                    if (outs.put(an, v) != null) throw corrupt(source, "case " + name + ": array " + an + " twice");
                }
                if (cases.put(name, Collections.unmodifiableMap(outs)) != null)
                    throw corrupt(source, "case " + name + " twice");
            }
            byte[] end = new byte[END.length];
            in.readFully(end);
            if (!Arrays.equals(end, END) || in.readInt() != n)
                throw corrupt(source, "no end marker after " + n + " cases");
            if (in.read() != -1) throw corrupt(source, "data after the end marker");
            return new Reference(source, version, writer, platform, Collections.unmodifiableMap(cases));
        } catch (EOFException e) {
            throw corrupt(
                    source,
                    "truncated (unexpected end of data" + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")",
                    e);
        } catch (ZipException e) {
            throw corrupt(source, "corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static IOException corrupt(String source, String what) {
        return corrupt(source, what, null);
    }

    private static IOException corrupt(String source, String what, Throwable cause) {
        return new IOException(
                "golden reference file " + source + " is unreadable: " + what
                        + "; regenerate it with CpuGoldenReferenceTest (see its javadoc)",
                cause);
    }
}
