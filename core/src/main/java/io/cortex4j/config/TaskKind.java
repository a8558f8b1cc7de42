package io.cortex4j.config;

/** What a run asks of its network; each is a {@code Task} of the trainer. */
public enum TaskKind {
    /** Labelled data: the output is nudged towards high/low targets; scored by accuracy. */
    CLASSIFICATION,
    /** The target is the input; scored by reconstruction error and a linear probe on the latent layer. */
    AUTOENCODER,
    /** A teacher network of the same family gives the target at every step; scored by the distance to it. */
    @Words({"teacher-student", "mimic", "fw-bw"})
    TEACHER_STUDENT,
    /** No target, forward weights frozen: the feedback pathway learns from noise alone (PAL's bw_only). */
    @Words({"alignment", "bw-only"})
    ALIGNMENT
}
