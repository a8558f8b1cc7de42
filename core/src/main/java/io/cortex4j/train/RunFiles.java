package io.cortex4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cortex4j.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The files every kind of run writes into its run directory, written the same way by every runner. */
public final class RunFiles {
    private RunFiles() {}

    /** Throws if {@code runDir} already holds a run (a {@code config.yaml}). */
    public static void requireNew(Path runDir, boolean resumable) {
        if (Files.exists(runDir.resolve(MicrocircuitExperiment.CONFIG))) {
            throw new IllegalStateException(runDir + " already holds a run; " + (resumable ? "resume it or " : "")
                    + "choose another directory");
        }
    }

    /** Creates {@code runDir} if needed and writes the resolved config into it atomically. */
    public static void writeConfig(Path runDir, String yaml) {
        try {
            Files.createDirectories(runDir);
            byte[] text = yaml.getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(runDir.resolve(MicrocircuitExperiment.CONFIG), out -> out.write(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code summary.json} (indented JSON) into {@code runDir} atomically. */
    public static void writeSummary(Path runDir, Map<String, Object> summary) {
        try {
            byte[] json = new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(summary);
            AtomicFiles.write(runDir.resolve(MicrocircuitExperiment.SUMMARY), out -> out.write(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
