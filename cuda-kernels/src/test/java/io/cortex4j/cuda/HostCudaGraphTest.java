package io.cortex4j.cuda;

import org.junit.jupiter.api.AfterAll;

/**
 * {@link CudaGraphTest} (CUDA graphs: {@link CudaBackend#runRepeated} captured, instantiated, replayed
 * with patched kernel-node arguments, against op-by-op runs and the CPU backend) on the host CUDA
 * emulator ({@link HostCuda}), whose stream capture records the launches, copies, fills and GEMMs
 * into a graph and whose {@code cuGraphExecKernelNodeSetParams} reads the node parameters as
 * {@code cuda.h} lays them out. Skipped with the reason where the emulator cannot be built.
 */
class HostCudaGraphTest extends CudaGraphTest {
    @Override
    CudaBackend createBackend() {
        return new CudaBackend(HostCuda.require().options());
    }

    @AfterAll
    void suiteDone() {
        HostCuda.SUITES_DONE.add(getClass().getSimpleName());
    }
}
