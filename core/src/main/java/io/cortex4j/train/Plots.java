package io.cortex4j.train;

import io.cortex4j.config.ExperimentConfig;
import io.cortex4j.plot.LinePlot;
import java.io.IOException;
import java.nio.file.Path;

/** The PNG plots of a run: accuracy per epoch (classification) and feedback alignment angles per epoch. */
public final class Plots {
    private Plots() {}

    static void write(ExperimentConfig cfg, MetricsTable m, Path dir) throws IOException {
        double[] epochs = m.column("epoch");
        if (epochs.length == 0 || !io.cortex4j.plot.Plotting.available()) return;
        String title =
                cfg.name() + " (" + cfg.model().rule() + ", seed " + cfg.run().seed() + ")";
        if (m.columns().contains("val_acc")) {
            LinePlot p = new LinePlot().title(title).xLabel("epoch").yLabel("accuracy [%]");
            p.addSeries("validation", epochs, percent(m.column("val_acc")));
            p.addSeries("training (nudged output)", epochs, percent(m.column("train_acc_nudged")));
            p.write(dir.resolve("accuracy.png"));
        }
        int hidden = cfg.model().layers().length - 2;
        if (hidden > 0) {
            LinePlot p = new LinePlot()
                    .title(title)
                    .xLabel("epoch")
                    .yLabel("angle [deg]")
                    .yRange(0, 100);
            for (int l = 1; l <= hidden; l++)
                p.addSeries("∠(B" + l + ", W" + (l + 1) + "ᵀ)", epochs, m.column("angle_B_WT_" + l));
            for (int l = 1; l <= hidden; l++)
                p.addSeries("∠(B" + l + ", φ'W" + (l + 1) + "ᵀφ')", epochs, m.column("angle_B_JWTJ_" + l));
            p.write(dir.resolve("angles.png"));
        }
    }

    /**
     * Plots of a run from its metrics alone: accuracies ({@code *_acc} columns), losses
     * ({@code *_loss}) and feedback angles ({@code angle_*}) per epoch.
     */
    public static void writeColumns(String title, MetricsTable m, Path dir) throws IOException {
        double[] epochs = m.column("epoch");
        if (epochs.length == 0 || !io.cortex4j.plot.Plotting.available()) return;
        String[][] groups = {
            {"_acc", "accuracy.png", "accuracy [%]"},
            {"_loss", "loss.png", "loss"},
            {"angle_", "angles.png", "angle [deg]"}
        };
        for (String[] g : groups) {
            LinePlot p = new LinePlot().title(title).xLabel("epoch").yLabel(g[2]);
            boolean any = false;
            for (String c : m.columns()) {
                boolean match = g[0].startsWith("angle") ? c.startsWith(g[0]) : c.endsWith(g[0]);
                if (!match) continue;
                double[] v = m.column(c);
                boolean finite = false;
                for (double x : v) finite |= Double.isFinite(x);
                if (!finite) continue;
                p.addSeries(c, epochs, g[0].equals("_acc") ? percent(v) : v);
                any = true;
            }
            if (g[0].startsWith("angle")) p.yRange(0, 100);
            if (any) p.write(dir.resolve(g[1]));
        }
    }

    private static double[] percent(double[] a) {
        double[] o = a.clone();
        for (int i = 0; i < o.length; i++) o[i] *= 100;
        return o;
    }
}
