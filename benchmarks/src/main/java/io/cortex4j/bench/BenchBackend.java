package io.cortex4j.bench;

import io.cortex4j.tensor.Backend;
import io.cortex4j.tensor.BackendProvider;
import io.cortex4j.tensor.Backends;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The benchmark harnesses' {@code --backend NAME} option: the workloads are built on the backend of
 * that name found through {@link Backends} (default {@value #DEFAULT}), and the choice is checked
 * before anything is measured.
 */
final class BenchBackend {
    static final String DEFAULT = "cpu";

    private BenchBackend() {}

    /**
     * The {@code --backend} value in {@code args} (default {@value #DEFAULT}), lower-cased, known and
     * available here. {@code cpuOnly} is null for a mode that runs on any backend, else why the mode
     * runs on the CPU backend alone: another known backend is then refused with that reason.
     */
    static String option(String[] args, String cpuOnly) {
        String name = DEFAULT;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--backend")) {
                if (i + 1 >= args.length)
                    throw new IllegalArgumentException("--backend needs a value (a backend name, e.g. cpu or cuda)");
                name = args[++i];
            }
        }
        boolean known = false;
        for (BackendProvider p : Backends.providers()) known |= p.name().equalsIgnoreCase(name);
        if (known && cpuOnly != null && !name.equalsIgnoreCase(DEFAULT)) {
            throw new IllegalArgumentException("--backend " + name + " is not supported here: " + cpuOnly);
        }
        Backends.requireAvailable(name); // unknown: names the known ones; unavailable: the provider's reason
        return name.toLowerCase(Locale.ROOT);
    }

    static Backend create(String name) {
        return Backends.create(name);
    }

    /**
     * Parses the options (which checks the backend) and, if they are good, measures: a bad option
     * ends with one error line and status 2 before any measurement starts.
     */
    static <O> int run(String[] args, Function<String[], O> parse, Consumer<O> measure) {
        O options;
        try {
            options = parse.apply(args);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        measure.accept(options);
        return 0;
    }

    /** The value after option {@code args[i]}. */
    static String value(String[] args, int i) {
        if (i + 1 >= args.length) throw new IllegalArgumentException(args[i] + " needs a value");
        return args[i + 1];
    }

    static int wholeNumber(String s, String opt) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " needs a whole number, got '" + s + "'");
        }
    }
}
