package io.cortex4j.run;

import io.cortex4j.config.OptimizerSpec;
import io.cortex4j.optim.Optimizer;
import io.cortex4j.optim.PlateauSchedule;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reduces the optimizer's learning rate when the validation loss stops improving (PyTorch's ReduceLROnPlateau). */
final class LearningRateSchedule {
    private final PlateauSchedule plateau;
    private final Optimizer optimizer;

    LearningRateSchedule(OptimizerSpec.Plateau p, Optimizer optimizer) {
        this.plateau = new PlateauSchedule(p.factor(), p.patience(), p.threshold(), 0.0);
        this.optimizer = optimizer;
    }

    /** Observes an epoch's validation loss (NaN: not measured) and updates the learning rate. */
    void observe(double valLoss) {
        if (!Double.isNaN(valLoss)) optimizer.setLearningRate(plateau.observe(valLoss, optimizer.learningRate()));
    }

    Map<String, Double> stateScalars() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("best", plateau.best());
        m.put("bad", (double) plateau.badEvaluations());
        return m;
    }

    void restore(Map<String, Double> s) {
        plateau.restore(s.get("best"), (int) Math.round(s.get("bad")));
    }
}
