package io.cortex4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes NumPy {@code .npz} archives: zip files holding one {@code name.npy} entry per
 * array, as made by {@code numpy.savez} (stored entries) and {@code numpy.savez_compressed}
 * (deflated entries), and read by {@code numpy.load}.
 *
 * <p>Writing is crash-safe (see {@link AtomicFiles}): the archive is written to a temporary file
 * in the target's directory, forced to the storage device, and then renamed over the target with
 * {@code ATOMIC_MOVE}, so the target is always either the old file or the complete new one.
 */
public final class Npz {

    private static final String SUFFIX = ".npy";

    private Npz() {}

    /**
     * Writes the arrays with stored (uncompressed) entries, like {@code numpy.savez}.
     *
     * @see #write(Path, Map, boolean)
     */
    public static void write(Path file, Map<String, NpyArray> arrays) throws IOException {
        write(file, arrays, false);
    }

    /**
     * Writes the arrays, each as the entry {@code name + ".npy"}, in the map's iteration order,
     * atomically replacing {@code file} if it exists.
     *
     * @param file       the archive to create or replace
     * @param arrays     the arrays by name; names must be non-empty
     * @param compressed {@code true} to deflate the entries (like {@code numpy.savez_compressed}),
     *                   {@code false} to store them
     * @throws IOException if writing fails; the message names the file and, where it applies,
     *                     the entry. {@code file} is then left as it was.
     */
    public static void write(Path file, Map<String, NpyArray> arrays, boolean compressed) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(arrays, "arrays");
        for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) {
                throw new IllegalArgumentException("array names must be non-empty");
            }
            Objects.requireNonNull(e.getValue(), () -> "array '" + e.getKey() + "' is null");
        }
        try {
            AtomicFiles.write(file, out -> {
                try (ZipOutputStream zip = new ZipOutputStream(out)) {
                    for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
                        String entryName = e.getKey() + SUFFIX;
                        try {
                            writeEntry(zip, entryName, e.getValue(), compressed);
                        } catch (IOException ex) {
                            throw new EntryException(
                                    file + ": writing entry '" + entryName + "': " + ex.getMessage(), ex);
                        } catch (IllegalArgumentException ex) {
                            throw new IllegalArgumentException(
                                    file + ": entry '" + entryName + "': " + ex.getMessage(), ex);
                        }
                    }
                }
            });
        } catch (EntryException e) {
            throw e; // already names the file and the entry
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** A failure that already names the archive and the entry. */
    private static final class EntryException extends IOException {
        EntryException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static void writeEntry(ZipOutputStream zip, String name, NpyArray array, boolean compressed)
            throws IOException {
        ZipEntry entry = new ZipEntry(name);
        if (compressed) {
            entry.setMethod(ZipEntry.DEFLATED);
        } else {
            // a stored entry needs its size and CRC up front: serialise once to measure them
            // (cheaper in memory than buffering the bytes), then again into the archive
            CrcCounter counter = new CrcCounter();
            Npy.write(counter, array);
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(counter.count);
            entry.setCompressedSize(counter.count);
            entry.setCrc(counter.crc.getValue());
        }
        zip.putNextEntry(entry);
        Npy.write(zip, array);
        zip.closeEntry();
    }

    /** An output sink that only counts bytes and computes their CRC-32. */
    private static final class CrcCounter extends OutputStream {
        final CRC32 crc = new CRC32();
        long count;

        @Override
        public void write(int b) {
            crc.update(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            crc.update(b, off, len);
            count += len;
        }
    }

    /**
     * Reads every array of an archive.
     *
     * @param file the archive
     * @return the arrays in archive order, keyed by entry name without the {@code .npy} suffix
     * @throws IOException if the file is not a zip archive, holds an entry that is not a
     *                     {@code .npy} array, holds two entries of the same name, or holds an
     *                     unreadable array; the message names the file and the entry
     */
    public static LinkedHashMap<String, NpyArray> read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        LinkedHashMap<String, NpyArray> arrays = new LinkedHashMap<>();
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new IOException(file + ": not a valid npz (zip) archive: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException(file + ": cannot open: " + e, e);
        }
        try (zip) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String entryName = entry.getName();
                if (entry.isDirectory()) {
                    continue;
                }
                if (!entryName.endsWith(SUFFIX)) {
                    throw new IOException(file + ": entry '" + entryName + "' is not a .npy array");
                }
                String name = entryName.substring(0, entryName.length() - SUFFIX.length());
                if (arrays.containsKey(name)) {
                    throw new IOException(file + ": duplicate entry '" + entryName + "'");
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    arrays.put(name, Npy.read(in));
                } catch (IOException e) {
                    throw new IOException(file + ": entry '" + entryName + "': " + e.getMessage(), e);
                }
            }
        }
        return arrays;
    }
}
