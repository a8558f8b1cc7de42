package io.cortex4j.datasets;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for the IDX files of MNIST and Fashion-MNIST: images ({@code 0x00000803}, unsigned bytes
 * {@code [n, rows, cols]}) and labels ({@code 0x00000801}, unsigned bytes {@code [n]}), big-endian
 * headers. Files may be raw or gzip-compressed; compression is detected from the content (magic
 * bytes {@code 1f 8b}), not from the file name.
 *
 * <p>Pixels are divided by a divisor: {@value #DEFAULT_DIVISOR} by default, giving [0, 1]; pass
 * 256 to reproduce code that scales by {@code /256} (giving [0, 255/256]). Labels must be 0..9.
 */
public final class Idx {
    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;
    public static final float DEFAULT_DIVISOR = 255f;
    public static final int NUM_CLASSES = 10;

    private Idx() {}

    /** The raw content of an IDX image file: {@code pixels[(i*rows + r)*cols + c]}, unsigned. */
    public record Images(int count, int rows, int cols, byte[] pixels) {}

    /** Reads an IDX image file. */
    public static Images readImages(Path file) {
        try (InputStream in = open(file)) {
            readMagic(file, in, IMAGES_MAGIC, "image");
            int n = readCount(file, in), rows = readCount(file, in), cols = readCount(file, in);
            long bytes = (long) n * rows * cols;
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new DataFormatException(
                        file, "header says " + n + " images of " + rows + "x" + cols + ", too large to load");
            }
            byte[] pixels = readBody(file, in, (int) bytes, n + " images of " + rows + "x" + cols);
            return new Images(n, rows, cols, pixels);
        } catch (IOException e) {
            throw ioFailure(file, e);
        }
    }

    /** Reads an IDX label file; the labels are returned as unsigned values. */
    public static int[] readLabels(Path file) {
        try (InputStream in = open(file)) {
            readMagic(file, in, LABELS_MAGIC, "label");
            int n = readCount(file, in);
            byte[] raw = readBody(file, in, n, n + " labels");
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = raw[i] & 0xFF;
            return labels;
        } catch (IOException e) {
            throw ioFailure(file, e);
        }
    }

    /** Loads images and labels with pixels divided by {@value #DEFAULT_DIVISOR}. */
    public static InMemoryData loadImages(Path images, Path labels, String name) {
        return loadImages(images, labels, name, DEFAULT_DIVISOR);
    }

    /**
     * Loads images and labels; inputs are the row-major pixels divided by {@code divisor}.
     *
     * @throws DataFormatException for a missing, truncated or malformed file, differing image and
     *     label counts, or a label outside 0..9
     */
    public static InMemoryData loadImages(Path images, Path labels, String name, float divisor) {
        if (!(divisor > 0) || !Float.isFinite(divisor)) {
            throw new IllegalArgumentException("divisor must be positive and finite, got " + divisor);
        }
        Images img = readImages(images);
        int[] lab = readLabels(labels);
        if (lab.length != img.count()) {
            throw new DataFormatException(
                    labels,
                    "has " + lab.length + " labels but the image file " + images + " has " + img.count() + " images");
        }
        for (int i = 0; i < lab.length; i++) {
            if (lab[i] >= NUM_CLASSES) {
                throw new DataFormatException(
                        labels, "label " + lab[i] + " at index " + i + " is outside [0, " + NUM_CLASSES + ")");
            }
        }
        byte[] px = img.pixels();
        float[] x = new float[px.length];
        for (int i = 0; i < px.length; i++) x[i] = (px[i] & 0xFF) / divisor;
        return InMemoryData.wrapImages(name, x, new int[] {1, img.rows(), img.cols()}, lab, NUM_CLASSES);
    }

    /** {@link #loadDirectory(Path, boolean, float)} with pixels divided by {@value #DEFAULT_DIVISOR}. */
    public static InMemoryData loadDirectory(Path dir, boolean train) {
        return loadDirectory(dir, train, DEFAULT_DIVISOR);
    }

    /**
     * Loads the train ({@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}) or test
     * ({@code t10k-...}) files of {@code dir}, each optionally with a {@code .gz} suffix (the
     * {@code train-images.idx3-ubyte} spelling is accepted too). Named
     * {@code <dir name>/train} or {@code <dir name>/test}.
     */
    public static InMemoryData loadDirectory(Path dir, boolean train, float divisor) {
        String prefix = train ? "train" : "t10k";
        Path images = find(dir, prefix + "-images", "idx3-ubyte", "image");
        Path labels = find(dir, prefix + "-labels", "idx1-ubyte", "label");
        Path dirName = dir.toAbsolutePath().normalize().getFileName();
        String name = (dirName == null ? "idx" : dirName.toString()) + (train ? "/train" : "/test");
        return loadImages(images, labels, name, divisor);
    }

    private static Path find(Path dir, String stem, String type, String kind) {
        List<String> names =
                List.of(stem + "-" + type, stem + "-" + type + ".gz", stem + "." + type, stem + "." + type + ".gz");
        for (String n : names) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) return p;
        }
        throw new DataFormatException(
                dir.resolve(names.get(0)),
                "missing " + kind + " file: looked for " + String.join(", ", names) + " in directory "
                        + dir.toAbsolutePath().normalize());
    }

    /** Opens {@code file}, decompressing if it starts with the gzip magic bytes. */
    private static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) return new GZIPInputStream(in, 1 << 16);
        return in;
    }

    private static void readMagic(Path file, InputStream in, int expected, String kind) throws IOException {
        int magic = readInt(file, in);
        if (magic != expected) {
            String hint = magic == IMAGES_MAGIC
                    ? " (this is an IDX image file)"
                    : magic == LABELS_MAGIC ? " (this is an IDX label file)" : "";
            throw new DataFormatException(
                    file,
                    String.format("not an IDX %s file: magic 0x%08X, expected 0x%08X%s", kind, magic, expected, hint));
        }
    }

    private static int readCount(Path file, InputStream in) throws IOException {
        int v = readInt(file, in);
        if (v < 0) throw new DataFormatException(file, "negative dimension " + v + " in the IDX header");
        return v;
    }

    private static int readInt(Path file, InputStream in) throws IOException {
        byte[] b = in.readNBytes(4);
        if (b.length < 4) throw new DataFormatException(file, "truncated: the file ends inside the IDX header");
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    private static byte[] readBody(Path file, InputStream in, int bytes, String what) throws IOException {
        byte[] body = in.readNBytes(bytes);
        if (body.length < bytes) {
            throw new DataFormatException(
                    file,
                    "truncated: the header says " + what + " (" + bytes + " bytes of data) but only " + body.length
                            + " bytes follow");
        }
        if (in.read() != -1) {
            throw new DataFormatException(file, "unexpected data after the " + what + " the header announces");
        }
        return body;
    }

    private static DataFormatException ioFailure(Path file, IOException e) {
        if (e instanceof NoSuchFileException) return new DataFormatException(file, "file not found", e);
        if (e instanceof EOFException || e instanceof ZipException) {
            return new DataFormatException(file, "truncated or corrupt gzip data: " + e.getMessage(), e);
        }
        return new DataFormatException(file, "cannot read: " + e, e);
    }
}
