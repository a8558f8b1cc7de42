package io.cortex4j.model.le;

import io.cortex4j.model.rule.FeedbackRule;
import io.cortex4j.model.topology.Topology;
import java.util.Arrays;

/**
 * Everything that defines a layered LE network besides its backend: topology, rule, output error
 * and the constants of specs/pal.md §4 and §5.3, in the dimensionless time units of the LE papers
 * (τ = 10, dt = 0.1 by default). Per-layer arrays have one entry per layer of the architecture,
 * pooling layers included (their entries are ignored except σ, the pool's own noise), as in the
 * reference's {@code lr_factors}.
 *
 * @param tau              membrane time constant (only enters through u, which nothing reads: ŭ = basal + ξ)
 * @param dt               Euler step
 * @param beta             nudging strength of the output error
 * @param learningRate     η; the increment per step is dt·η·factor·(batch mean)
 * @param lrFactors        per-layer factors on η
 * @param feedbackLrFactors PAL: per-layer factors on η for B (0: B stays fixed, e.g. the CIFAR conv layers)
 * @param alpha            PAL: weight decay of B (the reference's {@code regularizer})
 * @param sigma            PAL: OU noise amplitude per layer (0: none)
 * @param tauXi            PAL: OU noise time constant (time units; the reference's 10 dt = 1.0)
 * @param tauHighPass      PAL: high-pass time constant of the rates (time units)
 * @param tauLowPass       low-pass time constant of ΔW (time units; 0: off), any rule
 * @param initStd          W, b and (FA, PAL) B are drawn from N(0, initStd²)
 * @param feedbackStd      std of FA/PAL B, DFA D and the sign-concordant magnitudes R
 * @param signScale        uSF: B = signScale·sign(W)
 */
public record LeParams(
        Topology architecture,
        FeedbackRule rule,
        OutputError outputError,
        double tau,
        double dt,
        double beta,
        double learningRate,
        double[] lrFactors,
        double[] feedbackLrFactors,
        double[] alpha,
        double[] sigma,
        double[] tauXi,
        double[] tauHighPass,
        double[] tauLowPass,
        double initStd,
        double feedbackStd,
        double signScale) {

    public LeParams {
        int n = architecture.layers().size();
        check("lrFactors", lrFactors, n);
        check("feedbackLrFactors", feedbackLrFactors, n);
        check("alpha", alpha, n);
        check("sigma", sigma, n);
        check("tauXi", tauXi, n);
        check("tauHighPass", tauHighPass, n);
        check("tauLowPass", tauLowPass, n);
        if (!(dt > 0)) throw new IllegalArgumentException("dt must be > 0, got " + dt);
        if (!(tau >= dt)) throw new IllegalArgumentException("tau must be ≥ dt, got tau " + tau + ", dt " + dt);
        for (int i = 0; i < n; i++) {
            if (rule == FeedbackRule.PAL && sigma[i] > 0 && tauXi[i] < dt)
                throw new IllegalArgumentException("tauXi of layer " + (i + 1) + " is below dt");
            if (rule == FeedbackRule.PAL && tauHighPass[i] < dt)
                throw new IllegalArgumentException("tauHighPass of layer " + (i + 1) + " is below dt");
            if (tauLowPass[i] != 0 && tauLowPass[i] < dt)
                throw new IllegalArgumentException("tauLowPass of layer " + (i + 1) + " is below dt (0 turns it off)");
        }
        if (initStd < 0 || feedbackStd < 0)
            throw new IllegalArgumentException("initial standard deviations must be ≥ 0");
    }

    private static void check(String what, double[] a, int n) {
        if (a.length != n)
            throw new IllegalArgumentException(what + " has " + a.length + " entries for " + n + " layers");
        for (double v : a)
            if (!Double.isFinite(v) || v < 0)
                throw new IllegalArgumentException(what + " must be finite and ≥ 0, got " + Arrays.toString(a));
    }

    /** The published LE defaults of specs/pal.md §5.3 (τ 10, dt 0.1, β 0.1, η 0.8, init std 0.05), no PAL noise, no low-pass. */
    public static LeParams defaults(Topology arch, FeedbackRule rule, OutputError out) {
        int n = arch.layers().size();
        return new LeParams(
                arch,
                rule,
                out,
                10.0,
                0.1,
                0.1,
                0.8,
                fill(n, 1.0),
                fill(n, 0.0),
                fill(n, 1e-4),
                fill(n, 0.0),
                fill(n, 1.0),
                fill(n, 1.0),
                fill(n, 0.0),
                0.05,
                0.05,
                0.05);
    }

    public static double[] fill(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    public LeParams withRule(FeedbackRule r) {
        return new LeParams(
                architecture,
                r,
                outputError,
                tau,
                dt,
                beta,
                learningRate,
                lrFactors,
                feedbackLrFactors,
                alpha,
                sigma,
                tauXi,
                tauHighPass,
                tauLowPass,
                initStd,
                feedbackStd,
                signScale);
    }

    public LeParams withLearningRate(double eta, double[] factors) {
        return new LeParams(
                architecture,
                rule,
                outputError,
                tau,
                dt,
                beta,
                eta,
                factors,
                feedbackLrFactors,
                alpha,
                sigma,
                tauXi,
                tauHighPass,
                tauLowPass,
                initStd,
                feedbackStd,
                signScale);
    }

    public LeParams withPal(double[] feedbackLr, double[] alpha, double[] sigma, double[] tauXi, double[] tauHighPass) {
        return new LeParams(
                architecture,
                rule,
                outputError,
                tau,
                dt,
                beta,
                learningRate,
                lrFactors,
                feedbackLr,
                alpha,
                sigma,
                tauXi,
                tauHighPass,
                tauLowPass,
                initStd,
                feedbackStd,
                signScale);
    }

    public LeParams withLowPass(double[] tauLowPass) {
        return new LeParams(
                architecture,
                rule,
                outputError,
                tau,
                dt,
                beta,
                learningRate,
                lrFactors,
                feedbackLrFactors,
                alpha,
                sigma,
                tauXi,
                tauHighPass,
                tauLowPass,
                initStd,
                feedbackStd,
                signScale);
    }

    public LeParams withBeta(double b) {
        return new LeParams(
                architecture,
                rule,
                outputError,
                tau,
                dt,
                b,
                learningRate,
                lrFactors,
                feedbackLrFactors,
                alpha,
                sigma,
                tauXi,
                tauHighPass,
                tauLowPass,
                initStd,
                feedbackStd,
                signScale);
    }
}
