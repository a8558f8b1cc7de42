package io.cortex4j.backend.cpu;

import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.BackendProvider;

/**
 * Registers the ND4J CPU backend under the name "cpu". It is available where ND4J's native CPU
 * libraries for this platform are on the class path (the {@code nd4j-native-…-<platform>.jar}); a
 * packaging without them (the GPU checks) reports which jar is missing instead of failing in ND4J.
 */
public final class CpuBackendProvider implements BackendProvider {
    private static final String NATIVE_DIR = "org/nd4j/linalg/cpu/nativecpu/bindings/";

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public boolean isAvailable() {
        return unavailableReason().isEmpty();
    }

    @Override
    public String unavailableReason() {
        String plat = platform();
        ClassLoader cl = CpuBackendProvider.class.getClassLoader();
        for (String lib : new String[] {"libjnind4jcpu.so", "libjnind4jcpu.dylib", "jnind4jcpu.dll"}) {
            if (cl.getResource(NATIVE_DIR + plat + "/" + lib) != null) return "";
        }
        return "ND4J's native CPU libraries for " + plat + " are not on the class path (nd4j-native-<version>-" + plat
                + ".jar)";
    }

    /** JavaCPP's platform name of this JVM, e.g. linux-x86_64. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT),
                arch = System.getProperty("os.arch", "");
        String o = os.startsWith("mac") ? "macosx" : os.startsWith("win") ? "windows" : "linux";
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
        return o + "-" + a;
    }

    @Override
    public Backend create() {
        return new Nd4jCpuBackend();
    }
}
