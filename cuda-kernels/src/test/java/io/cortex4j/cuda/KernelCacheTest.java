package io.cortex4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel cache key and the disk cache; the compile round trip needs only NVRTC (skipped without it). */
class KernelCacheTest {
    static final String SRC = "extern \"C\" __global__ void k(float* x) { x[0] = 1.0f; }";

    @Test
    void theKeyChangesWithSourceVersionArchitectureAndOptions() {
        String base = KernelCache.key("a.cu", SRC, "13.0", "compute_90", List.of("--fmad=false"));
        assertEquals(64, base.length());
        assertEquals(
                base, KernelCache.key("a.cu", SRC, "13.0", "compute_90", List.of("--fmad=false")), "deterministic");
        Set<String> keys = new HashSet<>(List.of(
                base,
                KernelCache.key("b.cu", SRC, "13.0", "compute_90", List.of("--fmad=false")),
                KernelCache.key("a.cu", SRC + " ", "13.0", "compute_90", List.of("--fmad=false")),
                KernelCache.key("a.cu", SRC, "12.8", "compute_90", List.of("--fmad=false")),
                KernelCache.key("a.cu", SRC, "13.0", "compute_100", List.of("--fmad=false")),
                KernelCache.key("a.cu", SRC, "13.0", "compute_90", List.of()),
                KernelCache.key("a.cu", SRC, "13.0", "compute_90", List.of("--fmad=true")),
                KernelCache.key("a.cu", SRC, "13.0", "compute_90", List.of("--fmad=false", "-lineinfo"))));
        assertEquals(8, keys.size(), "every change gives another key");
        // the parts are delimited: moving text between fields changes the key
        assertNotEquals(
                KernelCache.key("a.cu", "x", "1", "compute_90", List.of()),
                KernelCache.key("a.c", "ux", "1", "compute_90", List.of()));
        assertNotEquals(
                KernelCache.key("a", "b", "1", "compute_90", List.of("x", "y")),
                KernelCache.key("a", "b", "1", "compute_90", List.of("x\u0000y")));
    }

    @Test
    void theFileNameCarriesSourceAndKey(@TempDir Path dir) {
        String key = KernelCache.key("spi_reduce.cu", SRC, "13.0", "compute_90", List.of());
        Path f = KernelCache.file(dir, "spi_reduce.cu", key);
        assertEquals(dir, f.getParent());
        assertTrue(f.getFileName().toString().startsWith("spi_reduce-" + key.substring(0, 32)), f.toString());
        assertTrue(f.getFileName().toString().endsWith(".ptx"));
    }

    @Test
    void ptxNeedsAComputeArchitecture() {
        assertThrows(
                IllegalArgumentException.class,
                () -> KernelCache.ptx(null, "13.0", "a.cu", SRC, "sm_90", List.of(), null));
    }

    @Test
    void aCachedImageIsReadInsteadOfCompiled(@TempDir Path dir) throws Exception {
        // a planted image under the right key is used without NVRTC (nvrtc null would fail if called)
        String src = SRC + " // planted " + System.nanoTime();
        String key = KernelCache.key("p.cu", src, "13.0", "compute_90", List.of("--fmad=false"));
        byte[] planted = "// planted PTX\n".getBytes();
        Files.write(KernelCache.file(dir, "p.cu", key), planted);
        assertArrayEquals(
                planted, KernelCache.ptx(null, "13.0", "p.cu", src, "compute_90", List.of("--fmad=false"), dir));
    }

    @Test
    void everySpiSourceCompilesWithTheBackendsOptionsAndIsCached(@TempDir Path dir) throws Exception {
        Nvrtc nvrtc = NvrtcCompileTest.nvrtcOrSkip();
        String version = nvrtc.version();
        for (String name : KernelSources.list()) {
            String src = KernelSources.load(name);
            KernelCache.clearProcessCache();
            byte[] ptx = KernelCache.ptx(nvrtc, version, name, src, "compute_90", CudaBackend.NVRTC_OPTIONS, dir);
            String text = new String(ptx);
            for (String k : KernelSources.kernelNames(src))
                assertTrue(text.contains(".entry " + k), name + ": no entry " + k);
            Path f = KernelCache.file(
                    dir, name, KernelCache.key(name, src, version, "compute_90", CudaBackend.NVRTC_OPTIONS));
            assertArrayEquals(ptx, Files.readAllBytes(f), name + " cached on disk");
            KernelCache.clearProcessCache();
            assertArrayEquals(
                    ptx,
                    KernelCache.ptx(null, version, name, src, "compute_90", CudaBackend.NVRTC_OPTIONS, dir),
                    name + " read back");
        }
        KernelCache.clearProcessCache();
    }
}
