package io.cortex4j.optim;

/**
 * Reduce-on-plateau learning-rate schedule, as PyTorch's {@code ReduceLROnPlateau} in "min" mode
 * with a relative threshold: after {@code patience} evaluations in a row without a relative
 * improvement of more than {@code threshold} over the best value so far, the rate is multiplied by
 * {@code factor} (not below {@code minRate}; changes smaller than 1e-8 are skipped), and the count
 * starts again.
 */
public final class PlateauSchedule {
    private final double factor, threshold, minRate;
    private final int patience;
    private double best = Double.POSITIVE_INFINITY;
    private int bad;

    public PlateauSchedule(double factor, int patience, double threshold, double minRate) {
        if (!(factor > 0 && factor < 1))
            throw new IllegalArgumentException("plateau factor must lie in (0, 1), got " + factor);
        if (patience < 0) throw new IllegalArgumentException("plateau patience must be ≥ 0, got " + patience);
        if (!(threshold >= 0)) throw new IllegalArgumentException("plateau threshold must be ≥ 0, got " + threshold);
        if (!(minRate >= 0)) throw new IllegalArgumentException("plateau minimum rate must be ≥ 0, got " + minRate);
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.minRate = minRate;
    }

    /** Records one evaluation of the monitored loss and returns the (possibly reduced) rate. */
    public double observe(double loss, double rate) {
        if (loss < best * (1.0 - threshold)) {
            best = loss;
            bad = 0;
        } else {
            bad++;
        }
        if (bad > patience) {
            bad = 0;
            double next = Math.max(rate * factor, minRate);
            if (rate - next > 1e-8) return next;
        }
        return rate;
    }

    public double best() {
        return best;
    }

    public int badEvaluations() {
        return bad;
    }

    /** Restores the state saved with {@link #best} and {@link #badEvaluations} (for resuming). */
    public void restore(double best, int bad) {
        this.best = best;
        this.bad = bad;
    }
}
