package io.cortex4j.tensor;

import java.util.Arrays;

/**
 * A dense, row-major tensor owned by a {@link Backend}. State tensors are {@code [batch, units]};
 * weight matrices are {@code [post, pre]}. Model code never touches the storage directly: it asks
 * the owning backend to run ops on tensors, so the same model runs on every backend.
 */
public abstract class Tensor implements AutoCloseable {
    private final DType dtype;
    private final int[] shape;
    private final long length;

    protected Tensor(DType dtype, int... shape) {
        if (shape.length == 0) throw new IllegalArgumentException("a tensor needs at least one dimension");
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.length = n;
    }

    public abstract Backend backend();

    public final DType dtype() {
        return dtype;
    }

    public final int[] shape() {
        return shape.clone();
    }

    public final int rank() {
        return shape.length;
    }

    public final int dim(int i) {
        return shape[i];
    }

    /** Number of rows of a matrix view: the first dimension. */
    public final int rows() {
        return shape[0];
    }

    /** Number of columns of a matrix view: the product of all dimensions after the first. */
    public final int cols() {
        return (int) (length / Math.max(1, shape[0]));
    }

    public final long length() {
        return length;
    }

    /** Copies the elements to the host, widened to double. */
    public final double[] toHost() {
        double[] out = new double[Math.toIntExact(length)];
        backend().copyToHost(this, out);
        return out;
    }

    /** Copies {@code src} (length must match) into this tensor. */
    public final void load(double[] src) {
        backend().copyFromHost(src, this);
    }

    public final boolean sameShape(Tensor o) {
        return Arrays.equals(shape, o.shape);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + ":" + dtype;
    }

    @Override
    public abstract void close();
}
