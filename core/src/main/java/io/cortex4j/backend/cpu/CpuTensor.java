package io.cortex4j.backend.cpu;

import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A tensor of the CPU backend: an ND4J {@link INDArray} owns the off-heap buffer (so users can
 * hand it to ND4J code), and the backend reads and writes it through a {@link MemorySegment} view
 * in plain Java loops and passes its address to OpenBLAS.
 */
final class CpuTensor extends Tensor {
    final Nd4jCpuBackend backend;
    final INDArray array;
    final MemorySegment seg;
    final boolean f64;
    private FloatPointer floatPointer;
    private DoublePointer doublePointer;

    CpuTensor(Nd4jCpuBackend backend, INDArray array, DType dtype, int[] shape) {
        super(dtype, shape);
        this.backend = backend;
        this.array = array;
        this.f64 = dtype == DType.FLOAT64;
        long address = array.data().addressPointer().address();
        this.seg = MemorySegment.ofAddress(address).reinterpret(length() * dtype.bytes());
    }

    @Override
    public Backend backend() {
        return backend;
    }

    /** The ND4J array that holds this tensor's data (shares the buffer). */
    INDArray array() {
        return array;
    }

    FloatPointer floatPointer() {
        if (floatPointer == null) floatPointer = new FloatPointer(array.data().addressPointer());
        return floatPointer;
    }

    DoublePointer doublePointer() {
        if (doublePointer == null)
            doublePointer = new DoublePointer(array.data().addressPointer());
        return doublePointer;
    }

    @Override
    public void close() {
        array.close();
    }
}
