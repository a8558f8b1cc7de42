package io.cortex4j.datasets;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Helpers shared by the tests: writing files in the formats under test, finding the shared data. */
final class TestFiles {
    private TestFiles() {}

    /**
     * A folder of the shared data directory ({@code -Dcortex4j.data.dir}, else
     * {@code ../../shared/datasets} from the module directory); skips the test if absent.
     */
    static Path shared(String folder) {
        String configured = System.getProperty(DataDirectory.PROPERTY);
        Path base = configured != null ? Path.of(configured) : Path.of("../../shared/datasets");
        Path dir = base.resolve(folder);
        assumeTrue(
                Files.isDirectory(dir),
                "shared data not present: " + dir.toAbsolutePath().normalize());
        return dir;
    }

    static byte[] idxImages(int n, int rows, int cols, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length)
                .putInt(Idx.IMAGES_MAGIC)
                .putInt(n)
                .putInt(rows)
                .putInt(cols)
                .put(pixels)
                .array();
    }

    static byte[] idxLabels(byte[] labels) {
        return ByteBuffer.allocate(8 + labels.length)
                .putInt(Idx.LABELS_MAGIC)
                .putInt(labels.length)
                .put(labels)
                .array();
    }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(data);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, byte[] content) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, String content) {
        return write(file, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Pixel bytes 255, 218, 181, ... (mod 256) for {@code n} images of {@code rows x cols}. */
    static byte[] rampPixels(int n, int rows, int cols) {
        byte[] px = new byte[n * rows * cols];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (255 - i * 37);
        return px;
    }
}
