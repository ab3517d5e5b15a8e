/**
 * SageMaker Clarify: the real bias report for prod credit-risk (copied unchanged), and a labelled predictions file
 * for ml-dev churn whose disparate impact is planted at 0.65.
 */
import { fixedStream } from './rng.js';

/** Group sizes and outcomes of the churn predictions (facet 1 = age_over_60 is the sensitive group d). */
export const CHURN_COUNTS = {
  facetName: 'age_over_60',
  sensitiveFacetValue: 1,
  positiveLabel: 1,
  /** facet = 0 (advantaged group a) */
  a: { n: 1400, labelPositive: 680, predictedPositive: 700, tp: 600, fp: 100, fn: 80, tn: 620 },
  /** facet = 1 (sensitive group d) */
  d: { n: 600, labelPositive: 260, predictedPositive: 195, tp: 170, fp: 25, fn: 90, tn: 315 },
} as const;

/** DI = P(ŷ=1 | d) / P(ŷ=1 | a) = (195/600) / (700/1400) = 0.325 / 0.5 = 0.65. */
export const CHURN_DI =
  CHURN_COUNTS.d.predictedPositive / CHURN_COUNTS.d.n / (CHURN_COUNTS.a.predictedPositive / CHURN_COUNTS.a.n);

export function churnPredictionsCsv(): string {
  const rows: string[] = [];
  const add = (facet: number, label: number, prediction: number, n: number): void => {
    for (let i = 0; i < n; i++) rows.push(`${facet},${label},${prediction}`);
  };
  for (const [facet, g] of [
    [0, CHURN_COUNTS.a],
    [1, CHURN_COUNTS.d],
  ] as const) {
    add(facet, 1, 1, g.tp);
    add(facet, 0, 1, g.fp);
    add(facet, 1, 0, g.fn);
    add(facet, 0, 0, g.tn);
  }
  const shuffled = fixedStream('clarify:churn-rows').shuffle(rows);
  return `facet,label,prediction\n${shuffled.join('\n')}\n`;
}
