// Test problems shared by the AMG tests.
import type { CsrMatrix } from "../lib/sparse/csr.ts";
import { anisotropic2d } from "../lib/sparse/generators.ts";

/** `−u_xx − ε u_yy`: the anisotropy of `anisotropic2d(m, m, ε)` turned by 90°. */
export function turnedAnisotropy(m: number, eps: number): CsrMatrix {
  const A = anisotropic2d(m, m, eps);
  const { rowPtr, colIdx } = A.pattern;
  const v = new Float64Array(A.nnz);
  for (let i = 0; i < m * m; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const d = Math.abs(colIdx[k] - i);
      v[k] = d === 0 ? 2 * eps + 2 : d === 1 ? -1 : -eps;
    }
  }
  return A.withValues(v);
}
