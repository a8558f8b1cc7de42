package io.cortex4j.run;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.cortex4j.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The files of a run directory, written the same way for every family: {@code config.yaml} (the
 * resolved config), {@code metrics.csv}, {@code summary.json}, {@code checkpoint.npz},
 * {@code parameters.npz}, {@code probes.npz} and the plots. Every file is written atomically.
 */
public final class RunDirectory {
    public static final String CONFIG = "config.yaml";
    public static final String METRICS = "metrics.csv";
    public static final String SUMMARY = "summary.json";
    public static final String PARAMETERS = "parameters.npz";
    public static final String PROBES = "probes.npz";
    public static final String CHECKPOINT = Checkpoint.FILE;

    private RunDirectory() {}

    /**
     * A new, not yet existing directory {@code <parent>/<name>-s<seed>-<yyyyMMdd-HHmmss>[-k]}; checks
     * that {@code parent} is (or can become) a writable directory, without creating anything.
     */
    public static Path fresh(Path parent, String name, long seed) {
        Path p = parent.toAbsolutePath().normalize();
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.exists(q)) {
                if (!Files.isDirectory(q))
                    throw new RunDirectoryException(
                            "cannot create run directories under " + parent + ": " + q + " is not a directory");
                if (!Files.isWritable(q))
                    throw new RunDirectoryException(
                            "cannot create run directories under " + parent + ": " + q + " is not writable");
                break;
            }
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = parent.resolve(name + "-s" + seed + "-" + stamp);
        for (int k = 2; Files.exists(dir); k++) dir = parent.resolve(name + "-s" + seed + "-" + stamp + "-" + k);
        return dir;
    }

    /**
     * Removes the files a run writes ({@code config.yaml}, {@code metrics.csv}, plots, ...) from a
     * run directory that holds no checkpoint, so that the run can start there again; other files stay.
     */
    public static void clear(Path dir) {
        if (Files.exists(dir.resolve(CHECKPOINT)))
            throw new RunDirectoryException(dir + " holds a checkpoint: resume it instead of starting it again");
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (Files.isRegularFile(f)
                        && (n.equals(CONFIG)
                                || n.equals(METRICS)
                                || n.equals(SUMMARY)
                                || n.equals(PARAMETERS)
                                || n.equals(PROBES)
                                || n.endsWith(".png"))) Files.delete(f);
            }
        } catch (IOException e) {
            throw new RunDirectoryException("cannot clear " + dir + ": " + e.getMessage());
        }
    }

    /** Creates {@code dir} (which must not exist yet, or be empty) and writes its config. */
    static void create(Path dir, String configYaml) {
        try {
            if (Files.exists(dir.resolve(CONFIG)))
                throw new RunDirectoryException(dir + " already holds a run; resume it or choose another directory");
            Files.createDirectories(dir);
            write(dir.resolve(CONFIG), configYaml);
        } catch (FileAlreadyExistsException e) {
            throw new RunDirectoryException(
                    "cannot create run directory " + dir + ": " + e.getFile() + " exists and is not a directory");
        } catch (IOException e) {
            throw new RunDirectoryException("cannot create run directory " + dir + ": " + e.getMessage());
        }
    }

    static void write(Path file, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(b));
    }

    /** The JSON mapper of run files: indented; NaN and ±∞ (JSON has neither) are written as null. */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(new SimpleModule().addSerializer(Double.class, new JsonSerializer<Double>() {
                @Override
                public void serialize(Double v, JsonGenerator g, SerializerProvider p) throws IOException {
                    if (Double.isFinite(v)) g.writeNumber(v);
                    else g.writeNull();
                }
            }));

    /** Writes a map as indented JSON (NaN and ±∞ as null), atomically. */
    public static void writeJson(Path file, Map<String, Object> value) {
        try {
            byte[] json = JSON.writeValueAsBytes(value);
            AtomicFiles.write(file, out -> out.write(json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Reads a JSON object (a run's summary). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readJson(Path file) {
        try {
            return JSON.readValue(file.toFile(), Map.class);
        } catch (IOException e) {
            throw new RunDirectoryException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }
}
