package io.cortex4j.run;

import io.cortex4j.model.Network;
import java.util.List;
import java.util.Map;

/**
 * What a run asks of its network, and how it is scored: the trainer calls a task to present each
 * training batch, to evaluate at epoch ends and to report at the end. A task holds its data and its
 * running sums (which a checkpoint saves through {@link #stateScalars()}).
 */
public sealed interface Task permits Classification, Autoencoder, TeacherStudent, Alignment {
    /** Columns of the training metrics ({@link #takeTrainMetrics()}), e.g. train_acc, train_loss. */
    List<String> trainColumns();

    /** Columns of an evaluation ({@link #evaluate()}), e.g. val_acc, val_loss; empty if the task has none. */
    List<String> evalColumns();

    /** Epochs of the run. */
    int epochs();

    /** Training batches of epoch {@code epoch} (0-based). */
    int batches(int epoch);

    /** Samples (or streams) a batch trains on, for samples/s. */
    int samplesPerBatch();

    /** Runs before the first epoch (settling without learning); may do nothing. */
    void settle();

    /** Prepares epoch {@code epoch} (0-based): its sample order, the training phase. */
    void startEpoch(int epoch);

    /** Presents training batch {@code batch} of epoch {@code epoch} and adds to the running sums. */
    void trainBatch(int epoch, int batch);

    /** The training metrics since the last call, and resets the sums. */
    double[] takeTrainMetrics();

    /** Evaluates on the validation data with learning off; one value per {@link #evalColumns()}. */
    double[] evaluate();

    /** The end-of-run numbers of the summary (test data), evaluated with learning off. */
    Map<String, Object> finish();

    /** The networks of the run by role: {@code ""} is the one trained, {@code "teacher"} a teacher. */
    Map<String, Network> networks();

    /** Running sums and positions that a checkpoint must save. */
    Map<String, Double> stateScalars();

    void restoreScalars(Map<String, Double> s);

    /** The sizes of the data splits, for the summary. */
    Map<String, Object> dataSummary();

    /** Frees what the task allocated on the backend. */
    default void close() {}
}
