package io.cortex4j.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The compiled kernel images (PTX) of this process and on disk. A source is compiled by NVRTC at
 * most once per process; the result is also kept under a cache folder (by default
 * {@code ${user.home}/.cache/cortex4j/cuda/}) as {@code <source>-<key>.ptx}, where the key is a
 * SHA-256 of the source name and text, the NVRTC version, the target architecture and the compile
 * options, so any change to one of them compiles afresh. Files are written to a temporary name and
 * renamed, so a crash never leaves half an image; a cache folder that cannot be written is skipped.
 */
public final class KernelCache {
    private static final ConcurrentHashMap<String, byte[]> IN_PROCESS = new ConcurrentHashMap<>();

    private KernelCache() {}

    /** The default cache folder: {@code ${user.home}/.cache/cortex4j/cuda}. */
    public static Path defaultDirectory() {
        return Path.of(System.getProperty("user.home", "."), ".cache", "cortex4j", "cuda");
    }

    /** The cache key (64 hex digits) of one source compiled by one NVRTC for one architecture with these options. */
    public static String key(String sourceName, String source, String nvrtcVersion, String arch, List<String> options) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            List<String> parts = new java.util.ArrayList<>(List.of(
                    "cortex4j-kernel-cache-v1",
                    sourceName,
                    source,
                    nvrtcVersion,
                    arch,
                    Integer.toString(options.size())));
            parts.addAll(options);
            for (String part : parts) { // each part length-prefixed, so no two different inputs hash the same text
                byte[] b = part.getBytes(StandardCharsets.UTF_8);
                md.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
                md.update((byte) ':');
                md.update(b);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
    }

    /** The file that holds the image of {@code sourceName} under {@code key} in {@code dir}. */
    public static Path file(Path dir, String sourceName, String key) {
        String base = sourceName.endsWith(".cu") ? sourceName.substring(0, sourceName.length() - 3) : sourceName;
        return dir.resolve(base + "-" + key.substring(0, 32) + ".ptx");
    }

    /**
     * The PTX of {@code source} for {@code arch} (a {@code compute_XY}): from this process's memory, else from
     * {@code dir} (null: no disk cache), else compiled with {@code nvrtc} and stored in both.
     */
    public static byte[] ptx(
            Nvrtc nvrtc,
            String nvrtcVersion,
            String sourceName,
            String source,
            String arch,
            List<String> options,
            Path dir) {
        if (!arch.startsWith("compute_"))
            throw new IllegalArgumentException("PTX needs a compute_XY architecture, got " + arch);
        String key = key(sourceName, source, nvrtcVersion, arch, options);
        byte[] image = IN_PROCESS.get(key);
        if (image != null) return image;
        synchronized (KernelCache.class) {
            image = IN_PROCESS.get(key);
            if (image != null) return image;
            image = dir == null ? null : read(file(dir, sourceName, key));
            if (image == null) {
                image = nvrtc.compile(sourceName, source, arch, options).image();
                if (dir != null) write(file(dir, sourceName, key), image);
            }
            IN_PROCESS.put(key, image);
            return image;
        }
    }

    /** Forgets the images compiled in this process (the disk cache stays); for tests. */
    static void clearProcessCache() {
        IN_PROCESS.clear();
    }

    private static byte[] read(Path f) {
        try {
            if (!Files.isRegularFile(f)) return null;
            byte[] b = Files.readAllBytes(f);
            return b.length == 0 ? null : b;
        } catch (IOException e) {
            return null;
        }
    }

    private static void write(Path f, byte[] image) {
        try {
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), f.getFileName().toString(), ".tmp");
            try {
                Files.write(tmp, image);
                try {
                    Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | SecurityException e) {
            // a read-only or missing cache folder only costs a compile next time
        }
    }
}
