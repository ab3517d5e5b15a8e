export { buildReportModel } from './build.js';
export type { FairnessThresholds, ReportOptions } from './context.js';
export { SECTIONS, STATUS_LABELS, STATUS_ORDER, STATUS_TONES } from './common.js';
export * from './types.js';
