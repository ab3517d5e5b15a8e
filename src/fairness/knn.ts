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

/**
 * A k-d tree over unique points, in flat typed arrays (node i's box is `lo/hi[i * dim + j]`): a million-row flip
 * test visits tens of millions of nodes, and arrays of arrays made each visit chase pointers.
 */
interface Tree {
  readonly perm: Int32Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly depth: number;
}

/**
 * Reorders `perm[s, e)` so that the point at `nth` has the value it would have sorted by `axis`, with no larger
 * value before it and no smaller one after (quickselect). Any such split gives a valid tree, because the search
 * is exact and the node boxes are measured from the points they hold; a full sort per level cost O(n log² n).
 */
function selectNth(perm: Int32Array, pts: Float64Array, dim: number, axis: number, s: number, e: number, nth: number): void {
  let lo = s;
  let hi = e - 1;
  while (hi > lo) {
    const a = pts[perm[lo]! * dim + axis]!;
    const b = pts[perm[(lo + hi) >> 1]! * dim + axis]!;
    const c = pts[perm[hi]! * dim + axis]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (pts[perm[i]! * dim + axis]! < pivot) i++;
      while (pts[perm[j]! * dim + axis]! > pivot) j--;
      if (i <= j) {
        const t = perm[i]!;
        perm[i] = perm[j]!;
        perm[j] = t;
        i++;
        j--;
      }
    }
    if (nth <= j) hi = j;
    else if (nth >= i) lo = i;
    else return;
  }
}

function buildTree(pts: Float64Array, count: number, dim: number): Tree {
  const perm = new Int32Array(count);
  for (let i = 0; i < count; i++) perm[i] = i;
  // A binary tree with at least one point per leaf has fewer than 2 * count nodes.
  const cap = Math.max(1, 2 * count);
  const t = {
    perm,
    start: new Int32Array(cap),
    end: new Int32Array(cap),
    left: new Int32Array(cap).fill(-1),
    right: new Int32Array(cap).fill(-1),
    lo: new Float64Array(cap * dim),
    hi: new Float64Array(cap * dim),
    depth: 0,
  };
  let nodes = 0;
  const build = (s: number, e: number, level: number): number => {
    const id = nodes++;
    if (level > t.depth) t.depth = level;
    const o = id * dim;
    t.lo.fill(Infinity, o, o + dim);
    t.hi.fill(-Infinity, o, o + dim);
    for (let i = s; i < e; i++) {
      const u = perm[i]! * dim;
      for (let j = 0; j < dim; j++) {
        const v = pts[u + j]!;
        if (v < t.lo[o + j]!) t.lo[o + j] = v;
        if (v > t.hi[o + j]!) t.hi[o + j] = v;
      }
    }
    t.start[id] = s;
    t.end[id] = e;
    if (e - s <= LEAF_SIZE) return id;
    let axis = 0;
    for (let j = 1; j < dim; j++) if (t.hi[o + j]! - t.lo[o + j]! > t.hi[o + axis]! - t.lo[o + axis]!) axis = j;
    if (t.hi[o + axis] === t.lo[o + axis]) return id;
    const mid = (s + e) >> 1;
    selectNth(perm, pts, dim, axis, s, e, mid);
    t.left[id] = build(s, mid, level + 1);
    t.right[id] = build(mid, e, level + 1);
    return id;
  };
  if (count > 0) build(0, count, 0);
  return t;
}

function boxDistance(t: Tree, node: number, q: Float64Array, qo: number, dim: number): number {
  const o = node * dim;
  let s = 0;
  for (let j = 0; j < dim; j++) {
    const v = q[qo + j]!;
    const l = t.lo[o + j]!;
    const h = t.hi[o + j]!;
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

  // Candidates sorted by distance (ties in any order: the vote orders tied rows by index), in typed arrays that
  // grow when ties at the bound keep more than k.
  let candDist = new Float64Array(Math.max(16, 2 * k));
  let candU = new Int32Array(candDist.length);
  let nCand = 0;
  const bound = (): number => {
    let cum = 0;
    for (let c = 0; c < nCand; c++) {
      cum += uSize[candU[c]!]!;
      if (cum >= k) {
        const b = candDist[c]!;
        let keep = c + 1;
        while (keep < nCand && candDist[keep] === b) keep++;
        nCand = keep;
        return b;
      }
    }
    return Infinity;
  };
  const insert = (d: number, u: number): void => {
    if (nCand === candDist.length) {
      const dist = new Float64Array(2 * nCand);
      dist.set(candDist);
      candDist = dist;
      const us = new Int32Array(2 * nCand);
      us.set(candU);
      candU = us;
    }
    let pos = nCand;
    while (pos > 0 && candDist[pos - 1]! > d) {
      candDist[pos] = candDist[pos - 1]!;
      candU[pos] = candU[pos - 1]!;
      pos--;
    }
    candDist[pos] = d;
    candU[pos] = u;
    nCand++;
  };

  // Nodes to visit with their box distance, computed once when pushed (the box does not change; the limit may
  // have shrunk by the time the node is popped, which is when it is compared).
  const stack = new Int32Array(2 * tree.depth + 4);
  const stackDist = new Float64Array(stack.length);
  const classify = (q: Float64Array, qo: number): number => {
    nCand = 0;
    let limit = Infinity;
    let top = 0;
    if (uCount > 0) {
      stack[0] = 0;
      stackDist[top++] = boxDistance(tree, 0, q, qo, dim);
    }
    while (top > 0) {
      const node = stack[--top]!;
      if (stackDist[top]! > limit) continue;
      const l = tree.left[node]!;
      if (l < 0) {
        for (let i = tree.start[node]!; i < tree.end[node]!; i++) {
          const u = tree.perm[i]!;
          let d = 0;
          for (let j = 0; j < dim; j++) {
            const g = q[qo + j]! - uPts[u * dim + j]!;
            d += g * g;
          }
          if (d <= limit) {
            insert(d, u);
            limit = bound();
          }
        }
        continue;
      }
      const r = tree.right[node]!;
      const dl = boxDistance(tree, l, q, qo, dim);
      const dr = boxDistance(tree, r, q, qo, dim);
      if (dl <= dr) {
        stack[top] = r;
        stackDist[top++] = dr;
        stack[top] = l;
        stackDist[top++] = dl;
      } else {
        stack[top] = l;
        stackDist[top++] = dl;
        stack[top] = r;
        stackDist[top++] = dr;
      }
    }
    return vote();
  };

  const vote = (): number => {
    let remaining = k;
    let votes = 0;
    let c = 0;
    while (remaining > 0 && c < nCand) {
      let e = c;
      while (e < nCand && candDist[e] === candDist[c]) e++;
      const members: number[] = [];
      for (let x = c; x < e; x++) {
        const u = candU[x]!;
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
