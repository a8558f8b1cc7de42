package io.cortex4j.run;

import io.cortex4j.config.SignalSpec;
import io.cortex4j.datasets.LabeledData;
import io.cortex4j.datasets.TemporalSignal;
import io.cortex4j.model.Network;
import io.cortex4j.model.Phase;
import io.cortex4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A teacher network of the same family (the student's architecture with the teacher's parameters,
 * never learning) sees the student's input and hands its output over as the student's target at
 * every step. Held presentations (PAL's fw_bw task, random inputs) score the student by the mean
 * squared difference of the two read-outs on held-out inputs; continuous ones (GLE's LagLine and
 * LagNet, a temporal signal) by ½‖y_teacher − y_student‖² averaged over each report interval.
 * Every epoch also reports the largest relative distance of a learned parameter from the teacher's,
 * and the values of small parameter tensors.
 */
public final class TeacherStudent extends LabeledTask implements Task {
    /** Parameter tensors up to this size get their own metrics columns. */
    static final int TRACKED = 8;

    /** A continuous run's settling: the teacher's target on, no learning. */
    private static final Phase SETTLING = new Phase(false, false, true, false);

    private final Network teacher;
    private final TemporalSignal signal;
    private final List<String> learned;
    /** The learned parameters of student and teacher, in the order of {@link #learned} (fixed tensors). */
    private final Tensor[] studentParams, teacherParams;

    private final List<String> trackedColumns = new ArrayList<>();
    private static final int LOSS = 0, STEPS = 1;

    TeacherStudent(RunContext c, TaskData d, List<String> learned) {
        super(c, d, "lossSum", "lossN");
        this.teacher = c.teacher;
        this.learned = learned;
        this.studentParams = new Tensor[learned.size()];
        this.teacherParams = new Tensor[learned.size()];
        for (int k = 0; k < learned.size(); k++) {
            studentParams[k] = c.net.parameters().get(learned.get(k));
            teacherParams[k] = teacher.parameters().get(learned.get(k));
        }
        for (String n : learned) {
            Tensor t = c.net.parameters().get(n);
            if (t.length() <= TRACKED) for (int i = 0; i < t.length(); i++) trackedColumns.add(n + "[" + i + "]");
        }
        this.signal = c.presentation instanceof Presentation.Continuous ? signal(c) : null;
    }

    private static TemporalSignal signal(RunContext c) {
        double dt = c.family.dt(c.spec);
        int batch = c.net.batch();
        long seed = c.e.run().seed();
        try {
            return switch (c.e.data().signal()) {
                case SignalSpec.Square s -> TemporalSignal.square(s.halfPeriod(), dt, s.smoothSteps(), batch, seed);
                case SignalSpec.Sines s -> TemporalSignal.sines(dt, batch, s.omegas());
                case SignalSpec.Cosines s -> TemporalSignal.cosines(s.minPeriod(), dt, batch, c.inputs, seed);
                case SignalSpec.Ou s -> TemporalSignal.ou(s.tau(), s.sigma(), dt, batch, c.inputs, seed);
            };
        } catch (IllegalArgumentException e) {
            throw c.e.at().error("data.signal", e.getMessage());
        }
    }

    private boolean continuous() {
        return signal != null;
    }

    @Override
    public List<String> trainColumns() {
        List<String> cols = new ArrayList<>();
        if (continuous()) cols.add("train_loss");
        if (!learned.isEmpty()) cols.add("param_rel_error"); // none where the teacher's architecture differs
        cols.addAll(trackedColumns);
        return cols;
    }

    @Override
    public List<String> evalColumns() {
        return continuous() ? List.of() : List.of("val_loss");
    }

    @Override
    public int epochs() {
        return continuous() ? ((Presentation.Continuous) c.presentation).epochs() : super.epochs();
    }

    @Override
    public int batches(int epoch) {
        return continuous() ? 1 : super.batches(epoch);
    }

    @Override
    public void settle() {
        if (!continuous()) super.settle();
    }

    @Override
    public void startEpoch(int epoch) {
        if (!continuous()) shuffle(epoch, Phase.TRAIN);
    }

    @Override
    public void trainBatch(int epoch, int b) {
        if (!continuous()) {
            c.writeInputs(train, perm, b * batch);
            c.hold();
            return;
        }
        Presentation.Continuous p = (Presentation.Continuous) c.presentation;
        int B = c.net.batch(), n = c.outputs;
        double[] in = new double[B * c.inputs], y = new double[B * n], o = new double[B * n];
        long first = (long) epoch * p.logSteps(), steps = p.stepsOf(epoch);
        Phase learning = Phase.TRAIN;
        for (long k = first; k < first + steps; k++) {
            signal.fill(k, in);
            c.be.copyFromHost(in, teacher.input());
            c.be.copyFromHost(in, c.net.input());
            Phase want = k >= p.settleSteps() ? learning : SETTLING;
            if (want != c.net.phase()) c.net.setPhase(want);
            c.stepper.step(false);
            c.be.copyToHost(teacher.output(), y);
            c.be.copyToHost(c.net.output(), o);
            double l = 0;
            for (int i = 0; i < y.length; i++) l += 0.5 * (y[i] - o[i]) * (y[i] - o[i]);
            sums[LOSS] += l / B;
            sums[STEPS]++;
        }
        if (!Double.isFinite(sums[LOSS]))
            throw new DivergedException("the run diverged: the student's output is not finite at step " + c.net.steps()
                    + "; " + c.family.divergenceHint());
    }

    @Override
    public double[] takeTrainMetrics() {
        List<Double> row = new ArrayList<>();
        if (continuous()) {
            row.add(sums[STEPS] > 0 ? sums[LOSS] / sums[STEPS] : Double.NaN);
            java.util.Arrays.fill(sums, 0);
        }
        if (!learned.isEmpty()) row.add(relativeError());
        for (Tensor t : studentParams) if (t.length() <= TRACKED) for (double v : t.toHost()) row.add(v);
        return row.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** max_i |θ_i − θ*_i| / |θ*_i| over the student's learned parameters θ and the teacher's θ*. */
    double relativeError() {
        double worst = 0;
        for (int k = 0; k < studentParams.length; k++) {
            double[] a = studentParams[k].toHost(), b = teacherParams[k].toHost();
            for (int i = 0; i < a.length; i++)
                worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-12));
        }
        return worst;
    }

    /** The teacher's value of each tracked column (for plots). */
    Map<String, Double> reference() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String name : learned) {
            Tensor t = teacher.parameters().get(name);
            if (t.length() > TRACKED) continue;
            double[] v = t.toHost();
            for (int i = 0; i < v.length; i++) m.put(name + "[" + i + "]", v[i]);
        }
        return m;
    }

    @Override
    public double[] evaluate() {
        return continuous() ? new double[0] : new double[] {teacherLoss(validation)};
    }

    /** Mean squared difference between the free student's and the teacher's read-outs on held-out inputs, learning off. */
    private double teacherLoss(LabeledData d) {
        c.net.setPhase(Phase.FREE);
        Presentation.Hold h = (Presentation.Hold) c.presentation;
        int B = c.net.batch(), n = c.outputs;
        int[] order = RunContext.identity(d.size());
        Tensor acc = c.be.zeros(c.net.dtype(), B, n);
        long[] start = new long[1];
        Stepper.Listener read = net -> {
            if (net.steps() - start[0] - 1 >= h.readoutFrom()) c.be.axpby(1.0, teacher.output(), 1.0, acc);
        };
        c.stepper.addListener(read);
        double loss = 0;
        try {
            for (int from = 0; from < d.size(); from += B) {
                c.be.fill(acc, 0.0);
                start[0] = c.net.steps();
                c.writeInputs(d, order, from);
                double[] out = c.hold();
                double[] t = acc.toHost();
                int window =
                        h.readout() == io.cortex4j.config.ScheduleSpec.Readout.MEAN ? h.steps() - h.readoutFrom() : 1;
                for (int b = 0; b < B && from + b < d.size(); b++) {
                    for (int k = 0; k < n; k++) {
                        double tk = t[b * n + k] / window;
                        double e = out[b * n + k] - tk;
                        loss += e * e / n;
                    }
                }
            }
        } finally {
            c.stepper.removeListener(read);
            acc.close();
        }
        return loss / d.size();
    }

    @Override
    public Map<String, Object> finish() {
        Map<String, Object> s = new LinkedHashMap<>();
        if (learned.isEmpty()) return s;
        s.put("param_rel_error", relativeError());
        Map<String, Object> student = new LinkedHashMap<>(), target = new LinkedHashMap<>();
        for (String n : learned) {
            student.put(n, c.net.parameters().get(n).toHost());
            target.put(n, teacher.parameters().get(n).toHost());
        }
        s.put("student", student);
        s.put("teacher", target);
        return s;
    }

    @Override
    public Map<String, Network> networks() {
        Map<String, Network> m = new LinkedHashMap<>();
        m.put("", c.net);
        m.put("teacher", teacher);
        return m;
    }

    @Override
    public Map<String, Object> dataSummary() {
        return continuous() ? Map.of("data", "signal") : super.dataSummary();
    }

    @Override
    public void close() {
        teacher.close();
    }
}
