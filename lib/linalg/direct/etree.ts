/**
 * The elimination tree of a symmetric matrix and the row patterns of its
 * Cholesky factor. `parent[j]` is the row of the first off-diagonal nonzero
 * in column j of L (-1 for a root); the nonzeros of row k of L are the nodes
 * on the tree paths from each `i` with `A(i, k) ≠ 0, i < k` up towards k
 * (the *row subtree*), which is what {@linkcode rowPattern} walks.
 *
 * Both work on the upper triangle stored by columns (`i ≤ j`); entries below
 * the diagonal are ignored.
 *
 * @module
 */

/**
 * Elimination tree of the symmetric matrix whose upper triangle, by columns,
 * is `colPtr`/`rowIdx`. O(nnz · α) with path compression.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eliminationTree } from "./etree.ts";
 * // tridiagonal 3x3, upper part by columns: (0,0) | (0,1) (1,1) | (1,2) (2,2)
 * const parent = eliminationTree(3, Int32Array.of(0, 1, 3, 5), Int32Array.of(0, 0, 1, 1, 2));
 * assert.equal(parent[0], 1);
 * assert.equal(parent[1], 2);
 * assert.equal(parent[2], -1);
 * ```
 */
export function eliminationTree(n: number, colPtr: Int32Array, rowIdx: Int32Array): Int32Array {
  const parent = new Int32Array(n);
  const ancestor = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    parent[k] = -1;
    ancestor[k] = -1;
    for (let p = colPtr[k]; p < colPtr[k + 1]; p++) {
      // walk from i up to the root of its current subtree, compressing the path to k
      for (let i = rowIdx[p]; i !== -1 && i < k;) {
        const up = ancestor[i];
        ancestor[i] = k;
        if (up === -1) {
          parent[i] = k;
          break;
        }
        i = up;
      }
    }
  }
  return parent;
}

/**
 * Nonzero pattern of row k of the Cholesky factor L (excluding the diagonal),
 * in an order where every node comes before its ancestors: written to
 * `stack[top .. n-1]`, and `top` is returned. `mark` (length n) must not
 * contain `k + 1` anywhere on entry for unmarked nodes; it is left with
 * `mark[i] = k + 1` for the nodes visited. O(size of the pattern).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eliminationTree, rowPattern } from "./etree.ts";
 * const colPtr = Int32Array.of(0, 1, 3, 5), rowIdx = Int32Array.of(0, 0, 1, 1, 2);
 * const parent = eliminationTree(3, colPtr, rowIdx);
 * const stack = new Int32Array(3), mark = new Int32Array(3);
 * const top = rowPattern(2, colPtr, rowIdx, parent, stack, mark);
 * assert.equal(top, 2);
 * assert.equal(stack[2], 1); // row 2 of L has only column 1
 * ```
 */
export function rowPattern(
  k: number,
  colPtr: Int32Array,
  rowIdx: Int32Array,
  parent: Int32Array,
  stack: Int32Array,
  mark: Int32Array,
): number {
  const n = parent.length;
  const stamp = k + 1;
  let top = n;
  mark[k] = stamp;
  for (let p = colPtr[k]; p < colPtr[k + 1]; p++) {
    let i = rowIdx[p];
    if (i > k) continue;
    // climb until a marked node, pushing the path onto the front of the stack area
    let len = 0;
    for (; mark[i] !== stamp; i = parent[i]) {
      stack[len++] = i;
      mark[i] = stamp;
    }
    while (len > 0) stack[--top] = stack[--len];
  }
  return top;
}
