package io.cortex4j.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import io.cortex4j.golden.GoldenCases;
import io.cortex4j.golden.GoldenCheck;
import io.cortex4j.golden.GoldenFile;
import io.cortex4j.tensor.DType;
import java.io.IOException;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden case (core's {@link GoldenCases}) on the unchanged {@link CudaBackend} over the host
 * CUDA emulator ({@link HostCuda}), float32, against the CPU backend's reference file, with
 * {@link CudaGoldenReferenceTest}'s criterion ({@link GoldenCheck}: 1e-4 for ops, the case's own
 * tolerance for models). Skipped with the reason where the emulator cannot be built.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostCudaGoldenTest {
    private CudaBackend backend;
    private GoldenFile.Reference ref;

    @BeforeAll
    void readTheReference() throws IOException {
        ref = GoldenFile.readResource(HostCudaGoldenTest.class);
    }

    Stream<String> cases() {
        return GoldenCases.all().stream().map(GoldenCases.Case::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hostEmulatedCudaFloat32MatchesTheCpuReference(String name) {
        HostCuda h = HostCuda.require();
        if (backend == null) backend = new CudaBackend(h.options());
        GoldenCases.Case c = GoldenCases.byName(name);
        Map<String, GoldenCases.Output> got = GoldenCases.run(c, backend, DType.FLOAT32);
        GoldenCheck.Result r = GoldenCheck.compare(c, got, ref.of(name), ref.source());
        System.out.printf(
                "golden %-40s cuda (host emulator) float32 vs cpu reference: largest error %.3g (%s), tolerance %.0e%n",
                name, r.maxError(), r.worst(), c.tolerance());
        if (!r.passed()) fail(r.message());
    }

    @AfterAll
    void closeBackend() {
        if (backend != null) {
            backend.close();
            HostCuda.SUITES_DONE.add(getClass().getSimpleName());
        }
    }
}
