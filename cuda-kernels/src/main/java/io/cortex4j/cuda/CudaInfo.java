package io.cortex4j.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code cortex4j info} says about CUDA: where each library was found (or where it was looked
 * for), the driver's CUDA version, NVRTC's version, and every device with its compute capability,
 * multiprocessors and memory.
 */
public final class CudaInfo {
    private CudaInfo() {}

    public static List<String> report(CudaLibraries libs) {
        List<String> out = new ArrayList<>();
        CudaLibraries.Found cuda = libs.find(CudaLibraries.Lib.CUDA),
                nvrtc = libs.find(CudaLibraries.Lib.NVRTC),
                cublas = libs.find(CudaLibraries.Lib.CUBLAS);
        out.add("library folders searched: " + cuda.folderList());
        for (CudaLibraries.Found f : List.of(cuda, nvrtc, cublas)) out.add(f.describeShort());
        if (nvrtc.path().isPresent()) {
            try {
                out.add("NVRTC " + new Nvrtc(nvrtc.path().get()).version());
            } catch (CudaException e) {
                out.add("NVRTC unusable: " + e.getMessage());
            }
        }
        if (cuda.path().isEmpty()) {
            out.add("no CUDA driver: no NVIDIA GPU can be used here");
            return out;
        }
        try {
            CudaDriver d = new CudaDriver(cuda.path().get());
            d.init();
            int n = d.deviceCount();
            out.add("driver supports CUDA " + d.driverVersion() + ", " + n + " device" + (n == 1 ? "" : "s"));
            for (int i = 0; i < n; i++) {
                int dev = d.device(i);
                out.add(String.format(
                        Locale.ROOT,
                        "device %d: %s, compute capability %d.%d, %d SMs, %.1f GiB",
                        i,
                        d.deviceName(dev),
                        d.attribute(dev, CudaDriver.ATTR_COMPUTE_CAPABILITY_MAJOR),
                        d.attribute(dev, CudaDriver.ATTR_COMPUTE_CAPABILITY_MINOR),
                        d.attribute(dev, CudaDriver.ATTR_MULTIPROCESSOR_COUNT),
                        d.totalMemory(dev) / (double) (1L << 30)));
            }
        } catch (CudaException e) {
            out.add("driver unusable: " + e.getMessage());
        }
        return out;
    }
}
