/**
 * Native fairness (bias) metrics with SageMaker Clarify's semantics (smclarify 0.5), for models without a Clarify
 * `analysis.json`. Pure functions: no I/O, no logging.
 */
export * from './basic-stats.js';
export * from './binarize.js';
export * from './columns.js';
export * from './counts.js';
export * from './dataset.js';
export * from './errors.js';
export * from './fliptest.js';
export * from './intervals.js';
export * from './posttraining.js';
export * from './predictions.js';
export * from './pretraining.js';
export * from './report.js';
export * from './thresholds.js';
export * from './values.js';
