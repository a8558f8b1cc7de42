package io.cortex4j.cuda;

/** A CUDA driver, NVRTC or cuBLAS call failed, or a library could not be found or loaded; the message says which and why. */
public class CudaException extends RuntimeException {
    public CudaException(String message) {
        super(message);
    }
}
