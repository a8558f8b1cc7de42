package io.cortex4j.config;

/**
 * How long and in what rhythm a run steps. Times are in the family's units (ms for the microcircuit,
 * the papers' dimensionless units for LE and GLE).
 *
 * @param epochs       passes over the training data (continuous runs: set by duration and logEvery)
 * @param batch        samples (streams) stepped in parallel
 * @param evalEvery    validate every N epochs (and always after the last)
 * @param evalBatch    batch for evaluation where the family can change it (else the training batch)
 * @param settle       time stepped before training with no learning, target or noise
 * @param presentation time each (batch of) sample(s) is held
 * @param readout      what a held presentation reports: the last step's output, or the mean over the window
 * @param readoutSkip  the fraction of the presentation the mean skips
 * @param noiseDuringEval keep the rule's noise on while evaluating
 * @param duration     continuous runs: the training time after settling
 * @param logEvery     continuous runs: the time between metrics rows (one "epoch")
 */
public record ScheduleSpec(
        @Key(def = "1", min = 1) int epochs,
        @Key(def = "1", min = 1) int batch,
        @Key(def = "1", min = 1) int evalEvery,
        @Key(def = Key.ABSENT, min = 1) Integer evalBatch,
        @Key(def = "0.0", min = 0) double settle,
        @Key(def = Key.ABSENT, above = 0) Double presentation,
        @Key(def = Key.ABSENT) Readout readout,
        @Key(def = Key.ABSENT, min = 0, max = 0.999999) Double readoutSkip,
        @Key(def = "false") boolean noiseDuringEval,
        @Key(def = Key.ABSENT, above = 0) Double duration,
        @Key(def = Key.ABSENT, above = 0) Double logEvery) {

    /** The read-out of a held presentation. */
    public enum Readout {
        /** The output after the presentation's last step. */
        LAST,
        /** The output averaged over the steps after the skipped fraction. */
        MEAN
    }

    public ScheduleSpec {
        if (readout == Readout.MEAN && readoutSkip == null) readoutSkip = 0.0;
        if (readout != Readout.MEAN && readoutSkip != null)
            throw new IllegalArgumentException("readoutSkip applies to readout: mean");
        if ((duration == null) != (logEvery == null) && duration == null)
            throw new IllegalArgumentException("logEvery needs a duration (continuous runs)");
    }
}
