package io.cortex4j.config;

/**
 * The sections of a config that every family shares: the run's name and task, {@code model.family}
 * and {@code model.init}, the data, the schedule, the optimizer (for families stepped with one), the
 * run settings and the probes. A family's own record is bound from the same document.
 */
public record Common(
        @Key(def = "experiment") String name,
        @Key(def = "classification") TaskSpec task,
        ModelRef model,
        DataSpec data,
        @Key(def = "{}") ScheduleSpec schedule,
        @Key(def = Key.ABSENT) OptimizerSpec optimizer,
        @Key(def = "{}") RunSpec run,
        @Key(def = Key.ABSENT) ProbeSpec probes) {}
