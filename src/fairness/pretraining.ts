/**
 * Pre-training bias metrics (smclarify `pretraining.py` and the shared `common.DPL` / `common.CDD`). Every
 * function takes boolean indexes (`BoolIndex`), like the upstream functions; `d` is the sensitive facet and `a`
 * everything else. Errors are thrown as `FairnessError` with smclarify's exact message.
 */
import { cellAt, columnLength, isMissing, type BoolIndex, type Column } from './columns.js';
import { divide, facetCounts } from './counts.js';
import { valueError } from './errors.js';
import type { Cell } from './values.js';

/** Class Imbalance: `(n_a - n_d) / (n_a + n_d)`. */
export function CI(sensitive: BoolIndex): number {
  const { a, d } = facetCounts(sensitive, null, null);
  if (a.n === 0) throw valueError('CI: negated facet set is empty. Check that x[~facet] has non-zero length.');
  if (d.n === 0) throw valueError('CI: facet set is empty. Check that x[facet] has non-zero length.');
  return (a.n - d.n) / (a.n + d.n);
}

/** `common.DPL`: difference in positive proportions of an index (observed labels for DPL, predictions for DPPL). */
export function differenceInPositiveProportions(sensitive: BoolIndex, positive: BoolIndex): number {
  const { a, d } = facetCounts(sensitive, positive, null);
  if (a.n === 0) throw valueError('Negative facet set is empty.');
  if (d.n === 0) throw valueError('Facet set is empty.');
  return a.labelPos / a.n - d.labelPos / d.n;
}

/** Difference in Positive Proportions in Labels: `q_a - q_d`. */
export function DPL(sensitive: BoolIndex, positiveLabel: BoolIndex): number {
  return differenceInPositiveProportions(sensitive, positiveLabel);
}

/** The label argument of KL/JS/LP/TVD/KS: the boolean positive-label index, or any raw label column. */
export type LabelArgument = BoolIndex | Column;

function sortKeys(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `pdfs_aligned_nonzero`: empirical label frequencies in a and in d, restricted to the label values that occur in
 * both groups (sorted), and not renormalised.
 */
export function alignedPdfs(label: LabelArgument, sensitive: BoolIndex): { pa: number[]; pd: number[] } {
  const counts = new Map<string | number, [number, number]>();
  let na = 0;
  let nd = 0;
  if (label instanceof Uint8Array) {
    const c0: [number, number] = [0, 0];
    const c1: [number, number] = [0, 0];
    for (let i = 0; i < label.length; i++) (label[i] ? c1 : c0)[sensitive[i] ? 1 : 0]++;
    counts.set(0, c0).set(1, c1);
    na = c0[0] + c1[0];
    nd = c0[1] + c1[1];
  } else {
    const n = columnLength(label);
    for (let i = 0; i < n; i++) {
      const v: Cell = cellAt(label, i);
      if (isMissing(v)) continue;
      const key = typeof v === 'boolean' ? Number(v) : (v as string | number);
      let c = counts.get(key);
      if (!c) counts.set(key, (c = [0, 0]));
      if (sensitive[i]) {
        c[1]++;
        nd++;
      } else {
        c[0]++;
        na++;
      }
    }
  }
  const pa: number[] = [];
  const pd: number[] = [];
  for (const key of [...counts.keys()].sort(sortKeys)) {
    const [ca, cd] = counts.get(key) ?? [0, 0];
    if (ca > 0 && cd > 0) {
      pa.push(ca / na);
      pd.push(cd / nd);
    }
  }
  if (pa.length === 0) throw valueError('No instance of common facet found, dataset may be too small');
  return { pa, pd };
}

/** Kullback-Leibler divergence `Σ Pa ln(Pa / Pd)` over the common label values (can be negative, see FORMULAS §3). */
export function KL(label: LabelArgument, sensitive: BoolIndex): number {
  const { pa, pd } = alignedPdfs(label, sensitive);
  let s = 0;
  for (let i = 0; i < pa.length; i++) s += (pa[i] ?? 0) * Math.log((pa[i] ?? 0) / (pd[i] ?? 1));
  return s;
}

/** Jensen-Shannon divergence with `M = (Pa + Pd) / 2`. */
export function JS(label: LabelArgument, sensitive: BoolIndex): number {
  const { pa, pd } = alignedPdfs(label, sensitive);
  let sa = 0;
  let sd = 0;
  for (let i = 0; i < pa.length; i++) {
    const x = pa[i] ?? 0;
    const y = pd[i] ?? 0;
    const m = 0.5 * (x + y);
    sa += x * Math.log(x / m);
    sd += y * Math.log(y / m);
  }
  return 0.5 * (sa + sd);
}

function differences(label: LabelArgument, sensitive: BoolIndex): number[] {
  const { pa, pd } = alignedPdfs(label, sensitive);
  return pa.map((x, i) => Math.abs(x - (pd[i] ?? 0)));
}

/** L-p norm of `Pa - Pd`, with p fixed at 2 as upstream. */
export function LP(label: LabelArgument, sensitive: BoolIndex): number {
  return Math.sqrt(differences(label, sensitive).reduce((s, x) => s + x * x, 0));
}

/** Total Variation Distance: `½ Σ |Pa - Pd|`. */
export function TVD(label: LabelArgument, sensitive: BoolIndex): number {
  return 0.5 * differences(label, sensitive).reduce((s, x) => s + x, 0);
}

/** smclarify's "Kolmogorov-Smirnov": the largest pointwise gap `max |Pa - Pd|` (not a CDF statistic). */
export function KS(label: LabelArgument, sensitive: BoolIndex): number {
  return Math.max(...differences(label, sensitive));
}

function groupKey(v: Cell): string | number | null {
  if (v === null || isMissing(v)) return null;
  return typeof v === 'boolean' ? Number(v) : v;
}

/**
 * `common.CDD`: for each group g, `DD_g = D_g - A_g` with `A_g` the sensitive share of positives and `D_g` the
 * sensitive share of negatives in g; the result is their average weighted by group size.
 */
export function CDD(sensitive: BoolIndex, positive: BoolIndex, group: Column | null | undefined): number {
  if (!group || columnLength(group) === 0) throw valueError('Group variable is empty or not provided');
  let pos = 0;
  for (let i = 0; i < positive.length; i++) pos += positive[i] ?? 0;
  if (pos === 0) throw valueError('No positive labels in set');
  if (positive.length - pos === 0) throw valueError('No negative labels in set');
  const ids = new Map<string | number, number>();
  // per group: [rows, positives, sensitive positives, negatives, sensitive negatives]
  const acc: number[][] = [];
  const n = columnLength(group);
  for (let i = 0; i < n; i++) {
    const key = groupKey(cellAt(group, i));
    if (key === null) continue;
    let id = ids.get(key);
    if (id === undefined) {
      id = acc.length;
      ids.set(key, id);
      acc.push([0, 0, 0, 0, 0]);
    }
    const g = acc[id] ?? [];
    g[0] = (g[0] ?? 0) + 1;
    const s = sensitive[i] ? 1 : 0;
    if (positive[i]) {
      g[1] = (g[1] ?? 0) + 1;
      g[2] = (g[2] ?? 0) + s;
    } else {
      g[3] = (g[3] ?? 0) + 1;
      g[4] = (g[4] ?? 0) + s;
    }
  }
  let weighted = 0;
  let total = 0;
  for (const key of [...ids.keys()].sort(sortKeys)) {
    const [rows = 0, p = 0, sp = 0, neg = 0, sneg = 0] = acc[ids.get(key) ?? 0] ?? [];
    const a = p !== 0 ? sp / p : 0;
    const d = neg !== 0 ? sneg / neg : 0;
    weighted += rows * (d - a);
    total += rows;
  }
  return divide(weighted, total);
}

/** Conditional Demographic Disparity in Labels. */
export function CDDL(sensitive: BoolIndex, positiveLabel: BoolIndex, group: Column | null | undefined): number {
  return CDD(sensitive, positiveLabel, group);
}
