import assert from "node:assert/strict";
import { Rng } from "../lib/random.ts";

Deno.test("Rng() gives the same sequence for the same seed", () => {
  for (const seed of [0, 1, -5, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER]) {
    const a = new Rng(seed), b = new Rng(seed);
    for (let k = 0; k < 100; k++) assert.equal(a.next(), b.next());
    assert.equal(a.normal(), b.normal());
    assert.equal(a.int(1000), b.int(1000));
  }
  const seqs = [0, 1, 2, -1, 2 ** 32, 2 ** 33].map((s) => {
    const r = new Rng(s);
    return [r.next(), r.next()].join();
  });
  assert.equal(new Set(seqs).size, seqs.length); // seeds differing in low or high bits differ
  assert.throws(() => new Rng(1.5), RangeError);
  assert.throws(() => new Rng(NaN), /seed must be a safe integer, got NaN/);
});

Deno.test("Rng.next() is uniform on [0, 1)", () => {
  const r = new Rng(123);
  const m = 40000;
  const bins = new Int32Array(10);
  let sum = 0, sumSq = 0;
  for (let k = 0; k < m; k++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    sumSq += u * u;
    bins[Math.floor(u * 10)]++;
  }
  assert.ok(Math.abs(sum / m - 0.5) < 0.01); // σ of the mean ≈ 0.0014
  assert.ok(Math.abs(sumSq / m - 1 / 3) < 0.01);
  // χ² with 9 degrees of freedom; 30 is far in the tail (p ≈ 4e-4).
  const chi2 = bins.reduce((s, c) => s + (c - m / 10) ** 2 / (m / 10), 0);
  assert.ok(chi2 < 30, `chi2 ${chi2}`);
});

Deno.test("Rng.normal() has mean 0, variance 1 and Gaussian tails", () => {
  const r = new Rng(7);
  const m = 40000;
  let sum = 0, sumSq = 0, beyond2 = 0;
  for (let k = 0; k < m; k++) {
    const z = r.normal();
    sum += z;
    sumSq += z * z;
    if (Math.abs(z) > 2) beyond2++;
  }
  assert.ok(Math.abs(sum / m) < 0.03);
  assert.ok(Math.abs(sumSq / m - 1) < 0.05);
  assert.ok(Math.abs(beyond2 / m - 0.0455) < 0.006); // P(|Z| > 2) = 0.0455
});

Deno.test("Rng.int() and shuffle() cover their ranges", () => {
  const r = new Rng(99);
  const counts = new Int32Array(7);
  for (let k = 0; k < 7000; k++) counts[r.int(7)]++;
  assert.ok(counts.every((c) => c > 850 && c < 1150), `${counts}`);
  assert.equal(new Rng(1).int(1), 0);
  assert.throws(() => r.int(0), /n must be a positive safe integer, got 0/);
  const a = Array.from({ length: 20 }, (_, i) => i);
  const s = new Rng(5).shuffle(a);
  assert.equal(s, a); // in place
  assert.deepEqual([...s].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
  assert.notDeepEqual(s, Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(new Rng(5).shuffle(Array.from({ length: 20 }, (_, i) => i)), s);
});
