package io.cortex4j.run;

import io.cortex4j.datasets.LabeledData;

/** The labelled data of a task: training, validation and test splits (validation may be the test split). */
record TaskData(LabeledData train, LabeledData validation, LabeledData test) {}
