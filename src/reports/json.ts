import type { AssessmentResult } from '../pipeline/assess-stage.js';

/** Stable, pretty JSON of the assessment (keys in a fixed order, as built). */
export function renderResultsJson(result: AssessmentResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}
