package io.cortex4j.datasets;

/**
 * A finite, immutable set of labelled samples held in memory: the one data interface the training
 * loop in core reads. Inputs are flat float vectors (images row-major, pixels already scaled as
 * the loader documents); labels are class indices in [0, numClasses).
 */
public interface LabeledData {
    /** Short human-readable name, e.g. "yinyang/train", used in logs and summaries. */
    String name();

    int size();

    int inputSize();

    int numClasses();

    /** Copies sample {@code index}'s input into {@code dst[offset .. offset+inputSize())}. */
    void copyInput(int index, float[] dst, int offset);

    int label(int index);

    /**
     * {channels, height, width} when every input is an image stored channel-major (CHW, each channel
     * row-major), else null. Per-channel normalisation and image augmentation need it.
     */
    default int[] imageShape() {
        return null;
    }
}
