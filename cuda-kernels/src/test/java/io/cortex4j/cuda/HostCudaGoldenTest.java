package io.cortex4j.cuda;

import io.cortex4j.golden.GoldenCases;
import io.cortex4j.golden.GoldenCheck;
import io.cortex4j.tensor.Backend;
import org.junit.jupiter.api.AfterAll;

/**
 * Every golden case (core's {@link GoldenCases}) on the unchanged {@link CudaBackend} over the host
 * CUDA emulator ({@link HostCuda}), float32, against the CPU backend's reference file: all of
 * {@link CudaGoldenReferenceTest} with its criterion ({@link GoldenCheck}: 1e-4 for ops, the case's
 * own tolerance for models). Skipped with the reason where the emulator cannot be built.
 */
class HostCudaGoldenTest extends CudaGoldenReferenceTest {
    @Override
    Backend createBackend() {
        return new CudaBackend(HostCuda.require().options());
    }

    @Override
    String label() {
        return "cuda (host emulator)";
    }

    @AfterAll
    void suiteDone() {
        HostCuda.SUITES_DONE.add(getClass().getSimpleName());
    }
}
