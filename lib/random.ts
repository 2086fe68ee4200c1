/**
 * The seeded pseudo-random generator every random thing in gradsolve uses,
 * so that a seed recorded in a report reproduces the run exactly.
 *
 * @module
 */

/**
 * Deterministic pseudo-random numbers: xoshiro128** (Blackman and Vigna)
 * seeded through splitmix32, with 53-bit uniform doubles and Box–Muller
 * normals. The same seed gives the same sequence on every platform. Not for
 * cryptography.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "@gradsolve/gradsolve";
 * const a = new Rng(42), b = new Rng(42);
 * const u = a.next();
 * assert.equal(u, b.next());
 * assert.ok(u >= 0);
 * assert.ok(u < 1);
 * assert.equal(a.int(6), b.int(6));
 * ```
 *
 * @category Sparse
 */
export class Rng {
  readonly #s = new Uint32Array(4);
  #spare = Number.NaN;

  /**
   * Seeds the generator. Any safe integer works (negative too); the 64
   * bits of state seed are spread over 128 bits by splitmix32.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`Cannot seed Rng: seed must be a safe integer, got ${seed}`);
    }
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) >>> 0, 0x9e3779b9);
    for (let k = 0; k < 4; k++) {
      // splitmix32 step
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      this.#s[k] = z ^ (z >>> 15);
    }
  }

  /** Next raw 32-bit output of xoshiro128**. */
  #nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /**
   * Uniform double in [0, 1) with 53 random bits.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Rng } from "@gradsolve/gradsolve";
   * const u = new Rng(1).next();
   * assert.ok(u >= 0);
   * assert.ok(u < 1);
   * ```
   */
  next(): number {
    const hi = this.#nextUint32() >>> 5; // 27 bits
    const lo = this.#nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * Standard normal sample (mean 0, variance 1), Box–Muller; the second
   * value of each pair is kept for the next call.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Rng } from "@gradsolve/gradsolve";
   * assert.ok(Number.isFinite(new Rng(3).normal()));
   * ```
   */
  normal(): number {
    if (!Number.isNaN(this.#spare)) {
      const z = this.#spare;
      this.#spare = Number.NaN;
      return z;
    }
    const u = 1 - this.next(); // (0, 1]: log stays finite
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.next();
    this.#spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /**
   * Uniform integer in `0 .. n-1`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Rng } from "@gradsolve/gradsolve";
   * const k = new Rng(5).int(10);
   * assert.ok(Number.isInteger(k));
   * assert.ok(k >= 0);
   * assert.ok(k < 10);
   * ```
   */
  int(n: number): number {
    if (!(Number.isSafeInteger(n) && n > 0)) {
      throw new RangeError(`Cannot draw an integer: n must be a positive safe integer, got ${n}`);
    }
    return Math.floor(this.next() * n);
  }

  /**
   * Shuffles `a` in place (Fisher–Yates) and returns it.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Rng } from "@gradsolve/gradsolve";
   * const a = new Rng(9).shuffle([1, 2, 3, 4]);
   * assert.equal([...a].sort().join(), "1,2,3,4");
   * ```
   */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
