package io.cortex4j.backend.cpu;

import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.BackendProvider;

/** Registers the ND4J CPU backend under the name "cpu". */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Backend create() {
        return new Nd4jCpuBackend();
    }
}
