package io.cortex4j.cuda;

import io.cortex4j.backend.cpu.BackendConformanceTest;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The shared backend conformance suite (core's {@link BackendConformanceTest}) against the unchanged
 * {@link CudaBackend} running on the host CUDA emulator ({@link HostCuda}: the kernel sources compiled
 * for the CPU, the driver, cuBLAS and NVRTC emulated), float32 and float64, exactly as
 * {@link CudaBackendConformanceTest} runs it on a GPU. Skipped with the reason where the emulator
 * cannot be built (no g++, nvcc or cuda.h).
 */
class HostCudaConformanceTest extends BackendConformanceTest {
    private CudaBackend backend;

    @Override
    protected Stream<Arguments> backends() {
        if (backend == null && HostCuda.get().isPresent())
            backend = new CudaBackend(HostCuda.get().get().options());
        String name = backend != null ? "cuda-host-emulator" : "cuda-host-emulator (unavailable)";
        Backend shared = backend != null ? NonClosingBackend.of(backend) : null; // JUnit closes AutoCloseable arguments
        return Arrays.stream(DType.values()).map(d -> Arguments.of(name, shared, d));
    }

    @BeforeEach
    void skipWithoutTheEmulator() {
        HostCuda.require();
    }

    @AfterAll
    void closeBackend() {
        if (backend != null) {
            backend.close();
            HostCuda.SUITES_DONE.add(getClass().getSimpleName());
        }
    }
}
