package io.cortex4j.cuda;

import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;

/**
 * A tensor of the {@link CudaBackend}: a dense row-major buffer in device memory ({@code length ·
 * dtype.bytes()} bytes; the pointer is 0 for an empty tensor). {@link #close()} frees it; closing
 * twice is harmless, and the backend frees whatever is still open when it closes.
 */
public final class CudaTensor extends Tensor {
    private final CudaBackend backend;
    private long ptr;
    final boolean f64;

    CudaTensor(CudaBackend backend, long ptr, DType dtype, int... shape) {
        super(dtype, shape);
        this.backend = backend;
        this.ptr = ptr;
        this.f64 = dtype == DType.FLOAT64;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    /** The device pointer; throws once the tensor is closed. */
    public long pointer() {
        if (ptr == -1) throw new IllegalStateException(this + " is closed");
        return ptr;
    }

    /** Size of the buffer in bytes. */
    public long bytes() {
        return length() * dtype().bytes();
    }

    boolean isClosed() {
        return ptr == -1;
    }

    /** Marks the tensor closed and returns the pointer to free (0 if none, or if already closed). */
    long release() {
        long p = ptr;
        ptr = -1;
        return p == -1 ? 0 : p;
    }

    @Override
    public void close() {
        backend.free(this);
    }
}
