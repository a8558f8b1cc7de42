package io.cortex4j.cuda;

import io.cortex4j.backend.cpu.BackendConformanceTest;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The shared backend conformance suite (core's {@link BackendConformanceTest}, from its test-jar)
 * against the CUDA backend, float32 and float64. Where no usable GPU is present every case is
 * skipped with the provider's reason (which library, cuInit or device is missing).
 */
class CudaBackendConformanceTest extends BackendConformanceTest {
    private final CudaBackendProvider provider = new CudaBackendProvider();
    private CudaBackend backend;

    @Override
    protected Stream<Arguments> backends() {
        if (provider.isAvailable() && backend == null) backend = (CudaBackend) provider.create();
        String name = backend != null ? "cuda" : "cuda (unavailable)";
        // JUnit closes AutoCloseable arguments after each case: the cases get a view whose close() does nothing
        Backend shared = backend != null ? NonClosingBackend.of(backend) : null;
        return Arrays.stream(DType.values()).map(d -> Arguments.of(name, shared, d));
    }

    @BeforeEach
    void skipWithoutAGpu() {
        Assumptions.assumeTrue(
                provider.isAvailable(), () -> "CUDA conformance cases skipped: " + provider.unavailableReason());
    }

    @AfterAll
    void closeBackend() {
        if (backend != null) backend.close();
    }
}
