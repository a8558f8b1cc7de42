package io.cortex4j.cuda;

import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.BackendProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * Registers the {@link CudaBackend} as "cuda". It is available only if libcuda, libnvrtc and
 * libcublas are found ({@link CudaLibraries}), {@code cuInit} succeeds and at least one device is
 * present; otherwise {@link #unavailableReason()} says which of these failed. The check runs once
 * per provider and never throws.
 */
public final class CudaBackendProvider implements BackendProvider {
    /** The outcome of the availability check: empty reason when available. */
    record Probe(boolean available, String reason) {}

    private final CudaLibraries libraries;
    private volatile Probe probe;

    public CudaBackendProvider() {
        this(null);
    }

    /** A provider that looks for the libraries with {@code libraries} (null: {@link CudaLibraries#system()}). */
    public CudaBackendProvider(CudaLibraries libraries) {
        this.libraries = libraries;
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public boolean isAvailable() {
        return probe().available();
    }

    @Override
    public String unavailableReason() {
        return probe().reason();
    }

    @Override
    public Backend create() {
        Probe p = probe();
        if (!p.available()) throw new IllegalStateException("backend 'cuda' is not available here: " + p.reason());
        return new CudaBackend(CudaBackend.Options.defaults().withLibraries(libs()));
    }

    private CudaLibraries libs() {
        return libraries != null ? libraries : CudaLibraries.system();
    }

    private Probe probe() {
        Probe p = probe;
        if (p == null) {
            try {
                p = check(libs());
            } catch (Throwable t) {
                p = new Probe(false, "CUDA check failed: " + t);
            }
            probe = p;
        }
        return p;
    }

    /** Checks the libraries, the driver's initialisation and the device count; never throws. */
    static Probe check(CudaLibraries libs) {
        List<String> problems = new ArrayList<>();
        CudaLibraries.Found cuda, nvrtc, cublas;
        try {
            cuda = libs.find(CudaLibraries.Lib.CUDA);
            nvrtc = libs.find(CudaLibraries.Lib.NVRTC);
            cublas = libs.find(CudaLibraries.Lib.CUBLAS);
        } catch (Throwable t) {
            return new Probe(false, "could not look for the CUDA libraries: " + t);
        }
        List<String> missing = new ArrayList<>();
        for (CudaLibraries.Found f : List.of(cuda, nvrtc, cublas))
            if (f.path().isEmpty()) missing.add(f.describeShort());
        if (!missing.isEmpty()) problems.add(String.join(", ", missing) + " (searched " + cuda.folderList() + ")");
        if (cuda.path().isPresent()) {
            try {
                CudaDriver drv = new CudaDriver(cuda.path().get());
                try {
                    drv.init();
                    int n = drv.deviceCount();
                    if (n < 1)
                        problems.add("cuInit succeeded but no CUDA device is present (driver CUDA "
                                + drv.driverVersion() + ")");
                } catch (Throwable t) {
                    problems.add("cuInit failed (" + cuda.path().get() + "): " + message(t));
                }
            } catch (Throwable t) {
                problems.add("cannot load the CUDA driver " + cuda.path().get() + ": " + message(t));
            }
        } else {
            problems.add("cuInit not tried (no driver library)");
        }
        if (problems.isEmpty()) return new Probe(true, "");
        return new Probe(false, "CUDA backend unavailable: " + String.join("; ", problems));
    }

    private static String message(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
