/**
 * Flip Test (FT), smclarify `posttraining.FT`: fit k-NN on the advantaged rows (targets = the model's predicted
 * labels), predict for every sensitive row, and return `(#{model=1, kNN=0} - #{model=0, kNN=1}) / n_d`.
 * k = 5 when there are more than 9 advantaged rows, else 1 (`FT_DEFAULT_NEIGHBOR`, `FT_MIN_NEIGHBOR`,
 * `FT_SAMPLES_COUNT_THRESHOLD`).
 */
import { columnLength, isNumericDtype, numberAt, type BoolIndex, type Column } from './columns.js';
import { divide } from './counts.js';
import { valueError } from './errors.js';
import { knnPredict, type Points } from './knn.js';

export const FT_DEFAULT_NEIGHBOR = 5;
export const FT_MIN_NEIGHBOR = 1;
export const FT_SAMPLES_COUNT_THRESHOLD = 9;

function extract(columns: readonly Column[], rows: Int32Array): Points {
  const dim = columns.length;
  const values = new Float64Array(rows.length * dim);
  columns.forEach((c, j) => {
    if (!isNumericDtype(c)) return;
    for (let r = 0; r < rows.length; r++) values[r * dim + j] = numberAt(c, rows[r] ?? 0);
  });
  return { values, count: rows.length, dim };
}

function checkFinite(p: Points): void {
  for (const v of p.values) {
    if (Number.isNaN(v)) throw valueError('Input X contains NaN.');
    if (!Number.isFinite(v)) throw valueError("Input X contains infinity or a value too large for dtype('float64').");
  }
}

/**
 * `features` are the dataset's remaining columns (in `bias_report`: every column except facet, label and
 * predicted label). Every one must be numeric or bool.
 */
export function FT(features: readonly Column[], sensitive: BoolIndex, positivePredicted: BoolIndex): number {
  const n = sensitive.length;
  let nd = 0;
  for (let i = 0; i < n; i++) nd += sensitive[i] ? 1 : 0;
  if (nd === 0) throw valueError('Facet set is empty');
  if (n - nd === 0) throw valueError('Negated Facet set is empty');
  if (!features.every(isNumericDtype)) throw valueError('FlipTest does not support non-numeric columns');
  for (const c of features) {
    if (columnLength(c) !== n) throw valueError(`Feature column has ${columnLength(c)} rows, expected ${n}`);
  }
  const aRows = new Int32Array(n - nd);
  const dRows = new Int32Array(nd);
  for (let i = 0, ai = 0, di = 0; i < n; i++) {
    if (sensitive[i]) dRows[di++] = i;
    else aRows[ai++] = i;
  }
  if (features.length === 0) {
    throw valueError(
      `Found array with 0 feature(s) (shape=(${aRows.length}, 0)) while a minimum of 1 is required by KNeighborsClassifier.`,
    );
  }
  const train = extract(features, aRows);
  checkFinite(train);
  const query = extract(features, dRows);
  checkFinite(query);
  const trainLabels = new Uint8Array(aRows.length);
  aRows.forEach((row, i) => (trainLabels[i] = positivePredicted[row] ? 1 : 0));
  const k = aRows.length > FT_SAMPLES_COUNT_THRESHOLD ? FT_DEFAULT_NEIGHBOR : FT_MIN_NEIGHBOR;
  const knn = knnPredict(train, trainLabels, query, k);
  let pos = 0;
  let neg = 0;
  dRows.forEach((row, i) => {
    const model = positivePredicted[row] ? 1 : 0;
    const flipped = knn[i] ?? 0;
    if (model > flipped) pos++;
    else if (model < flipped) neg++;
  });
  return divide(pos - neg, nd);
}
