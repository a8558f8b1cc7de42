package io.cortex4j.datasets;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The Yin-Yang data set of Kriener, Göltz and Petrovici ("The Yin-Yang dataset", 2021): points in
 * a disc of radius {@value #R_BIG} labelled yin (0), yang (1) or dot (2). Inputs are
 * {@code (x, y, 1-x, 1-y)}, all in [0, 1].
 *
 * <p>{@link #generate} follows the reference generator: for each sample a goal class is drawn
 * uniformly, then points are drawn uniformly from the square {@code [0, 2 R_BIG]^2} and rejected
 * until one lies inside the disc and has the goal class, so the classes are balanced in
 * expectation. The random stream is {@link SplittableRandom}, not NumPy's, so the points differ
 * from the reference code's for the same seed; the distribution is the same.
 */
public final class YinYang {
    public static final double R_BIG = 0.5;
    public static final double R_SMALL = 0.1;
    public static final int INPUT_SIZE = 4;
    public static final int NUM_CLASSES = 3;
    public static final int TRAIN_SIZE = 6000;
    public static final int VALIDATION_SIZE = 900;
    public static final int TEST_SIZE = 900;

    private YinYang() {}

    /** Train, validation and test sets generated from seeds derived from one seed. */
    public record Splits(InMemoryData train, InMemoryData validation, InMemoryData test) {
        /** The split called {@code train}, {@code validation} or {@code test}. */
        public InMemoryData get(String split) {
            return switch (split) {
                case "train" -> train;
                case "validation" -> validation;
                case "test" -> test;
                default ->
                    throw new IllegalArgumentException(
                            "unknown Yin-Yang split '" + split + "'; known: train, validation, test");
            };
        }
    }

    /**
     * The class of point {@code (x, y)}: 2 inside either dot, else 1 (yang) or 0 (yin), exactly as
     * the reference code's {@code which_class}. Points outside the big disc are not rejected here.
     */
    public static int classOf(double x, double y) {
        double dRight = distance(x, y, 1.5 * R_BIG, R_BIG);
        double dLeft = distance(x, y, 0.5 * R_BIG, R_BIG);
        boolean c1 = dRight <= R_SMALL;
        boolean c2 = dLeft > R_SMALL && dLeft <= 0.5 * R_BIG;
        boolean c3 = y > R_BIG && dRight > 0.5 * R_BIG;
        boolean yin = c1 || c2 || c3;
        boolean circles = dRight < R_SMALL || dLeft < R_SMALL;
        return circles ? 2 : (yin ? 1 : 0);
    }

    /** Euclidean distance computed as the reference does ({@code sqrt(dx^2 + dy^2)}, not hypot). */
    private static double distance(double x, double y, double cx, double cy) {
        double dx = x - cx, dy = y - cy;
        return Math.sqrt(dx * dx + dy * dy);
    }

    /** {@code size} samples, deterministic for a given seed, named {@code yinyang}. */
    public static InMemoryData generate(int size, long seed) {
        return generate(size, seed, "yinyang");
    }

    private static InMemoryData generate(int size, long seed, String name) {
        if (size < 0) throw new IllegalArgumentException("size must be >= 0, got " + size);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] inputs = new float[size * INPUT_SIZE];
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            int goal = rng.nextInt(NUM_CLASSES);
            double x, y;
            do {
                x = rng.nextDouble() * 2 * R_BIG;
                y = rng.nextDouble() * 2 * R_BIG;
            } while (distance(x, y, R_BIG, R_BIG) > R_BIG || classOf(x, y) != goal);
            inputs[i * 4] = (float) x;
            inputs[i * 4 + 1] = (float) y;
            inputs[i * 4 + 2] = (float) (1 - x);
            inputs[i * 4 + 3] = (float) (1 - y);
            labels[i] = goal;
        }
        return InMemoryData.wrap(name, inputs, INPUT_SIZE, labels, NUM_CLASSES);
    }

    /**
     * Train ({@value #TRAIN_SIZE}), validation ({@value #VALIDATION_SIZE}) and test
     * ({@value #TEST_SIZE}) sets, each from its own seed derived from {@code seed}; named
     * {@code yinyang/train} etc.
     */
    public static Splits standardSplits(long seed) {
        return new Splits(
                generate(TRAIN_SIZE, Seeds.derive(seed, 0), "yinyang/train"),
                generate(VALIDATION_SIZE, Seeds.derive(seed, 1), "yinyang/validation"),
                generate(TEST_SIZE, Seeds.derive(seed, 2), "yinyang/test"));
    }

    /**
     * Reads the official publication data converted to CSV: one sample per line,
     * {@code label,x,y,1-x,1-y}, no header (a header line is tolerated). Named
     * {@code yinyang/<file name without .csv>}.
     *
     * @throws DataFormatException naming the file and line for a missing file, a wrong column
     *     count, an unparsable number or a label outside 0..2
     */
    public static InMemoryData loadCsv(Path file) {
        String base = file.getFileName().toString().replaceFirst("\\.csv$", "");
        return Csv.read(file, "yinyang/" + base, INPUT_SIZE, NUM_CLASSES, true);
    }
}
