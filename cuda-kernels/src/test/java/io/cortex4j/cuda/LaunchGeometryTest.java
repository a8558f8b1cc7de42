package io.cortex4j.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launch geometry of the CUDA backend, without a GPU: every launch {@link CudaBackend} computes
 * (its package-private {@code Launch} factories) for the shapes of the models in {@code configs/}
 * stays within the limits of compute capabilities 7.5 to 10.0, honours each kernel's own block-size
 * guard and grid-strides where the grid is capped; and {@code ptxas -v} for sm_75, sm_80, sm_90 and
 * sm_100 shows each kernel's registers and static shared memory fit the block it is launched with.
 */
class LaunchGeometryTest {

    // Limits shared by compute capabilities 7.5, 8.x, 9.0 and 10.0 (CUDA C++ Programming Guide,
    // "Features and Technical Specifications"): hardware facts, not settings of the backend.
    static final int MAX_THREADS_PER_BLOCK = 1024;
    static final long MAX_GRID_X = (1L << 31) - 1;
    static final int MAX_STATIC_SHARED_BYTES = 48 * 1024;
    static final int REGISTERS_PER_BLOCK = 64 * 1024;
    static final int MAX_REGISTERS_PER_THREAD = 255;
    /** Registers are allocated per warp in units of 256. */
    static final int REGISTER_ALLOCATION_UNIT = 256, WARP = 32;

    static final List<String> ARCHS = List.of("sm_75", "sm_80", "sm_90", "sm_100");

    /** One kernel launch the backend issues for a model shape: its kernel, the launch, the blocks one pass needs, and why. */
    record Use(String kernel, CudaBackend.Launch launch, long onePassBlocks, String where) {}

    // ----------------------------------------------------------------------------------------- kernel sources

    /** A kernel as its source defines it: its body, and the block-size guard it returns on. */
    record Kernel(String name, String body) {
        private static final Pattern GUARD = Pattern.compile("if \\(blockDim\\.x (>|!=) (\\d+)");

        /** Whether {@code block} threads pass the kernel's "if (blockDim.x > N / != N) return" guard (no guard: any). */
        boolean accepts(int block) {
            Matcher m = GUARD.matcher(body);
            while (m.find()) {
                int n = Integer.parseInt(m.group(2));
                if (m.group(1).equals(">") ? block > n : block != n) return false;
            }
            return true;
        }

        /** Whether the kernel loops over the grid (so fewer blocks than items still cover all). */
        boolean gridStrides() {
            return body.contains("gridDim.x") || body.contains("_GRID_STRIDE(") || body.contains("rd_chunk(");
        }
    }

    static Map<String, Kernel> kernels() {
        Pattern start = Pattern.compile("extern\\s+\"C\"\\s+__global__\\s+void\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*\\(");
        Map<String, Kernel> out = new LinkedHashMap<>();
        for (String file : KernelSources.list()) {
            String src = KernelSources.load(file);
            Matcher m = start.matcher(src);
            List<int[]> at = new ArrayList<>();
            List<String> names = new ArrayList<>();
            while (m.find()) {
                at.add(new int[] {m.start()});
                names.add(m.group(1));
            }
            for (int i = 0; i < names.size(); i++) {
                int from = at.get(i)[0], to = i + 1 < names.size() ? at.get(i + 1)[0] : src.length();
                out.put(names.get(i), new Kernel(names.get(i), src.substring(from, to)));
            }
        }
        assertFalse(out.isEmpty(), "no kernels found in " + KernelSources.list());
        return out;
    }

    // ----------------------------------------------------------------------------------------- the backend's launches
    // for a shape

    static void both(List<Use> out, String kernel, CudaBackend.Launch l, long onePass, String where) {
        out.add(new Use(kernel, l, onePass, where));
        out.add(new Use(kernel + "_f64", l, onePass, where));
    }

    static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Every [E] kernel over {@code count} items (the ops a layer of that size may run). */
    static void elementwise(List<Use> out, long count, String where) {
        CudaBackend.Launch e = CudaBackend.elementwise(count);
        long one = e == null ? 0 : ceil(count, e.block());
        for (String k : List.of(
                "fill",
                "lincomb",
                "mul",
                "div_elem",
                "activation",
                "lincomb_activation",
                "lincomb_chain",
                "prediction_error",
                "high_pass",
                "burst",
                "lif_step",
                "sign_concordant",
                "adam_step",
                "clamp",
                "gle_neuron_step",
                "has_non_finite",
                "same_content")) both(out, k, e, one, where + ", " + count + " elements");
        // ou_step and bernoulli: four items per thread
        CudaBackend.Launch q = CudaBackend.elementwise((count + 3) / 4);
        long oneQ = q == null ? 0 : ceil((count + 3) / 4, q.block());
        both(out, "ou_step", q, oneQ, where + ", " + count + " elements (4 per thread)");
        both(out, "bernoulli", q, oneQ, where + ", " + count + " elements (4 per thread)");
        // whole-tensor reductions
        CudaBackend.Launch p = CudaBackend.partialSums(count);
        for (String k : List.of("sum_partials", "dot_partials", "max_abs_partials"))
            both(out, k, p, p.grid(), where + ", reduction over " + count);
        out.add(new Use("sum_finish", CudaBackend.finish(), 1, where + ", reduction finish"));
        out.add(new Use("max_abs_finish", CudaBackend.finish(), 1, where + ", reduction finish"));
    }

    /** The ops on a [rows, n] matrix: row vectors, column sums, softmax, transposes, gather/scatter of its rows. */
    static void matrix(List<Use> out, int rows, int n, String where) {
        String w = where + ", [" + rows + ", " + n + "]";
        long len = (long) rows * n;
        elementwise(out, len, w);
        CudaBackend.Launch e = CudaBackend.elementwise(len);
        both(out, "add_row_vector", e, ceil(len, e.block()), w);
        both(out, "gather_rows", e, ceil(len, e.block()), w);
        both(out, "scatter_rows", CudaBackend.perRow(rows), rows, w);
        both(out, "low_pass_outer_apply", e, ceil(len, e.block()), w);
        both(out, "block_transpose", CudaBackend.transposeTiles(1, rows, n), ceil(rows, 32) * ceil(n, 32), w);
        both(out, "block_transpose", CudaBackend.transposeTiles(1, n, rows), ceil(rows, 32) * ceil(n, 32), w);
        if (n >= CudaBackend.COLUMN_SUMS_WIDE || rows < CudaBackend.COLUMN_SUMS_TALL) {
            CudaBackend.Launch c = CudaBackend.elementwise(n);
            both(out, "column_sums", c, ceil(n, c.block()), w);
        } else {
            long chunks = ceil(rows, CudaBackend.ROWS_PER_CHUNK);
            both(out, "column_sums_partial", CudaBackend.columnTiles(rows, n), ceil(n, 32) * chunks, w);
            CudaBackend.Launch c = CudaBackend.elementwise(n);
            both(out, "column_sums_finish", c, ceil(n, c.block()), w);
        }
        if (n <= CudaBackend.SOFTMAX_THREAD_PER_ROW_MAX) {
            CudaBackend.Launch s = CudaBackend.elementwise(rows);
            both(out, "softmax_rows", s, ceil(rows, s.block()), w);
        } else {
            both(out, "softmax_rows_block", CudaBackend.perRow(rows), rows, w);
        }
    }

    /** A convolution of x [batch, c*h*w] with f filters of k × k, stride s, padding p. */
    static void conv(List<Use> out, int batch, int c, int h, int w, int f, int k, int s, int p, String where) {
        int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1, positions = oh * ow;
        String at = where + ", conv " + c + "x" + h + "x" + w + " -> " + f + "x" + oh + "x" + ow + " (k" + k + " s" + s
                + ") batch " + batch;
        long cols = (long) batch * positions * c * k * k, x = (long) batch * c * h * w;
        CudaBackend.Launch im = CudaBackend.elementwise(cols), back = CudaBackend.elementwise(x);
        both(out, "im2col", im, ceil(cols, im.block()), at);
        both(out, "col2im", back, ceil(x, back.block()), at);
        // the GEMM output [batch*P, f] and its per-sample transposes [P, f] <-> [f, P]
        matrix(out, batch * positions, f, at + ", im2col GEMM output");
        both(
                out,
                "block_transpose",
                CudaBackend.transposeTiles(batch, positions, f),
                (long) batch * ceil(positions, 32) * ceil(f, 32),
                at + ", per-sample transpose");
        matrix(out, batch * positions, c * k * k, at + ", im2col columns");
        matrix(out, f, c * k * k, at + ", filters");
    }

    static List<Use> modelUses(Path configs) throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<Use> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(configs)) {
            files = s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path file : files) {
            JsonNode root = yaml.readTree(file.toFile());
            JsonNode model = root.path("model"), layers = model.path("layers");
            if (!layers.isArray() || layers.isEmpty()) continue;
            List<Integer> batches = new ArrayList<>();
            for (String b : List.of("batch", "evalBatch"))
                if (root.path("schedule").path(b).isInt())
                    batches.add(root.path("schedule").path(b).asInt());
            if (batches.isEmpty()) batches.add(1);
            for (int batch : batches) {
                String where = file.getFileName() + " (batch " + batch + ")";
                int[] dims; // [c, h, w] or [features]
                int first = 0;
                JsonNode in = model.path("input");
                if (in.isArray())
                    dims = new int[] {
                        in.get(0).asInt(), in.get(1).asInt(), in.get(2).asInt()
                    };
                else if (in.isInt()) dims = new int[] {in.asInt()};
                else if (layers.get(0).isInt()) {
                    dims = new int[] {layers.get(0).asInt()};
                    first = 1;
                } else continue;
                // the data set as one tensor (the largest a run holds: 60000 samples of the input)
                long features = dims.length == 3 ? (long) dims[0] * dims[1] * dims[2] : dims[0];
                matrix(out, 60000, (int) features, where + ", data set");
                for (int i = first; i < layers.size(); i++) {
                    JsonNode l = layers.get(i);
                    String type = l.isInt() ? "dense" : l.path("type").asText("dense");
                    int inFeatures = dims.length == 3 ? dims[0] * dims[1] * dims[2] : dims[0];
                    switch (type) {
                        case "conv" -> {
                            int f = l.path("filters").asInt(),
                                    k = l.path("kernel").asInt();
                            int s = l.path("stride").asInt(1),
                                    p = l.path("padding").asInt(0);
                            conv(out, batch, dims[0], dims[1], dims[2], f, k, s, p, where);
                            dims = new int[] {f, (dims[1] + 2 * p - k) / s + 1, (dims[2] + 2 * p - k) / s + 1};
                        }
                        case "maxpool" -> {
                            int k = l.path("kernel").asInt();
                            int[] o = {dims[0], dims[1] / k, dims[2] / k};
                            long count = (long) batch * o[0] * o[1] * o[2];
                            CudaBackend.Launch e = CudaBackend.elementwise(count);
                            both(out, "max_pool", e, ceil(count, e.block()), where + ", maxpool " + k);
                            dims = o;
                        }
                        case "dense" -> {
                            int units = l.isInt() ? l.asInt() : l.path("units").asInt();
                            matrix(out, batch, units, where + ", dense " + inFeatures + " -> " + units);
                            matrix(out, inFeatures, units, where + ", weights " + inFeatures + " x " + units);
                            matrix(out, batch, inFeatures, where + ", dense input");
                            dims = new int[] {units};
                        }
                        default -> fail(file + ": layer type " + type + " unknown to this test");
                    }
                }
            }
        }
        return out;
    }

    static Optional<Path> configsDir() {
        String base = System.getProperty("basedir");
        Path b = base != null ? Path.of(base) : Path.of("");
        for (Path c : List.of(b.resolve("../configs"), b.resolve("configs"), b.resolve("../../configs")))
            if (Files.isDirectory(c)) return Optional.of(c.normalize());
        return Optional.empty();
    }

    /** Every problem a launch has: hardware limits, the kernel's guard, coverage where the grid is capped. */
    static List<String> problems(List<Use> uses, Map<String, Kernel> kernels) {
        List<String> problems = new ArrayList<>();
        for (Use u : uses) {
            String at = u.kernel() + " at " + u.where() + ": ";
            Kernel k = kernels.get(u.kernel());
            if (k == null) {
                problems.add(at + "no such kernel in the sources");
                continue;
            }
            CudaBackend.Launch l = u.launch();
            if (l == null) {
                if (u.onePassBlocks() > 0) problems.add(at + "no launch for " + u.onePassBlocks() + " blocks of work");
                continue;
            }
            if (l.block() < 1 || l.block() > MAX_THREADS_PER_BLOCK)
                problems.add(at + "block " + l.block() + " outside 1.." + MAX_THREADS_PER_BLOCK);
            if (l.block() % WARP != 0) problems.add(at + "block " + l.block() + " is not a whole number of warps");
            if (l.grid() < 1 || l.grid() > MAX_GRID_X)
                problems.add(at + "grid " + l.grid() + " outside 1.." + MAX_GRID_X);
            if (!k.accepts(l.block()))
                problems.add(at + "block " + l.block() + " fails the kernel's blockDim.x guard (it would do nothing)");
            if (l.grid() < u.onePassBlocks() && !k.gridStrides())
                problems.add(at + "grid " + l.grid() + " < " + u.onePassBlocks()
                        + " blocks needed, and the kernel does not loop over the grid");
        }
        return problems;
    }

    // ----------------------------------------------------------------------------------------- tests: grids and blocks

    @Test
    void launchesForTheModelShapesFitTheDevices() throws Exception {
        Optional<Path> configs = configsDir();
        Assumptions.assumeTrue(configs.isPresent(), "no configs/ folder beside " + System.getProperty("basedir"));
        List<Use> uses = modelUses(configs.get());
        assertTrue(uses.size() > 1000, "too few launches derived from " + configs.get() + ": " + uses.size());
        assertTrue(
                uses.stream()
                        .anyMatch(u -> u.where().contains("cifar10-lenet5")
                                && u.kernel().equals("im2col")),
                "the CIFAR-10 LeNet5 convolutions were not derived");
        List<String> problems = problems(uses, kernels());
        if (!problems.isEmpty())
            fail(problems.size() + " launch problem(s):\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(40, problems.size()))));
        Use largest = uses.stream()
                .filter(u -> u.launch() != null)
                .max((a, b) -> Long.compare(a.onePassBlocks(), b.onePassBlocks()))
                .orElseThrow();
        System.out.println("LaunchGeometryTest: " + uses.size() + " launches checked; the largest wants "
                + largest.onePassBlocks() + " blocks (" + largest.kernel() + " at " + largest.where() + "), issued as "
                + largest.launch());
    }

    /** Far beyond any model: the grid stays within the device limit, and kernels that get fewer blocks loop. */
    @Test
    void launchesOfHugeSizesStayWithinTheLimits() {
        List<Use> uses = new ArrayList<>();
        for (long n : new long[] {1, 255, 256, 257, 1L << 20, 1L << 28, (1L << 31) - 1, 1L << 31, 1L << 36, 1L << 40}) {
            CudaBackend.Launch e = CudaBackend.elementwise(n);
            uses.add(new Use("fill", e, ceil(n, e.block()), "n = " + n));
            CudaBackend.Launch p = CudaBackend.partialSums(n);
            uses.add(new Use("sum_partials", p, p.grid(), "n = " + n));
        }
        int max = Integer.MAX_VALUE;
        uses.add(new Use("softmax_rows_block", CudaBackend.perRow(max), max, "rows = 2^31-1"));
        uses.add(new Use("scatter_rows", CudaBackend.perRow(max), max, "batch = 2^31-1"));
        // column_sums_partial serves fewer than COLUMN_SUMS_WIDE columns only
        int cols = CudaBackend.COLUMN_SUMS_WIDE - 1;
        uses.add(new Use(
                "column_sums_partial",
                CudaBackend.columnTiles(max, cols),
                ceil(cols, 32) * ceil(max, CudaBackend.ROWS_PER_CHUNK),
                "[2^31-1, " + cols + "]"));
        // p or q above 2^31-32 overflows ceil(p/32) in int, in transposeTiles and in the kernel alike (no model
        // comes near: the largest is the 60000-row data set); up to there the tiles are counted right
        int big = max - 31;
        for (int[] pq : new int[][] {{big, 1}, {1, big}, {big, big}, {big, 7}})
            uses.add(new Use(
                    "block_transpose",
                    CudaBackend.transposeTiles(1, pq[0], pq[1]),
                    ceil(pq[0], 32) * ceil(pq[1], 32),
                    "transpose [" + pq[0] + ", " + pq[1] + "]"));
        List<String> problems = problems(uses, kernels());
        if (!problems.isEmpty()) fail(String.join("\n", problems));
    }

    /** The check itself: a block the kernel's guard refuses, a grid beyond the device, an uncovered capped grid are reported. */
    @Test
    void aBadLaunchIsReported() {
        Map<String, Kernel> ks = new LinkedHashMap<>(kernels());
        ks.put("one_pass_only", new Kernel("one_pass_only", "{ int i = blockIdx.x * blockDim.x + threadIdx.x; }"));
        List<String> p = problems(
                List.of(
                        new Use("softmax_rows_block", new CudaBackend.Launch(1, 512), 1, "planted 512 threads"),
                        new Use("block_transpose", new CudaBackend.Launch(1, 128), 1, "planted 128 threads"),
                        new Use("fill", new CudaBackend.Launch(1, 2048), 1, "planted 2048 threads"),
                        new Use("fill", new CudaBackend.Launch(0, 256), 1, "planted empty grid"),
                        new Use("one_pass_only", new CudaBackend.Launch(10, 256), 11, "planted capped grid")),
                ks);
        assertTrue(p.size() >= 5, p::toString);
        for (String planted : List.of("512 threads", "128 threads", "2048 threads", "empty grid", "capped grid"))
            assertTrue(p.stream().anyMatch(s -> s.contains(planted)), planted + " not reported: " + p);
        assertTrue(ks.get("block_transpose").accepts(256) && ks.get("fill").gridStrides());
    }

    // ----------------------------------------------------------------------------------------- tests: ptxas

    /** A kernel's resources as {@code ptxas -v} reports them. */
    record Resources(int registers, int sharedBytes, int stackBytes, int spillBytes) {}

    static final Pattern PTXAS_ENTRY = Pattern.compile("Compiling entry function '([A-Za-z0-9_]+)' for '(sm_\\d+a?)'");
    static final Pattern PTXAS_USED = Pattern.compile("Used (\\d+) registers(?:.*?, (\\d+) bytes smem)?");
    static final Pattern PTXAS_FRAME =
            Pattern.compile("(\\d+) bytes stack frame, (\\d+) bytes spill stores, (\\d+) bytes spill loads");

    static Map<String, Resources> parsePtxas(String log) {
        Map<String, Resources> out = new TreeMap<>();
        String current = null;
        int stack = 0, spill = 0;
        for (String line : log.lines().toList()) {
            Matcher e = PTXAS_ENTRY.matcher(line), f = PTXAS_FRAME.matcher(line), u = PTXAS_USED.matcher(line);
            if (e.find()) {
                current = e.group(1);
                stack = spill = 0;
            } else if (f.find()) {
                stack = Integer.parseInt(f.group(1));
                spill = Integer.parseInt(f.group(2)) + Integer.parseInt(f.group(3));
            } else if (u.find() && current != null) {
                int smem = u.group(2) == null ? 0 : Integer.parseInt(u.group(2));
                out.put(current, new Resources(Integer.parseInt(u.group(1)), smem, stack, spill));
                current = null;
            }
        }
        return out;
    }

    static Optional<Path> findPtxas(Path nvcc) {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) for (String d : path.split(File.pathSeparator)) if (!d.isEmpty()) dirs.add(Path.of(d));
        String home = System.getenv("CUDA_HOME");
        if (home != null && !home.isBlank()) dirs.add(Path.of(home, "bin"));
        dirs.add(nvcc.toAbsolutePath().getParent());
        dirs.add(Path.of("/usr/local/cuda/bin"));
        return dirs.stream()
                .map(d -> d.resolve("ptxas"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    static String[] run(List<String> cmd, Path dir) throws Exception {
        Path log = dir.resolve("log-" + System.nanoTime() + ".txt");
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + String.join(" ", cmd));
        }
        return new String[] {Integer.toString(p.exitValue()), Files.readString(log, StandardCharsets.UTF_8)};
    }

    /** Registers a block of {@code threads} takes: per warp, registers × 32 rounded up to the allocation unit. */
    static long registersPerBlock(int registers, int threads) {
        long perWarp = ceil((long) registers * WARP, REGISTER_ALLOCATION_UNIT) * REGISTER_ALLOCATION_UNIT;
        return ceil(threads, WARP) * perWarp;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sm_75", "sm_80", "sm_90", "sm_100"})
    void kernelResourcesFitTheirLaunches(String arch, @TempDir Path tmp) throws Exception {
        Path nvcc = KernelSourcesCompileTest.nvccOrSkip();
        Optional<Path> ptxas = findPtxas(nvcc);
        Assumptions.assumeTrue(ptxas.isPresent(), "ptxas not found on PATH, beside nvcc or in /usr/local/cuda/bin");
        String compute = arch.replace("sm_", "compute_");
        // the block each kernel is launched with: the largest among the model launches, else the backend's default
        Map<String, Integer> blocks = new TreeMap<>();
        Optional<Path> configs = configsDir();
        if (configs.isPresent())
            for (Use u : modelUses(configs.get()))
                if (u.launch() != null) blocks.merge(u.kernel(), u.launch().block(), Math::max);
        Map<String, Kernel> kernels = kernels();
        List<String> problems = new ArrayList<>(), report = new ArrayList<>();
        int seen = 0;
        for (Path src : KernelSourcesCompileTest.cudaSources()) {
            Path ptx = tmp.resolve(src.getFileName() + "." + compute + ".ptx");
            List<String> c = new ArrayList<>(List.of(nvcc.toString(), "--ptx", "-arch=" + compute));
            c.addAll(CudaBackend.NVRTC_OPTIONS); // as the backend compiles them
            c.addAll(List.of("-o", ptx.toString(), src.toString()));
            String[] r = run(c, tmp);
            Assumptions.assumeFalse(
                    !r[0].equals("0") && r[1].contains(compute) && r[1].contains("not defined"),
                    "this nvcc does not know " + compute + ": " + r[1].strip());
            if (!r[0].equals("0")) {
                problems.add(src.getFileName() + ": nvcc failed for " + compute + ":\n" + r[1]);
                continue;
            }
            String[] a = run(
                    List.of(
                            ptxas.get().toString(),
                            "-v",
                            "-arch=" + arch,
                            "-o",
                            tmp.resolve("x.cubin").toString(),
                            ptx.toString()),
                    tmp);
            Assumptions.assumeFalse(
                    !a[0].equals("0") && a[1].contains(arch) && a[1].contains("not defined"),
                    "this ptxas does not know " + arch + ": " + a[1].strip());
            if (!a[0].equals("0")) {
                problems.add(src.getFileName() + ": ptxas failed for " + arch + ":\n" + a[1]);
                continue;
            }
            Map<String, Resources> res = parsePtxas(a[1]);
            for (String k : KernelSources.kernelNames(Files.readString(src))) {
                Resources x = res.get(k);
                if (x == null) {
                    problems.add(k + " (" + arch + "): no resource line in the ptxas -v output");
                    continue;
                }
                seen++;
                int block = blocks.getOrDefault(k, CudaBackend.BLOCK);
                long regs = registersPerBlock(x.registers(), block);
                String at = k + " (" + arch + ", block " + block + ", " + x.registers() + " registers, "
                        + x.sharedBytes() + " B smem): ";
                if (x.registers() > MAX_REGISTERS_PER_THREAD)
                    problems.add(at + "more than " + MAX_REGISTERS_PER_THREAD + " registers per thread");
                if (regs > REGISTERS_PER_BLOCK)
                    problems.add(at + regs + " registers per block > " + REGISTERS_PER_BLOCK);
                if (x.sharedBytes() > MAX_STATIC_SHARED_BYTES)
                    problems.add(at + "static shared memory > " + MAX_STATIC_SHARED_BYTES);
                Kernel kk = kernels.get(k);
                if (kk != null && !kk.accepts(block))
                    problems.add(at + "the kernel's blockDim.x guard refuses the block");
                if (x.spillBytes() > 0 || x.stackBytes() > 0)
                    report.add(k + ": " + x.stackBytes() + " B stack, " + x.spillBytes() + " B spills");
                report.add(
                        String.format("%-28s %3d regs %6d B smem block %4d", k, x.registers(), x.sharedBytes(), block));
            }
        }
        assertTrue(seen > 50, "too few kernels checked for " + arch + ": " + seen);
        System.out.println("LaunchGeometryTest " + arch + ":\n  " + String.join("\n  ", report));
        if (!problems.isEmpty()) fail(String.join("\n", problems));
    }

    @Test
    void ptxasOutputIsParsed() {
        String log = """
                ptxas info    : Compiling entry function 'softmax_rows_block' for 'sm_90'
                ptxas info    : Function properties for softmax_rows_block
                    0 bytes stack frame, 4 bytes spill stores, 8 bytes spill loads
                ptxas info    : Used 56 registers, used 1 barriers, 2048 bytes smem
                ptxas info    : Compiling entry function 'fill' for 'sm_75'
                ptxas info    : Function properties for fill
                    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
                ptxas info    : Used 10 registers, used 0 barriers, 376 bytes cmem[0]
                """;
        Map<String, Resources> r = parsePtxas(log);
        assertNotNull(r.get("softmax_rows_block"));
        assertTrue(r.get("softmax_rows_block").equals(new Resources(56, 2048, 0, 12)), r.toString());
        assertTrue(r.get("fill").equals(new Resources(10, 0, 0, 0)), r.toString());
        // 56 registers: 1792 per warp (a multiple of 256), 8 warps
        assertTrue(registersPerBlock(56, 256) == 8L * 1792 && registersPerBlock(65, 1024) > REGISTERS_PER_BLOCK);
    }
}
