package io.cortex4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzTest {

    @TempDir
    Path dir;

    private static Map<String, NpyArray> sample() {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("weights", NpyArray.ofFloats(new float[] {1.5f, -2f, 0.25f, 8f, 0f, -0.125f}, 2, 3));
        m.put("bias", NpyArray.ofDoubles(new double[] {Math.PI, Math.E}, 2));
        m.put("step", NpyArray.ofDoubles(new double[] {42}));
        m.put("counts", new NpyArray("<i8", new long[] {2, 1, 2}, new double[] {1, -2, 3, 1L << 40}));
        m.put("empty", NpyArray.ofDoubles(new double[0], 0, 4));
        return m;
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @Test
    void roundTripStoredAndDeflated() throws IOException {
        for (boolean compressed : new boolean[] {false, true}) {
            Path f = dir.resolve(compressed ? "c.npz" : "s.npz");
            Map<String, NpyArray> in = sample();
            Npz.write(f, in, compressed);
            LinkedHashMap<String, NpyArray> out = Npz.read(f);
            assertEquals(List.copyOf(in.keySet()), List.copyOf(out.keySet()), "order and names kept");
            assertEquals(in, out);
            try (ZipFile zip = new ZipFile(f.toFile())) {
                ZipEntry e = zip.getEntry("weights.npy");
                assertEquals(compressed ? ZipEntry.DEFLATED : ZipEntry.STORED, e.getMethod());
            }
        }
        assertEquals(List.of(), leftovers());
    }

    @Test
    void defaultWriteStoresEntries() throws IOException {
        Path f = dir.resolve("d.npz");
        Npz.write(f, sample());
        try (ZipFile zip = new ZipFile(f.toFile())) {
            assertEquals(5, zip.size());
            zip.stream().forEach(e -> assertEquals(ZipEntry.STORED, e.getMethod(), e.getName()));
        }
    }

    @Test
    void readsNumpySavezAndSavezCompressed() throws IOException {
        Path plain = dir.resolve("archive.npz");
        Files.write(plain, NpyTest.resource("archive.npz"));
        LinkedHashMap<String, NpyArray> a = Npz.read(plain);
        assertEquals(List.of("a", "b", "c"), List.copyOf(a.keySet()));
        assertArrayEquals(NpyTest.F4_2X3, a.get("a").data());
        assertArrayEquals(new long[] {2, 3}, a.get("a").shape());
        assertArrayEquals(new double[] {-0x1p53, 0x1p53, -1, 7}, a.get("b").data());
        assertEquals(0, a.get("c").ndim());
        assertArrayEquals(new double[] {3.5}, a.get("c").data());

        Path comp = dir.resolve("archive_compressed.npz");
        Files.write(comp, NpyTest.resource("archive_compressed.npz"));
        LinkedHashMap<String, NpyArray> c = Npz.read(comp);
        assertEquals(List.of("a", "weights"), List.copyOf(c.keySet()));
        assertArrayEquals(NpyTest.f8Fixture(), c.get("weights").data());
        assertArrayEquals(new long[] {2, 3, 4}, c.get("weights").shape());
    }

    @Test
    void overwritesAtomicallyAndLeavesOldFileOnFailure() throws IOException {
        Path f = dir.resolve("model.npz");
        Npz.write(f, sample());
        Npz.write(f, Map.of("x", NpyArray.ofDoubles(new double[] {1}, 1)));
        assertEquals(List.of("x"), List.copyOf(Npz.read(f).keySet()));
        byte[] before = Files.readAllBytes(f);

        Map<String, NpyArray> bad = new LinkedHashMap<>();
        bad.put("fine", NpyArray.ofDoubles(new double[] {1, 2}, 2));
        bad.put("broken", new NpyArray("<i4", new long[] {1}, new double[] {0.5}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npz.write(f, bad));
        assertTrue(e.getMessage().contains("model.npz") && e.getMessage().contains("broken.npy"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f), "the old file survives a failed write");
        assertEquals(List.of(), leftovers(), "the temporary file is removed");
    }

    @Test
    void writeIntoMissingDirectoryFailsNamingTheFile() {
        Path f = dir.resolve("no/such/dir/x.npz");
        IOException e = assertThrows(IOException.class, () -> Npz.write(f, sample()));
        assertTrue(e.getMessage().contains("x.npz"), e.getMessage());
    }

    @Test
    void rejectsBadNames() {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("", NpyArray.ofDoubles(new double[] {1}, 1));
        assertThrows(IllegalArgumentException.class, () -> Npz.write(dir.resolve("n.npz"), m));
    }

    private Path zipWith(String name, Map<String, byte[]> entries) throws IOException {
        Path f = dir.resolve(name);
        try (OutputStream os = Files.newOutputStream(f);
                ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return f;
    }

    @Test
    void readErrorsNameFileAndEntry() throws IOException {
        Path notZip = dir.resolve("plain.npz");
        Files.writeString(notZip, "this is not a zip archive");
        IOException e1 = assertThrows(IOException.class, () -> Npz.read(notZip));
        assertTrue(e1.getMessage().contains("plain.npz"), e1.getMessage());

        byte[] good = NpyTest.resource("f4_2x3.npy");
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("ok.npy", good);
        entries.put("cut.npy", java.util.Arrays.copyOf(good, good.length - 5));
        Path truncated = zipWith("truncated.npz", entries);
        IOException e2 = assertThrows(IOException.class, () -> Npz.read(truncated));
        assertTrue(e2.getMessage().contains("truncated.npz"), e2.getMessage());
        assertTrue(e2.getMessage().contains("'cut.npy'"), e2.getMessage());
        assertTrue(e2.getMessage().contains("truncated NPY data"), e2.getMessage());

        Path stray = zipWith("stray.npz", Map.of("notes.txt", "hello".getBytes(StandardCharsets.UTF_8)));
        IOException e3 = assertThrows(IOException.class, () -> Npz.read(stray));
        assertTrue(e3.getMessage().contains("stray.npz") && e3.getMessage().contains("'notes.txt'"), e3.getMessage());

        Path fortran = zipWith("fortran.npz", Map.of("f.npy", NpyTest.resource("fortran_f8_2x3.npy")));
        IOException e4 = assertThrows(IOException.class, () -> Npz.read(fortran));
        assertTrue(e4.getMessage().contains("'f.npy'") && e4.getMessage().contains("Fortran"), e4.getMessage());

        IOException e5 = assertThrows(IOException.class, () -> Npz.read(dir.resolve("missing.npz")));
        assertTrue(e5.getMessage().contains("missing.npz"), e5.getMessage());
    }
}
