package io.cortex4j.config;

import io.cortex4j.tensor.DType;

/**
 * Where and how a run runs.
 *
 * @param checkpointEvery also checkpoint every N training batches (0: only at epoch ends)
 * @param out             the folder that receives run directories
 * @param evaluation      isolated: evaluation steps a saved copy of the state and training continues from the state
 *                        before it (so the evaluation schedule cannot change what is learned); carried: the state
 *                        runs on through evaluation, as some reference protocols do. Default: the family's protocol.
 * @param guardEvery      check every N training batches that parameters and state are finite
 */
public record RunSpec(
        @Key(def = "1") long seed,
        @Key(def = "cpu") String backend,
        @Key(def = "float32") DType precision,
        @Key(def = "0", min = 0) int checkpointEvery,
        @Key(def = "runs") String out,
        @Key(def = Key.ABSENT) Evaluation evaluation,
        @Key(def = "1", min = 1) int guardEvery) {

    /** Whether evaluation leaves the training trajectory untouched. */
    public enum Evaluation {
        ISOLATED,
        CARRIED
    }
}
