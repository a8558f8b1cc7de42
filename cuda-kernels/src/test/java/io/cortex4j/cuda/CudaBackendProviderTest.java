package io.cortex4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cortex4j.tensor.BackendProvider;
import io.cortex4j.tensor.Backends;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Availability of the CUDA backend where the libraries or the GPU are missing; needs no GPU. */
class CudaBackendProviderTest {
    @Test
    void isRegisteredAsCuda() {
        BackendProvider p = Backends.providers().stream()
                .filter(x -> x.name().equals("cuda"))
                .findFirst()
                .orElseThrow();
        assertTrue(p instanceof CudaBackendProvider);
    }

    @Test
    void withoutAnyLibraryItNamesAllThreeAndNeverThrows(@TempDir Path root) {
        CudaLibraries none = new CudaLibraries(Map.of(), Map.of(), root.resolve("home"), root);
        CudaBackendProvider p = new CudaBackendProvider(none);
        assertFalse(p.isAvailable());
        String why = p.unavailableReason();
        for (String lib : new String[] {"libcuda.so.1", "libnvrtc.so.13", "libcublas.so.13", "cuInit"})
            assertTrue(why.contains(lib), why);
        IllegalStateException e = assertThrows(IllegalStateException.class, p::create);
        assertTrue(e.getMessage().contains("libcuda.so.1"), e.getMessage());
    }

    @Test
    void aDriverThatCannotLoadIsReportedNotThrown(@TempDir Path root) throws Exception {
        Path fake = root.resolve("libcuda.so.1");
        java.nio.file.Files.writeString(fake, "not a shared library");
        CudaLibraries libs = new CudaLibraries(Map.of(), Map.of("cuda", fake.toString()), root.resolve("home"), root);
        CudaBackendProvider p = new CudaBackendProvider(libs);
        assertFalse(p.isAvailable());
        assertTrue(p.unavailableReason().contains(fake.toString()), p.unavailableReason());
    }

    @Test
    void onAMachineWithoutTheDriverTheReasonSaysSo() {
        CudaLibraries.Found cuda = CudaLibraries.system().find(CudaLibraries.Lib.CUDA);
        Assumptions.assumeTrue(cuda.path().isEmpty(), "this machine has a CUDA driver");
        CudaBackendProvider p = new CudaBackendProvider();
        assertFalse(p.isAvailable());
        assertTrue(p.unavailableReason().contains("no libcuda.so.1"), p.unavailableReason());
        assertEquals(p.unavailableReason(), new CudaBackendProvider().unavailableReason(), "the reason is stable");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.create("cuda"));
        assertTrue(e.getMessage().contains("libcuda.so.1"), e.getMessage());
    }
}
