package io.cortex4j.model.rule;

import io.cortex4j.random.CounterRandom;
import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.DType;
import io.cortex4j.tensor.Tensor;

/**
 * The matrix that carries errors down through one layer's weights W ([rows, cols], the layer's own
 * shape), by {@link FeedbackRule}: W itself (BP), a fixed random B ~ N(0, std²) (FA, and PAL's
 * starting B), or the sign-concordant B built from the current sign of W (uSF: scale·sign(W); frSF:
 * |R| ⊙ sign(W) with R drawn once; brSF: the same with R redrawn at every mini-batch). DFA's direct
 * matrices and PAL's learning of B belong to the family that uses them.
 *
 * <p>Random draws come from the run's counter-based streams: B from {@code stream(W) + 2}, R from
 * {@code + 3} at step 0, brSF's redraws from {@code redrawStream} at the mini-batch's number.
 */
public final class Feedback implements AutoCloseable {
    private final FeedbackRule rule;
    private final Backend be;
    private final CounterRandom rng;
    private final Tensor w;
    private final double std, signScale;
    private final int redrawStream;
    private final Tensor matrix, magnitudes;

    /**
     * @param rule         the rule
     * @param w            the layer's weights, [rows, cols]
     * @param rng          the network's random streams
     * @param stream       the stream of W's initialisation; B uses {@code stream + 2}, R {@code stream + 3}
     * @param redrawStream brSF: the stream of R's redraws
     * @param std          std of B (FA, PAL) and of R (brSF, frSF)
     * @param signScale    uSF: the factor of sign(W)
     */
    public Feedback(
            FeedbackRule rule,
            Backend be,
            Tensor w,
            CounterRandom rng,
            int stream,
            int redrawStream,
            double std,
            double signScale) {
        this.rule = rule;
        this.be = be;
        this.rng = rng;
        this.w = w;
        this.std = std;
        this.signScale = signScale;
        this.redrawStream = redrawStream;
        int rows = w.rows(), cols = w.cols();
        DType dtype = w.dtype();
        switch (rule) {
            case FA, PAL -> {
                matrix = be.fromHost(dtype, rng.scaledNormals(stream + 2, 0, rows * cols, std), rows, cols);
                magnitudes = null;
            }
            case USF -> {
                matrix = be.zeros(dtype, rows, cols);
                magnitudes = null;
            }
            case BRSF, FRSF -> {
                magnitudes = be.fromHost(dtype, rng.scaledNormals(stream + 3, 0, rows * cols, std), rows, cols);
                matrix = be.zeros(dtype, rows, cols);
            }
            default -> {
                matrix = null;
                magnitudes = null;
            }
        }
    }

    public FeedbackRule rule() {
        return rule;
    }

    /** The matrix in W's place: W for BP (and DFA, whose own matrices are elsewhere), else B. */
    public Tensor backward() {
        return matrix == null ? w : matrix;
    }

    /** B itself (null for BP and DFA): a parameter of FA and PAL, derived from W for the sign-concordant rules. */
    public Tensor matrix() {
        return matrix;
    }

    /** The random magnitudes R of brSF and frSF (null otherwise). */
    public Tensor magnitudes() {
        return magnitudes;
    }

    /** Sign-concordant rules: B from the current sign of W. Others: nothing. */
    public void refresh() {
        if (rule == FeedbackRule.USF) be.signConcordant(w, null, signScale, matrix);
        else if (magnitudes != null) be.signConcordant(w, magnitudes, 1.0, matrix);
    }

    /** brSF: redraws R for mini-batch {@code batch}. Others: nothing. */
    public void redraw(long batch) {
        if (rule != FeedbackRule.BRSF) return;
        be.copyFromHost(rng.scaledNormals(redrawStream, batch, Math.toIntExact(magnitudes.length()), std), magnitudes);
    }

    @Override
    public void close() {
        if (matrix != null) matrix.close();
        if (magnitudes != null) magnitudes.close();
    }
}
