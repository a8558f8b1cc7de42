package io.cortex4j.random;

import java.util.Objects;

/**
 * The project's reproducible random streams: a pure function of {@code (seed, stream, step, index)}
 * built on {@link Philox4x32 Philox4x32-10}, so every backend (Java, CUDA, ...) that follows the
 * layout below produces the same numbers, whatever the order or parallelism of generation.
 *
 * <h2>Layout (normative; a CUDA kernel must reproduce it bit for bit)</h2>
 *
 * <p>Notation: all words are unsigned 32-bit; {@code lo32(x)} / {@code hi32(x)} are the low and
 * high 32 bits of a 64-bit value.
 *
 * <ul>
 *   <li><b>Key</b>: {@code k0 = lo32(seed)}, {@code k1 = hi32(seed)}.</li>
 *   <li><b>Counter</b> of block {@code j} of stream {@code s} at step {@code t}:
 *       {@code c0 = j}, {@code c1 = s} (the {@code int} stream id, as its 32 bits),
 *       {@code c2 = lo32(t)}, {@code c3 = hi32(t)}.</li>
 *   <li><b>Raw word</b> of element {@code i} (0-based) of stream {@code s} at step {@code t}:
 *       word {@code i % 4} of {@code philox4x32_10(counter(j = i / 4, s, t), key)}. Hence element
 *       indices range over {@code [0, 2^34)} ({@link #INDEX_LIMIT}); the block index fits
 *       {@code c0}.</li>
 *   <li><b>Uniform</b> of element {@code i}: {@code u = (w + 1) * 2^-32} where {@code w} is the raw
 *       word read as unsigned; {@code u} lies in {@code (0, 1]} and is exact in {@code double} (and
 *       in {@code float} only after rounding, so backends must compute it in {@code double}).</li>
 *   <li><b>Standard normal</b> of element {@code i}, by Box–Muller on the two uniforms of one half of
 *       the same block: with {@code j = i / 4} and {@code p = (i % 4) / 2}, let
 *       {@code ua = u(4j + 2p)} and {@code ub = u(4j + 2p + 1)} (words 0,1 for {@code p = 0},
 *       words 2,3 for {@code p = 1}); then, in IEEE-754 {@code double},
 *       <pre>
 *   r     = sqrt(-2.0 * log(ua))
 *   theta = TWO_PI * ub              (TWO_PI = 2.0 * Math.PI as a double)
 *   z(4j + 2p)     = r * cos(theta)
 *   z(4j + 2p + 1) = r * sin(theta)</pre>
 *       Since {@code ua > 0}, the logarithm is always finite. This class evaluates {@code log},
 *       {@code cos} and {@code sin} with {@link StrictMath} (fdlibm), so Java results are the same
 *       on every JVM and CPU; a backend whose libm differs may differ in the last bits of a normal,
 *       but never in the raw words or uniforms.</li>
 *   <li><b>Permutation</b> of {@code n} elements (see {@link #permutation}): start from the identity
 *       {@code perm[k] = k}; for {@code k = 0, 1, ..., n-2}, let {@code m = n - 1 - k}, take the raw
 *       word {@code w} of element {@code k} and swap {@code perm[m]} with {@code perm[jk]},
 *       {@code jk = (w * (m + 1)) >> 32} computed in unsigned 64-bit integers. This is
 *       Fisher–Yates with {@code jk = floor((u_k - 2^-32) * (m + 1))}, uniform on {@code [0, m]}
 *       up to a bias below {@code (m + 1) / 2^32}.</li>
 * </ul>
 *
 * <p>Different {@code (seed, stream, step)} triples give unrelated sequences. Instances are
 * immutable and thread-safe.
 */
public final class CounterRandom {

    /** Exclusive upper bound of element indices within one (stream, step): {@code 2^34}. */
    public static final long INDEX_LIMIT = 1L << 34;

    /** {@code 2 * pi} as used in the Box–Muller angle. */
    public static final double TWO_PI = 2.0 * Math.PI;

    private static final long MASK = 0xFFFF_FFFFL;
    private static final double TWO_POW_M32 = 0x1p-32;

    private final long seed;
    private final int k0;
    private final int k1;

    /**
     * @param seed the 64-bit seed; its low and high 32 bits are the Philox key words
     */
    public CounterRandom(long seed) {
        this.seed = seed;
        this.k0 = (int) seed;
        this.k1 = (int) (seed >>> 32);
    }

    /** Which code makes bulk normals ({@link #normals}): the same values either way. */
    public static String normalsImplementation() {
        return BoxMuller.implementation();
    }

    /** @return the seed this generator was created with */
    public long seed() {
        return seed;
    }

    /**
     * The raw 32-bit Philox word of one element.
     *
     * @param stream the stream id
     * @param step   the step (e.g. time step or epoch)
     * @param index  the element index, in {@code [0, 2^34)}
     * @return the word, to be read as unsigned
     */
    public int bits(int stream, long step, long index) {
        checkIndex(index);
        int[] w = new int[4];
        block(stream, step, index >>> 2, w);
        return w[(int) (index & 3)];
    }

    /**
     * One uniform deviate.
     *
     * @param stream the stream id
     * @param step   the step
     * @param index  the element index, in {@code [0, 2^34)}
     * @return {@code u} in {@code (0, 1]}, see the class documentation
     */
    public double uniform(int stream, long step, long index) {
        return toUniform(bits(stream, step, index));
    }

    /**
     * One standard normal deviate.
     *
     * @param stream the stream id
     * @param step   the step
     * @param index  the element index, in {@code [0, 2^34)}
     * @return the normal deviate, see the class documentation
     */
    public double normal(int stream, long step, long index) {
        checkIndex(index);
        int[] w = new int[4];
        block(stream, step, index >>> 2, w);
        int lane = (int) (index & 3);
        int p = lane & 2; // first word of the Box–Muller pair: 0 or 2
        double r = radius(w[p]);
        double theta = TWO_PI * toUniform(w[p + 1]);
        return (lane & 1) == 0 ? r * StrictMath.cos(theta) : r * StrictMath.sin(theta);
    }

    /**
     * Fills {@code out[offset + i] = uniform(stream, step, i)} for {@code i = 0..n-1}.
     */
    public void uniforms(int stream, long step, double[] out, int offset, int n) {
        uniforms(stream, step, 0L, out, offset, n);
    }

    /**
     * Fills {@code out[offset + i] = uniform(stream, step, first + i)} for {@code i = 0..n-1};
     * lets a long stream be produced in chunks.
     */
    public void uniforms(int stream, long step, long first, double[] out, int offset, int n) {
        checkRange(first, out, offset, n);
        int[] w = new int[4];
        long end = first + n;
        long i = first;
        int o = offset;
        while (i < end) {
            block(stream, step, i >>> 2, w);
            long blockEnd = Math.min(end, (i | 3) + 1);
            for (; i < blockEnd; i++) {
                out[o++] = toUniform(w[(int) (i & 3)]);
            }
        }
    }

    /**
     * Fills {@code out[offset + i] = normal(stream, step, i)} for {@code i = 0..n-1}; equal, bit for
     * bit, to calling {@link #normal} per element.
     */
    public void normals(int stream, long step, double[] out, int offset, int n) {
        normals(stream, step, 0L, out, offset, n);
    }

    /** {@code std·normal(stream, step, i)} for {@code i = 0..n-1}: a random initialisation's values. */
    public double[] scaledNormals(int stream, long step, int n, double std) {
        double[] v = new double[n];
        normals(stream, step, v, 0, n);
        for (int i = 0; i < n; i++) v[i] *= std;
        return v;
    }

    /**
     * Fills {@code out[offset + i] = normal(stream, step, first + i)} for {@code i = 0..n-1};
     * lets a long stream be produced in chunks.
     */
    public void normals(int stream, long step, long first, double[] out, int offset, int n) {
        checkRange(first, out, offset, n);
        long end = first + n;
        long head = Math.min(end, (first + 3) & ~3L), body = Math.max(head, end & ~3L);
        if (head > first) normalsOneByOne(stream, step, first, out, offset, (int) (head - first));
        int o = offset + (int) (head - first);
        if (body > head) { // whole blocks: vectorised, same values (BoxMuller)
            BoxMuller.normals(k0, k1, stream, step, head >>> 2, (body - head) >>> 2, out, o);
            o += (int) (body - head);
        }
        if (end > body) normalsOneByOne(stream, step, body, out, o, (int) (end - body));
    }

    private void normalsOneByOne(int stream, long step, long first, double[] out, int offset, int n) {
        int[] w = new int[4];
        long end = first + n;
        long i = first;
        int o = offset;
        while (i < end) {
            // one Box–Muller pair per iteration: elements 2q and 2q + 1, q = i / 2
            long pairStart = i & ~1L;
            if ((pairStart & 3) == 0 || i == first) {
                block(stream, step, i >>> 2, w);
            }
            int p = (int) (pairStart & 3);
            double r = radius(w[p]);
            double theta = TWO_PI * toUniform(w[p + 1]);
            if (i == pairStart) {
                out[o++] = r * StrictMath.cos(theta);
                i++;
            }
            if (i < end) {
                out[o++] = r * StrictMath.sin(theta);
                i++;
            }
        }
    }

    /**
     * A uniformly random permutation of {@code 0..n-1}, determined by {@code (seed, stream, step)}
     * (Fisher–Yates; the exact procedure is in the class documentation).
     *
     * @param stream the stream id
     * @param step   the step
     * @param n      the number of elements, {@code >= 0}
     * @return a new array holding each of {@code 0..n-1} exactly once
     */
    public int[] permutation(int stream, long step, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        int[] perm = new int[n];
        for (int k = 0; k < n; k++) {
            perm[k] = k;
        }
        int[] w = new int[4];
        for (int k = 0; k < n - 1; k++) {
            if ((k & 3) == 0) {
                block(stream, step, k >>> 2, w);
            }
            int m = n - 1 - k;
            long word = w[k & 3] & MASK;
            int j = (int) ((word * (m + 1L)) >>> 32);
            int tmp = perm[m];
            perm[m] = perm[j];
            perm[j] = tmp;
        }
        return perm;
    }

    /** The uniform {@code (w + 1) * 2^-32} of a raw word read as unsigned; in {@code (0, 1]}. */
    public static double toUniform(int word) {
        return ((word & MASK) + 1L) * TWO_POW_M32;
    }

    private static double radius(int wordA) {
        return Math.sqrt(-2.0 * StrictMath.log(toUniform(wordA)));
    }

    private void block(int stream, long step, long blockIndex, int[] out) {
        Philox4x32.block((int) blockIndex, stream, (int) step, (int) (step >>> 32), k0, k1, out);
    }

    private static void checkIndex(long index) {
        if (index < 0 || index >= INDEX_LIMIT) {
            throw new IllegalArgumentException("index must be in [0, 2^34), was " + index);
        }
    }

    private static void checkRange(long first, double[] out, int offset, int n) {
        Objects.checkFromIndexSize(offset, n, out.length);
        if (first < 0 || first > INDEX_LIMIT - n) {
            throw new IllegalArgumentException("elements [" + first + ", " + first + " + " + n + ") exceed [0, 2^34)");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CounterRandom other && other.seed == seed;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seed);
    }

    @Override
    public String toString() {
        return "CounterRandom[seed=" + seed + "]";
    }
}
