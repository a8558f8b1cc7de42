package io.cortex4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.cortex4j.golden.GoldenCases;
import io.cortex4j.golden.GoldenCheck;
import io.cortex4j.golden.GoldenFile;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CUDA backend, float32, against the outputs the CPU backend wrote beforehand for every golden
 * case (core's {@link GoldenCases}, from its test-jar; the file {@value GoldenFile#RESOURCE} on this
 * module's test class path, kept in step with the CPU backend by core's CpuGoldenReferenceTest).
 * No ND4J is needed, so this runs in the GPU pack (scripts/gpu-check), which has none of its
 * native libraries.
 *
 * <p>Criterion ({@link GoldenCheck}): every element {@code |cuda − cpu| ≤ tol·max(|cpu|, scale)},
 * scale being the array's RMS or the case's own magnitude; tol = 1e-4 for every op (fp32 relative
 * error below 1e-4 against the CPU backend) and the model cases' documented tolerance
 * ({@link GoldenCases.Case#tolerance()}: tens of dependent Euler steps). A failure names the case,
 * the array, the index and both values. Without a usable GPU every case is skipped with the
 * provider's reason; the file itself is still read and checked against the case list.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaGoldenReferenceTest {
    private final CudaBackendProvider provider = new CudaBackendProvider();
    private Backend backend;
    private GoldenFile.Reference ref;

    @BeforeAll
    void readTheReference() throws IOException {
        ref = GoldenFile.readResource(CudaGoldenReferenceTest.class);
    }

    Stream<String> cases() {
        return GoldenCases.all().stream().map(GoldenCases.Case::name);
    }

    /** Runs without a GPU: the reference travelled with the tests and holds every case. */
    @Test
    void theReferenceFileHoldsEveryCase() {
        assertEquals(
                cases().toList(),
                new ArrayList<>(ref.cases().keySet()),
                ref.source() + " does not hold GoldenCases.all(): regenerate it (core's CpuGoldenReferenceTest)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cudaFloat32MatchesTheCpuReference(String name) {
        if (backend == null) backend = createBackend();
        GoldenCases.Case c = GoldenCases.byName(name);
        Map<String, GoldenCases.Output> got = GoldenCases.run(c, backend, DType.FLOAT32);
        GoldenCheck.Result r = GoldenCheck.compare(c, got, ref.of(name), ref.source());
        System.out.printf(
                "golden %-40s %s float32 vs cpu reference: largest error %.3g (%s), tolerance %.0e%n",
                name, label(), r.maxError(), r.worst(), c.tolerance());
        if (!r.passed()) fail(r.message());
    }

    /** The backend under test: on a GPU (skipped where none is usable); {@link HostCudaGoldenTest} gives the emulator's. */
    Backend createBackend() {
        Assumptions.assumeTrue(
                provider.isAvailable(), () -> "CUDA golden cases skipped: " + provider.unavailableReason());
        return provider.create();
    }

    /** How the output names the backend. */
    String label() {
        return "cuda";
    }

    @AfterAll
    void closeBackend() {
        if (backend != null) backend.close();
    }
}
