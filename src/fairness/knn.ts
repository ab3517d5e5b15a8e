/**
 * Exact k-nearest-neighbour classification for the flip test, equivalent to scikit-learn's
 * `KNeighborsClassifier(weights='uniform', p=2)` with distance ties broken by the lower training-row index and
 * vote ties by the lower class (False). Scales to large inputs: identical training rows are merged (binary and
 * integer features repeat a lot), identical query rows are answered once, and a k-d tree prunes the search.
 */

/** Row-major points: `values[i * dim + j]` is feature j of row i. */
export interface Points {
  readonly values: Float64Array;
  readonly count: number;
  readonly dim: number;
}

function compareRows(p: Points, x: number, y: number): number {
  const { values, dim } = p;
  for (let j = 0; j < dim; j++) {
    const d = (values[x * dim + j] ?? 0) - (values[y * dim + j] ?? 0);
    if (d !== 0) return d;
  }
  return x - y;
}

function sameRow(p: Points, x: number, y: number): boolean {
  for (let j = 0; j < p.dim; j++) if (p.values[x * p.dim + j] !== p.values[y * p.dim + j]) return false;
  return true;
}

/** Rows sorted lexicographically (ties by index) and the start of each run of identical rows. */
function groupRows(p: Points): { order: Int32Array; starts: Int32Array } {
  const order = new Int32Array(p.count);
  for (let i = 0; i < p.count; i++) order[i] = i;
  order.sort((x, y) => compareRows(p, x, y));
  const starts: number[] = [];
  for (let i = 0; i < p.count; i++) {
    if (i === 0 || !sameRow(p, order[i - 1] ?? 0, order[i] ?? 0)) starts.push(i);
  }
  starts.push(p.count);
  return { order, starts: Int32Array.from(starts) };
}

const LEAF_SIZE = 8;

interface Tree {
  readonly perm: Int32Array;
  readonly start: number[];
  readonly end: number[];
  readonly left: number[];
  readonly right: number[];
  readonly lo: number[][];
  readonly hi: number[][];
}

function buildTree(pts: Float64Array, count: number, dim: number): Tree {
  const perm = new Int32Array(count);
  for (let i = 0; i < count; i++) perm[i] = i;
  const t: Tree = { perm, start: [], end: [], left: [], right: [], lo: [], hi: [] };
  const build = (s: number, e: number): number => {
    const id = t.start.length;
    const lo = new Array<number>(dim).fill(Infinity);
    const hi = new Array<number>(dim).fill(-Infinity);
    for (let i = s; i < e; i++) {
      const u = perm[i] ?? 0;
      for (let j = 0; j < dim; j++) {
        const v = pts[u * dim + j] ?? 0;
        if (v < (lo[j] ?? 0)) lo[j] = v;
        if (v > (hi[j] ?? 0)) hi[j] = v;
      }
    }
    t.start.push(s);
    t.end.push(e);
    t.left.push(-1);
    t.right.push(-1);
    t.lo.push(lo);
    t.hi.push(hi);
    if (e - s <= LEAF_SIZE) return id;
    let axis = 0;
    for (let j = 1; j < dim; j++) if ((hi[j] ?? 0) - (lo[j] ?? 0) > (hi[axis] ?? 0) - (lo[axis] ?? 0)) axis = j;
    if ((hi[axis] ?? 0) === (lo[axis] ?? 0)) return id;
    perm.subarray(s, e).sort((x, y) => (pts[x * dim + axis] ?? 0) - (pts[y * dim + axis] ?? 0));
    const mid = (s + e) >> 1;
    t.left[id] = build(s, mid);
    t.right[id] = build(mid, e);
    return id;
  };
  if (count > 0) build(0, count);
  return t;
}

function boxDistance(t: Tree, node: number, q: Float64Array, qo: number, dim: number): number {
  const lo = t.lo[node] ?? [];
  const hi = t.hi[node] ?? [];
  let s = 0;
  for (let j = 0; j < dim; j++) {
    const v = q[qo + j] ?? 0;
    const l = lo[j] ?? 0;
    const h = hi[j] ?? 0;
    const g = v < l ? l - v : v > h ? v - h : 0;
    s += g * g;
  }
  return s;
}

/**
 * Predicts, for every query row, the majority predicted label of its k nearest training rows.
 * `trainLabels[i]` is 0/1.
 */
export function knnPredict(train: Points, trainLabels: Uint8Array, query: Points, k: number): Uint8Array {
  const dim = train.dim;
  const groups = groupRows(train);
  const uCount = groups.starts.length - 1;
  const uPts = new Float64Array(uCount * dim);
  const uSize = new Int32Array(uCount);
  for (let u = 0; u < uCount; u++) {
    const first = groups.order[groups.starts[u] ?? 0] ?? 0;
    uPts.set(train.values.subarray(first * dim, first * dim + dim), u * dim);
    uSize[u] = (groups.starts[u + 1] ?? 0) - (groups.starts[u] ?? 0);
  }
  const tree = buildTree(uPts, uCount, dim);

  const candDist: number[] = [];
  const candU: number[] = [];
  const bound = (): number => {
    let cum = 0;
    for (let c = 0; c < candDist.length; c++) {
      cum += uSize[candU[c] ?? 0] ?? 0;
      if (cum >= k) {
        const b = candDist[c] ?? Infinity;
        let keep = c + 1;
        while (keep < candDist.length && candDist[keep] === b) keep++;
        candDist.length = keep;
        candU.length = keep;
        return b;
      }
    }
    return Infinity;
  };
  const insert = (d: number, u: number): void => {
    let pos = candDist.length;
    while (pos > 0 && (candDist[pos - 1] ?? 0) > d) pos--;
    candDist.splice(pos, 0, d);
    candU.splice(pos, 0, u);
  };

  const classify = (q: Float64Array, qo: number): number => {
    candDist.length = 0;
    candU.length = 0;
    let limit = Infinity;
    const stack: number[] = [0];
    while (stack.length > 0) {
      const node = stack.pop() ?? 0;
      if (boxDistance(tree, node, q, qo, dim) > limit) continue;
      const l = tree.left[node] ?? -1;
      if (l < 0) {
        for (let i = tree.start[node] ?? 0; i < (tree.end[node] ?? 0); i++) {
          const u = tree.perm[i] ?? 0;
          let d = 0;
          for (let j = 0; j < dim; j++) {
            const g = (q[qo + j] ?? 0) - (uPts[u * dim + j] ?? 0);
            d += g * g;
          }
          if (d <= limit) {
            insert(d, u);
            limit = bound();
          }
        }
        continue;
      }
      const r = tree.right[node] ?? -1;
      const dl = boxDistance(tree, l, q, qo, dim);
      const dr = boxDistance(tree, r, q, qo, dim);
      if (dl <= dr) stack.push(r, l);
      else stack.push(l, r);
    }
    return vote();
  };

  const vote = (): number => {
    let remaining = k;
    let votes = 0;
    let c = 0;
    while (remaining > 0 && c < candDist.length) {
      let e = c;
      while (e < candDist.length && candDist[e] === candDist[c]) e++;
      const members: number[] = [];
      for (let x = c; x < e; x++) {
        const u = candU[x] ?? 0;
        for (let m = groups.starts[u] ?? 0; m < (groups.starts[u + 1] ?? 0); m++) members.push(groups.order[m] ?? 0);
      }
      if (members.length > remaining) members.sort((x, y) => x - y);
      const take = Math.min(remaining, members.length);
      for (let m = 0; m < take; m++) votes += trainLabels[members[m] ?? 0] ?? 0;
      remaining -= take;
      c = e;
    }
    const used = k - remaining;
    return votes > used - votes ? 1 : 0;
  };

  const out = new Uint8Array(query.count);
  const queries = groupRows(query);
  for (let g = 0; g + 1 < queries.starts.length; g++) {
    const first = queries.order[queries.starts[g] ?? 0] ?? 0;
    const label = classify(query.values, first * dim);
    for (let m = queries.starts[g] ?? 0; m < (queries.starts[g + 1] ?? 0); m++) out[queries.order[m] ?? 0] = label;
  }
  return out;
}
