package io.cortex4j.config;

/**
 * Which data a run reads and how it is presented to the input.
 *
 * @param name           a data set of {@code io.cortex4j.datasets.Datasets}, or {@code signal} (a temporal signal)
 * @param dir            the data directory (else -Dcortex4j.data.dir, $CORTEX4J_DATA, or shared/datasets found upwards)
 * @param trainLimit     use only the first N training samples (0: all)
 * @param evalLimit      use only the first N validation and test samples (0: all)
 * @param size           random-uniform: samples in the training set (the held-out set has size/5)
 * @param inputScale     inputs are x·inputScale + inputShift
 * @param stepsPerSample streamed presentation: each sample is linearly interpolated to this many steps, one value per step
 * @param standardise    streamed presentation: subtract the training set's mean and divide by its std first
 * @param normalise      image data: each channel's values (as loaded, e.g. pixels/255) become (x − mean_c)/std_c,
 *                       in training and evaluation, before inputScale and inputShift
 * @param augment        classification on image data: each training sample is drawn shifted (a random crop of the
 *                       image padded with {@code crop} zeros on every side) and, with {@code flip}, mirrored left–right
 *                       with probability 1/2, before normalise; evaluation sees the images as they are
 * @param signal         the input signal of a continuous run
 */
public record DataSpec(
        String name,
        @Key(def = Key.ABSENT) String dir,
        @Key(def = "train") String train,
        @Key(def = "validation") String validation,
        @Key(def = "test") String test,
        @Key(def = "0", min = 0) int trainLimit,
        @Key(def = "0", min = 0) int evalLimit,
        @Key(def = Key.ABSENT, min = 1) Integer size,
        @Key(def = "{}") Targets targets,
        @Key(def = "1.0") double inputScale,
        @Key(def = "0.0") double inputShift,
        @Key(def = Key.ABSENT, min = 2) Integer stepsPerSample,
        @Key(def = Key.ABSENT) Boolean standardise,
        @Key(def = Key.ABSENT) Normalise normalise,
        @Key(def = Key.ABSENT) Augment augment,
        @Key(def = Key.ABSENT) SignalSpec signal) {

    /** Target values of classification: the correct class's output is nudged towards high, the others towards low. */
    public record Targets(
            @Key(def = "1.0") double high, @Key(def = "0.0") double low) {}

    /** Per-channel standardisation of images: one mean and one std (&gt; 0) per channel. */
    public record Normalise(double[] mean, double[] std) {}

    /**
     * Training-time augmentation of images (the torchvision {@code RandomCrop(size, padding=crop)} and
     * {@code RandomHorizontalFlip()} of the CIFAR-10 references): offsets and flips are drawn from the
     * run's counter-based random streams by epoch and position, so a resumed run draws the same ones.
     */
    public record Augment(
            @Key(def = "0", min = 0) int crop,
            @Key(def = "false") boolean flip) {}

    public DataSpec {
        if (name.equals("random-uniform")) {
            if (size == null) size = 100;
        } else if (size != null) throw new IllegalArgumentException("only data 'random-uniform' takes a size");
        if (name.equals("signal") != (signal != null))
            throw new IllegalArgumentException(
                    signal == null
                            ? "name: signal needs a signal: {type: square | sines | ou, ...}"
                            : "a signal needs name: signal");
        if (standardise != null && stepsPerSample == null)
            throw new IllegalArgumentException("standardise applies to streamed data (with stepsPerSample)");
        if (stepsPerSample != null && standardise == null) standardise = false;
    }
}
