package io.cortex4j.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional array as stored in a NumPy {@code .npy} file: its dtype descriptor, its shape
 * and its elements in C (row-major) order, held as {@code double}s whatever the stored type.
 *
 * <p>The {@code dtype} is a NumPy type descriptor such as {@code "<f4"}, {@code "<f8"},
 * {@code "<i4"}, {@code "<i8"}, {@code "|u1"} or {@code ">f8"}; {@link Npy#write(java.io.OutputStream,
 * NpyArray)} stores the elements in that type (always little-endian). Only C order is supported, so
 * {@code fortranOrder} must be {@code false}. A 0-dimensional array (a scalar) has an empty shape and
 * one element.
 *
 * <p>The shape is copied; the data array is <em>not</em> (arrays may be large), so callers must not
 * modify it while the record is in use. {@link #equals}, {@link #hashCode} and {@link #toString}
 * look at the contents of both arrays.
 *
 * @param dtype        NumPy type descriptor
 * @param shape        dimensions, each {@code >= 0}; empty for a scalar
 * @param fortranOrder must be {@code false}
 * @param data         the elements in C order; length equal to the product of {@code shape}
 */
public record NpyArray(String dtype, long[] shape, boolean fortranOrder, double[] data) {

    /** Validates the components: known dtype, C order, data length matching the shape. */
    public NpyArray {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        if (fortranOrder) {
            throw new IllegalArgumentException("only C order (fortranOrder = false) is supported");
        }
        Npy.Dtype.parse(dtype); // throws IllegalArgumentException for unsupported types
        shape = shape.clone();
        long size = elementCount(shape);
        if (size != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + size + " elements but data has " + data.length);
        }
    }

    /** A C-order array with the given dtype. */
    public NpyArray(String dtype, long[] shape, double[] data) {
        this(dtype, shape, false, data);
    }

    /** A {@code <f8} (float64) array. */
    public static NpyArray ofDoubles(double[] data, long... shape) {
        return new NpyArray("<f8", shape, false, data);
    }

    /** A {@code <f4} (float32) array; the values are widened to {@code double} exactly. */
    public static NpyArray ofFloats(float[] data, long... shape) {
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = data[i];
        }
        return new NpyArray("<f4", shape, false, d);
    }

    /** @return a copy of the shape */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** @return the number of dimensions (0 for a scalar) */
    public int ndim() {
        return shape.length;
    }

    /** @return the number of elements */
    public int size() {
        return data.length;
    }

    /** @return the elements rounded to {@code float} (exact for float32 data) */
    public float[] toFloatArray() {
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data[i];
        }
        return f;
    }

    /**
     * The number of elements of an array of this shape.
     *
     * @throws IllegalArgumentException for a negative dimension or more than
     *                                  {@link Integer#MAX_VALUE} - 8 elements
     */
    static long elementCount(long[] shape) {
        long size = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            if (d == 0) {
                size = 0;
            }
        }
        if (size == 0) {
            return 0;
        }
        for (long d : shape) {
            if (size > (Integer.MAX_VALUE - 8) / d) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " has too many elements for a Java array");
            }
            size *= d;
        }
        return size;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray other
                && dtype.equals(other.dtype)
                && fortranOrder == other.fortranOrder
                && Arrays.equals(shape, other.shape)
                && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        String values = data.length <= 8 ? Arrays.toString(data) : "[" + data.length + " values]";
        return "NpyArray[dtype=" + dtype + ", shape=" + Arrays.toString(shape) + ", data=" + values + "]";
    }
}
