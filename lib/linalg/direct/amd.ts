/**
 * Approximate minimum degree ordering (Amestoy, Davis & Duff, 1996) on an
 * undirected graph, the fill-reducing ordering behind every factorisation
 * here.
 *
 * Elimination is simulated on a *quotient graph*: eliminating a node turns
 * it and its neighbours into an *element* (a clique that is never stored
 * explicitly), so memory stays within the original graph plus some elbow
 * room. The ingredients, in the order one step performs them:
 *
 * 1. pick a node of minimum approximate degree (degree lists, bucketed);
 * 2. build its element `Lk`: the union of its variable neighbours and of the
 *    variables of the elements it touches; those elements are *absorbed*;
 * 3. compute `|Le \ Lk|` for every element `e` touching `Lk` (one scan);
 * 4. approximate degree of each `i ∈ Lk`:
 *    `d(i) ≈ |A_i \ i| + |Lk \ i| + Σ_{e ≠ k} |Le \ Lk|`, an upper bound
 *    that is exact far more often than not; elements with `Le ⊆ Lk` are
 *    absorbed on the way (*aggressive absorption*); a node whose whole
 *    neighbourhood is inside `Lk` is eliminated together with the pivot
 *    (*mass elimination*);
 * 5. nodes of `Lk` with identical adjacency become one *supervariable*
 *    (found by hashing their lists), so they are eliminated as a block.
 *
 * Dense nodes (degree above `10√n`) are set aside and ordered last. The
 * result is post-ordered along the assembly tree, so that related columns
 * are contiguous (good for the triangular solves).
 *
 * @module
 */

import type { AdjacencyGraph } from "./graph.ts";

/** Encodes a node index as a negative number ≤ -2 (and back: the map is its own inverse). */
function flip(i: number): number {
  return -i - 2;
}

/**
 * Approximate minimum degree ordering of a graph: returns `perm` with
 * `perm[k]` the node eliminated k-th.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { amd } from "./amd.ts";
 * import { symmetricGraph } from "./graph.ts";
 * import { CsrMatrix } from "@gradsolve/gradsolve";
 * // An arrow matrix: the dense node 0 must come last.
 * const n = 5, rows = [], cols = [];
 * for (let i = 0; i < n; i++) rows.push(i, 0, i), cols.push(i, i, 0);
 * const A = CsrMatrix.fromTriplets(n, n, rows, cols, rows.map(() => 1));
 * const perm = amd(symmetricGraph(A.pattern));
 * assert.equal(perm[n - 1], 0);
 * ```
 */
export function amd(graph: AdjacencyGraph): Int32Array {
  const n = graph.n;
  const perm = new Int32Array(n);
  if (n === 0) return perm;
  const nnz = graph.ptr[n];
  // Node n is a dummy element that absorbs the dense nodes.
  const size = n + 1;
  const elbow = nnz + Math.floor(nnz / 5) + 2 * n;
  let idx = new Int32Array(elbow);
  idx.set(graph.idx);
  const pe = new Int32Array(size); // start of each list in idx; flip(parent) once absorbed
  const len = new Int32Array(size); // length of each list
  const nv = new Int32Array(size); // supervariable size; 0 if absorbed; negated while in Lk
  const next = new Int32Array(size); // degree lists / hash buckets
  const last = new Int32Array(size); // degree lists / hash of a node
  const head = new Int32Array(size); // heads of degree lists
  const hashHead = new Int32Array(size);
  const elen = new Int32Array(size); // number of elements in a variable's list; -2 for elements
  const degree = new Int32Array(size);
  const w = new Int32Array(size); // marks and |Le \ Lk| workspace

  for (let i = 0; i < n; i++) {
    pe[i] = graph.ptr[i];
    len[i] = graph.ptr[i + 1] - graph.ptr[i];
  }
  let used = nnz; // idx[0 .. used-1] is in use
  const dense = Math.min(n - 2, Math.max(16, Math.floor(10 * Math.sqrt(n))));
  head.fill(-1);
  last.fill(-1);
  next.fill(-1);
  hashHead.fill(-1);
  nv.fill(1);
  w.fill(1);
  for (let i = 0; i <= n; i++) degree[i] = len[i];

  let mark = clearMarks(0, 0, w, n);
  elen[n] = -2;
  pe[n] = -1;
  w[n] = 0;
  let eliminated = 0;
  for (let i = 0; i < n; i++) {
    const d = degree[i];
    if (d === 0) {
      // isolated node: an element at once
      elen[i] = -2;
      eliminated++;
      pe[i] = -1;
      w[i] = 0;
    } else if (d > dense) {
      // dense node: absorbed into the dummy element n, ordered last
      nv[i] = 0;
      elen[i] = -1;
      eliminated++;
      pe[i] = flip(n);
      nv[n]++;
    } else {
      if (head[d] !== -1) last[head[d]] = i;
      next[i] = head[d];
      head[d] = i;
    }
  }

  let minDeg = 0, maxElement = 0;
  while (eliminated < n) {
    // 1. Pivot: a node of minimum approximate degree.
    let k = -1;
    for (; minDeg < n && (k = head[minDeg]) === -1; minDeg++);
    if (next[k] !== -1) last[next[k]] = -1;
    head[minDeg] = next[k];
    const elenK = elen[k];
    let nvK = nv[k];
    eliminated += nvK;

    // Compact idx when the new element might not fit at its end.
    if (elenK > 0 && used + minDeg >= idx.length) {
      used = compact(n, idx, pe, len, used);
      if (used + minDeg >= idx.length) {
        const bigger = new Int32Array(2 * idx.length + n);
        bigger.set(idx.subarray(0, used));
        idx = bigger;
      }
    }

    // 2. The new element Lk, stored in place when k touches no element.
    let dK = 0;
    nv[k] = -nvK;
    let p = pe[k];
    const lkStart = elenK === 0 ? p : used;
    let lkEnd = lkStart;
    for (let k1 = 1; k1 <= elenK + 1; k1++) {
      let e: number, pj: number, ln: number;
      if (k1 > elenK) {
        e = k; // the variables adjacent to k itself
        pj = p;
        ln = len[k] - elenK;
      } else {
        e = idx[p++]; // an element adjacent to k
        pj = pe[e];
        ln = len[e];
      }
      for (let k2 = 1; k2 <= ln; k2++) {
        const i = idx[pj++];
        const nvi = nv[i];
        if (nvi <= 0) continue; // already in Lk, or absorbed
        dK += nvi;
        nv[i] = -nvi; // mark as in Lk
        idx[lkEnd++] = i;
        // remove i from its degree list
        if (next[i] !== -1) last[next[i]] = last[i];
        if (last[i] !== -1) next[last[i]] = next[i];
        else head[degree[i]] = next[i];
      }
      if (e !== k) {
        pe[e] = flip(k); // element e is absorbed into k
        w[e] = 0;
      }
    }
    if (elenK !== 0) used = lkEnd;
    degree[k] = dK;
    pe[k] = lkStart;
    len[k] = lkEnd - lkStart;
    elen[k] = -2;

    // 3. |Le \ Lk| for every element e touching Lk, kept in w[e] - mark.
    mark = clearMarks(mark, maxElement, w, n);
    for (let pk = lkStart; pk < lkEnd; pk++) {
      const i = idx[pk];
      const eln = elen[i];
      if (eln <= 0) continue;
      const nvi = -nv[i];
      const wnvi = mark - nvi;
      for (let q = pe[i]; q <= pe[i] + eln - 1; q++) {
        const e = idx[q];
        if (w[e] >= mark) w[e] -= nvi;
        else if (w[e] !== 0) w[e] = degree[e] + wnvi;
      }
    }

    // 4. Approximate degrees, element absorption, mass elimination.
    for (let pk = lkStart; pk < lkEnd; pk++) {
      const i = idx[pk];
      const p1 = pe[i], p2 = p1 + elen[i] - 1;
      let pn = p1, h = 0, d = 0;
      for (let q = p1; q <= p2; q++) {
        const e = idx[q];
        if (w[e] === 0) continue;
        const dExt = w[e] - mark;
        if (dExt > 0) {
          d += dExt;
          idx[pn++] = e;
          h += e;
        } else {
          pe[e] = flip(k); // Le ⊆ Lk: aggressive absorption
          w[e] = 0;
        }
      }
      elen[i] = pn - p1 + 1; // the surviving elements, plus k
      const p3 = pn, p4 = p1 + len[i];
      for (let q = p2 + 1; q < p4; q++) {
        const j = idx[q];
        const nvj = nv[j];
        if (nvj <= 0) continue; // in Lk or absorbed: covered by element k
        d += nvj;
        idx[pn++] = j;
        h += j;
      }
      if (d === 0) {
        // mass elimination: i is adjacent to nothing outside Lk
        pe[i] = flip(k);
        const nvi = -nv[i];
        dK -= nvi;
        nvK += nvi;
        eliminated += nvi;
        nv[i] = 0;
        elen[i] = -1;
      } else {
        degree[i] = Math.min(degree[i], d);
        // put k first in i's list: move the first variable and the first element aside
        idx[pn] = idx[p3];
        idx[p3] = idx[p1];
        idx[p1] = k;
        len[i] = pn - p1 + 1;
        h %= n;
        next[i] = hashHead[h];
        hashHead[h] = i;
        last[i] = h;
      }
    }
    degree[k] = dK;
    maxElement = Math.max(maxElement, dK);
    mark = clearMarks(mark + maxElement, maxElement, w, n);

    // 5. Supervariables: nodes of Lk with identical lists (same hash bucket first).
    for (let pk = lkStart; pk < lkEnd; pk++) {
      let i = idx[pk];
      if (nv[i] >= 0) continue;
      const h = last[i];
      i = hashHead[h];
      hashHead[h] = -1;
      for (; i !== -1 && next[i] !== -1; i = next[i], mark++) {
        const ln = len[i], eln = elen[i];
        for (let q = pe[i] + 1; q <= pe[i] + ln - 1; q++) w[idx[q]] = mark;
        let jLast = i;
        for (let j = next[i]; j !== -1;) {
          let same = len[j] === ln && elen[j] === eln;
          for (let q = pe[j] + 1; same && q <= pe[j] + ln - 1; q++) {
            if (w[idx[q]] !== mark) same = false;
          }
          if (same) {
            pe[j] = flip(i); // j joins supervariable i
            nv[i] += nv[j];
            nv[j] = 0;
            elen[j] = -1;
            j = next[j];
            next[jLast] = j;
          } else {
            jLast = j;
            j = next[j];
          }
        }
      }
    }

    // Finalise Lk: back into the degree lists with the new degrees.
    let pOut = lkStart;
    for (let pk = lkStart; pk < lkEnd; pk++) {
      const i = idx[pk];
      const nvi = -nv[i];
      if (nvi <= 0) continue;
      nv[i] = nvi;
      let d = degree[i] + dK - nvi;
      d = Math.min(d, n - eliminated - nvi);
      if (head[d] !== -1) last[head[d]] = i;
      next[i] = head[d];
      last[i] = -1;
      head[d] = i;
      minDeg = Math.min(minDeg, d);
      degree[i] = d;
      idx[pOut++] = i;
    }
    nv[k] = nvK;
    len[k] = pOut - lkStart;
    if (len[k] === 0) {
      pe[k] = -1;
      w[k] = 0;
    }
    if (elenK !== 0) used = pOut;
  }

  // Post-order the assembly tree: parent of every absorbed node/element is flip(pe).
  for (let i = 0; i < n; i++) pe[i] = flip(pe[i]);
  head.fill(-1);
  for (let j = n; j >= 0; j--) {
    if (nv[j] > 0) continue; // variables that were absorbed
    next[j] = head[pe[j]];
    head[pe[j]] = j;
  }
  for (let e = n; e >= 0; e--) {
    if (nv[e] <= 0) continue; // elements
    if (pe[e] !== -1) {
      next[e] = head[pe[e]];
      head[pe[e]] = e;
    }
  }
  const order = new Int32Array(size);
  let count = 0;
  for (let i = 0; i <= n; i++) {
    if (pe[i] === -1) count = treePostorder(i, count, head, next, order, w);
  }
  perm.set(order.subarray(0, n)); // order[n] is the dummy root n
  return perm;
}

/** Resets marks when `mark + maxElement` would overflow; returns the next mark. */
function clearMarks(mark: number, maxElement: number, w: Int32Array, n: number): number {
  if (mark < 2 || mark + maxElement >= 0x3fffffff) {
    for (let k = 0; k < n; k++) if (w[k] !== 0) w[k] = 1;
    mark = 2;
  }
  return mark;
}

/** Garbage collection: moves every live list to the front of `idx`; returns the used length. */
function compact(
  n: number,
  idx: Int32Array,
  pe: Int32Array,
  len: Int32Array,
  used: number,
): number {
  // Tag the first entry of each live list with the owner, remember the entry in pe.
  for (let j = 0; j < n; j++) {
    const p = pe[j];
    if (p >= 0) {
      pe[j] = idx[p];
      idx[p] = flip(j);
    }
  }
  let q = 0;
  for (let p = 0; p < used;) {
    const j = flip(idx[p++]);
    if (j >= 0) {
      idx[q] = pe[j];
      pe[j] = q++;
      for (let t = 0; t < len[j] - 1; t++) idx[q++] = idx[p++];
    }
  }
  return q;
}

/** Depth-first post-order of the tree rooted at `root` (children in `head`/`next`). */
function treePostorder(
  root: number,
  k: number,
  head: Int32Array,
  next: Int32Array,
  post: Int32Array,
  stack: Int32Array,
): number {
  let top = 0;
  stack[0] = root;
  while (top >= 0) {
    const p = stack[top];
    const child = head[p];
    if (child === -1) {
      top--;
      post[k++] = p;
    } else {
      head[p] = next[child];
      stack[++top] = child;
    }
  }
  return k;
}
