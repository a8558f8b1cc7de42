package io.cortex4j.datasets;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void explicitSourcesTakePrecedenceInOrder() throws IOException {
        Path a = Files.createDirectory(tmp.resolve("a")),
                b = Files.createDirectory(tmp.resolve("b")),
                c = Files.createDirectory(tmp.resolve("c"));
        assertEquals(a, DataDirectory.resolve(a.toString(), b.toString(), c.toString(), tmp));
        assertEquals(b, DataDirectory.resolve(null, b.toString(), c.toString(), tmp));
        assertEquals(c, DataDirectory.resolve(" ", null, c.toString(), tmp));
    }

    @Test
    void searchesUpwardForSharedDatasets() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("shared/datasets"));
        Path repo = Files.createDirectories(tmp.resolve("main/cli/sub"));
        assertEquals(data, DataDirectory.resolve(null, null, null, repo));
        assertEquals(data, DataDirectory.resolve(null, null, null, tmp));
    }

    @Test
    void explicitValueThatIsNotADirectoryFails() {
        var e = assertThrows(
                IllegalStateException.class,
                () -> DataDirectory.resolve(null, tmp.resolve("nope").toString(), null, tmp));
        assertTrue(
                e.getMessage().contains("cortex4j.data.dir") && e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void nothingFoundListsWhatWasTried() throws IOException {
        Path start = Files.createDirectories(tmp.resolve("x/y"));
        for (Path d = tmp.getParent(); d != null; d = d.getParent()) {
            assumeFalse(Files.isDirectory(d.resolve("shared/datasets")), "an ancestor of the temp dir has data");
        }
        var e = assertThrows(IllegalStateException.class, () -> DataDirectory.resolve(null, null, null, start));
        String m = e.getMessage();
        assertTrue(m.contains("cortex4j.data.dir") && m.contains("CORTEX4J_DATA"), m);
        assertTrue(m.contains(start.resolve("shared/datasets").toString()), m);
        assertTrue(m.contains(tmp.resolve("shared/datasets").toString()), m);
    }
}
