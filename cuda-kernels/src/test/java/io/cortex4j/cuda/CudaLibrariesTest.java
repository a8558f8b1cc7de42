package io.cortex4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.cuda.CudaLibraries.Lib;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Library discovery on fake installations laid out as the CUDA toolkit, containers and Python wheels lay them out. */
class CudaLibrariesTest {
    @TempDir
    Path root;

    Path touch(String rel) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "not really a library");
        return p;
    }

    CudaLibraries search(Map<String, String> env, Map<String, String> props) {
        return new CudaLibraries(env, props, root.resolve("home/user"), root);
    }

    @Test
    void nothingInstalledSaysWhereItLooked() {
        CudaLibraries.Found f = search(Map.of(), Map.of()).find(Lib.NVRTC);
        assertTrue(f.path().isEmpty());
        assertTrue(f.describe().startsWith("no libnvrtc.so.13 (searched"), f.describe());
        assertTrue(
                f.searched().contains(root.resolve("usr/local/cuda/lib64")),
                f.searched().toString());
        List<String> report = CudaInfo.report(search(Map.of(), Map.of()));
        assertEquals("no CUDA driver: no NVIDIA GPU can be used here", report.get(report.size() - 1));
    }

    @Test
    void toolkitFoldersNewestFirstAndCudaHomeBeforeThem() throws IOException {
        touch("usr/local/cuda-12.4/lib64/libcublas.so.12");
        Path v13 = touch("usr/local/cuda-13.0/lib64/libcublas.so.13");
        touch("usr/local/cuda-9.2/lib64/libcublas.so.13");
        assertEquals(v13, search(Map.of(), Map.of()).find(Lib.CUBLAS).path().orElseThrow());
        Path home = touch("opt/cuda/targets/x86_64-linux/lib/libcublas.so.13");
        assertEquals(
                home,
                search(Map.of("CUDA_HOME", root.resolve("opt/cuda").toString()), Map.of())
                        .find(Lib.CUBLAS)
                        .path()
                        .orElseThrow());
        // the user's CUDA_HOME decides even where a newer toolkit is installed; within a folder the newest soname
        Path n12 = touch("opt/cuda12/lib64/libnvrtc.so.12");
        touch("opt/cuda12/lib64/libnvrtc.so");
        Path n13 = touch("usr/local/cuda-13.0/lib64/libnvrtc.so.13");
        assertEquals(
                n12,
                search(Map.of("CUDA_HOME", root.resolve("opt/cuda12").toString()), Map.of())
                        .find(Lib.NVRTC)
                        .path()
                        .orElseThrow());
        assertEquals(n13, search(Map.of(), Map.of()).find(Lib.NVRTC).path().orElseThrow());
    }

    @Test
    void ldLibraryPathAndPythonWheels() throws IOException {
        Path wheel = touch("venv/lib/python3.12/site-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.12");
        assertEquals(
                wheel,
                search(Map.of("VIRTUAL_ENV", root.resolve("venv").toString()), Map.of())
                        .find(Lib.NVRTC)
                        .path()
                        .orElseThrow());
        Path torch = touch("usr/local/lib/python3.11/dist-packages/torch/lib/libcublas.so.12");
        assertEquals(torch, search(Map.of(), Map.of()).find(Lib.CUBLAS).path().orElseThrow());
        Path user = touch("home/user/.local/lib/python3.10/site-packages/nvidia/cu13/lib/libcublas.so.13");
        assertEquals(user, search(Map.of(), Map.of()).find(Lib.CUBLAS).path().orElseThrow());
        Path ld = touch("somewhere/libcublas.so.13");
        assertEquals(
                ld,
                search(Map.of("LD_LIBRARY_PATH", "/nonexistent:" + ld.getParent()), Map.of())
                        .find(Lib.CUBLAS)
                        .path()
                        .orElseThrow());
    }

    @Test
    void driverNeverFromStubsButFromContainerFolder() throws IOException {
        touch("usr/local/cuda/lib64/stubs/libcuda.so.1");
        assertFalse(search(
                        Map.of(
                                "LD_LIBRARY_PATH",
                                root.resolve("usr/local/cuda/lib64/stubs").toString()),
                        Map.of())
                .find(Lib.CUDA)
                .path()
                .isPresent());
        Path drv = touch("usr/local/nvidia/lib64/libcuda.so.1");
        assertEquals(drv, search(Map.of(), Map.of()).find(Lib.CUDA).path().orElseThrow());
    }

    @Test
    void explicitFileWinsAndAMissingOneIsReported() throws IOException {
        touch("usr/local/cuda/lib64/libnvrtc.so.13");
        Path mine = touch("mine/libnvrtc-custom.so");
        assertEquals(
                mine,
                search(Map.of(), Map.of("nvrtc", mine.toString()))
                        .find(Lib.NVRTC)
                        .path()
                        .orElseThrow());
        CudaLibraries.Found f = search(
                        Map.of(), Map.of("nvrtc", root.resolve("gone.so").toString()))
                .find(Lib.NVRTC);
        assertTrue(f.path().isEmpty());
        assertTrue(f.describe().contains("gone.so"), f.describe());
    }

    @Test
    void aFileThatIsNoLibraryGivesOneClearError() throws IOException {
        Path fake = touch("usr/local/cuda/lib64/libnvrtc.so.13");
        CudaException e = assertThrows(CudaException.class, () -> new Nvrtc(fake));
        assertTrue(e.getMessage().startsWith("cannot load " + fake), e.getMessage());
        List<String> report = CudaInfo.report(search(Map.of(), Map.of()));
        assertTrue(
                report.stream().anyMatch(l -> l.startsWith("NVRTC unusable: cannot load " + fake)), report.toString());
    }
}
