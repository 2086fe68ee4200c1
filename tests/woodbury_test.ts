import assert from "node:assert/strict";
import {
  checkGrad,
  denseSolve,
  dot,
  Rng,
  ShapeError,
  Tensor,
  woodburyApply,
  woodburyPreconditioner,
} from "@gradsolve/gradsolve";

const n = 7, rank = 3;

function params(seed: number) {
  const rng = new Rng(seed);
  const s = new Tensor(Float64Array.from({ length: n }, () => 0.5 * rng.normal()), [n]);
  const U = new Tensor(Float64Array.from({ length: n * rank }, () => rng.normal()), [n, rank]);
  const d = Float64Array.from({ length: n }, () => 0.5 + 3 * rng.next());
  const r = Float64Array.from({ length: n }, () => rng.normal());
  return { s, U, d, r };
}

/** M = S (diag(eˢ) + UUᵀ) S, S = diag(d)^½, dense row-major. */
function denseM(s: Tensor, U: Tensor, d: Float64Array): Float64Array {
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let m = i === j ? Math.exp(s.data[i]) : 0;
      for (let q = 0; q < rank; q++) m += U.data[i * rank + q] * U.data[j * rank + q];
      M[i * n + j] = Math.sqrt(d[i]) * m * Math.sqrt(d[j]);
    }
  }
  return M;
}

Deno.test("Woodbury apply equals the dense inverse of M = S(diag(eˢ) + UUᵀ)S, numerically and on the tape", () => {
  for (const seed of [1, 2, 3]) {
    const { s, U, d, r } = params(seed);
    const expected = denseSolve(denseM(s, U, d), n, r); // M⁻¹ r by dense LU
    const M = woodburyPreconditioner({ s, U }, d);
    const z = new Float64Array(n), zt = new Float64Array(n);
    M.apply(r, z);
    M.applyTranspose(r, zt);
    const tape = woodburyApply({ s, U }, d, new Tensor(r, [n])).data;
    for (let i = 0; i < n; i++) {
      const scale = Math.abs(expected[i]) + 1;
      assert.ok(Math.abs(z[i] - expected[i]) < 1e-12 * scale, `apply ${i}: ${z[i]}`);
      assert.ok(Math.abs(zt[i] - expected[i]) < 1e-12 * scale, `transpose ${i}: ${zt[i]}`);
      assert.ok(Math.abs(tape[i] - expected[i]) < 1e-10 * scale, `tape ${i}: ${tape[i]}`);
    }
    assert.equal(M.name, "woodbury");
    assert.equal(M.symmetric, true);
  }
});

Deno.test("woodburyApply() gradients in s, U and r match finite differences", () => {
  const { s, U, d, r } = params(4);
  const w = new Tensor(Float64Array.from({ length: n }, (_, i) => Math.cos(i)), [n]);
  const loss = (sv: Tensor, Uv: Tensor, rv: Tensor) =>
    dot(w, woodburyApply({ s: sv, U: Uv }, d, rv));
  const rt = new Tensor(r, [n]);
  const gs = checkGrad((x) => loss(x, U, rt), s);
  const gU = checkGrad((x) => loss(s, x, rt), U);
  const gr = checkGrad((x) => loss(s, U, x), rt);
  assert.ok(gs.ok, `s: max relative error ${gs.maxRelError}`);
  assert.ok(gU.ok, `U: max relative error ${gU.maxRelError}`);
  assert.ok(gr.ok, `r: max relative error ${gr.maxRelError}`);
  // M⁻¹ is symmetric, so ∂(wᵀM⁻¹r)/∂r = M⁻¹w.
  const Minv_w = denseSolve(denseM(s, U, d), n, w.data);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(gr.analytic[i] - Minv_w[i]) < 1e-9);
});

Deno.test("Woodbury checks shapes and the diagonal", () => {
  const { s, U, d } = params(5);
  assert.throws(() => woodburyPreconditioner({ s, U }, d.subarray(1)), ShapeError);
  assert.throws(
    () => woodburyPreconditioner({ s, U: new Tensor(U.data, [rank, n]) }, d),
    ShapeError,
  );
  assert.throws(
    () => woodburyApply({ s, U }, d, new Tensor(new Float64Array(n + 1), [n + 1])),
    ShapeError,
  );
  const bad = Float64Array.from(d);
  bad[2] = 0;
  assert.throws(() => woodburyPreconditioner({ s, U }, bad), RangeError);
});
