package io.cortex4j.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The NVRTC binding compiles every kernel source to PTX for Hopper (compute_90), as the backend will
 * at first use; NVRTC needs no GPU. Skipped, with the folders searched, where no libnvrtc is installed.
 */
class NvrtcCompileTest {
    static Nvrtc nvrtcOrSkip() {
        CudaLibraries.Found f = CudaLibraries.system().find(CudaLibraries.Lib.NVRTC);
        Assumptions.assumeTrue(f.path().isPresent(), () -> "NVRTC tests skipped: " + f.describe());
        return new Nvrtc(f.path().get());
    }

    @Test
    void everyKernelSourceCompilesToPtxWithItsEntries() throws Exception {
        Nvrtc nvrtc = nvrtcOrSkip();
        Pattern kernel = Pattern.compile("extern\\s+\"C\"\\s+__global__\\s+void\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*\\(");
        List<Path> sources = KernelSourcesCompileTest.cudaSources();
        assertTrue(!sources.isEmpty());
        for (Path src : sources) {
            String code = Files.readString(src);
            Nvrtc.Output out = nvrtc.compile(src.getFileName().toString(), code, "compute_90", List.of());
            String ptx = out.ptx();
            Matcher m = kernel.matcher(code);
            while (m.find()) assertTrue(ptx.contains(".entry " + m.group(1)), src + ": no PTX entry " + m.group(1));
        }
    }

    @Test
    void aCompileErrorCarriesNvrtcsLog() {
        Nvrtc nvrtc = nvrtcOrSkip();
        CudaException e = assertThrows(
                CudaException.class,
                () -> nvrtc.compile(
                        "broken.cu",
                        "extern \"C\" __global__ void k(float* x) { x[0] = undefined_name; }",
                        "compute_90",
                        List.of()));
        assertTrue(e.getMessage().contains("broken.cu") && e.getMessage().contains("undefined_name"), e.getMessage());
    }
}
