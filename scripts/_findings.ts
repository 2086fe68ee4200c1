/**
 * Shared pieces of the finding rules in `_findings_*.ts`: number formats and
 * small statistics. Each rule there is a pure function from a run's numbers
 * to the sentence a report prints, so that no sentence states what its data
 * contradict; the tests in `tests/experiments_findings_test.ts` cover both
 * branches of every rule.
 *
 * @module
 */

/** `1.2e-3`: two significant digits in scientific notation. */
export function sci(v: number): string {
  return Number.isFinite(v) ? v.toExponential(1) : String(v);
}

/** `12.3%` with three significant digits. */
export function pct(v: number): string {
  return `${(100 * v).toPrecision(3)}%`;
}

/** Arithmetic mean; 0 for an empty list. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
}

/** Least-squares slope of log10(y) against log10(x) over the positive pairs. */
export function logLogSlope(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const lx: number[] = [], ly: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (xs[i]! > 0 && ys[i]! > 0) (lx.push(Math.log10(xs[i]!)), ly.push(Math.log10(ys[i]!)));
  }
  const mx = mean(lx), my = mean(ly);
  let num = 0, den = 0;
  for (let i = 0; i < lx.length; i++) {
    num += (lx[i]! - mx) * (ly[i]! - my);
    den += (lx[i]! - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

/** `a` and `b` within a factor `f` of each other. */
export function within(a: number, b: number, f: number): boolean {
  return a > 0 && b > 0 && a <= f * b && b <= f * a;
}
