// Every finding rule of the experiment reports, both branches: the sentence follows the data.
import assert from "node:assert/strict";
import {
  adjointCostSentence,
  amgComparisonSentence,
  errorLocationSentence,
  iterationTrendSentence,
  recoveryVerdict,
  rmsWhere,
} from "../scripts/_findings_pinn.ts";
import {
  availabilitySentence,
  convectionSentence,
  convectionWinner,
  duration,
  gradientCheckSentence,
  iterationTargetSentence,
  lossesSentence,
  reuseSentence,
  roundsDetail,
  speedClause,
  times,
} from "../scripts/_findings_amg.ts";
import {
  digitsLost,
  fdBullet,
  fdCaption,
  implicitBullet,
  slopesBullet,
  toleranceCaption,
  toleranceClause,
  truncatedBullet,
  unrolledFullSentence,
  unrolledStopBullet,
} from "../scripts/_findings_gradient_quality.ts";
import {
  biased,
  geometric,
  publishedSentence,
  sampledSentence,
  telescopingClause,
  telescopingSentence,
  truncatedSentence,
} from "../scripts/_findings_stochastic.ts";
import {
  heapParagraph,
  implicitFlatClause,
  memoryCaption,
  ratioCaption,
} from "../scripts/_findings_memory.ts";
import {
  amgClause,
  amgVerdict,
  payoffAgainstSentence,
  payoffSentence,
  perIterationSentence,
  woodburySentence,
} from "../scripts/_findings_learned_preconditioner.ts";
import {
  amgHeadlineClause,
  amgSweepSentence,
  backwardSentence,
  cacheSentence,
  readbackSentence,
  readmeSummary,
} from "../scripts/_findings_bench.ts";
import { formatBytes, parseCacheSize } from "../scripts/_machine.ts";
import { humanTable } from "../scripts/_tables.ts";

Deno.test("pinn: errorLocationSentence() names the larger region, both ways", () => {
  // The committed full run: interior RMS 0.096, boundary band 0.063.
  const data = {
    boundaryRms: 0.063,
    interiorRms: 0.096,
    bandCells: 6,
    featureRms: 0.12,
    backgroundRms: 0.05,
  };
  const s = errorLocationSentence(data);
  assert.match(s, /^The error is not largest near the boundary: its RMS is 0\.096 inside/);
  assert.match(s, /larger on the two bumps/);
  const t = errorLocationSentence({ ...data, boundaryRms: 0.2, featureRms: 0.01 });
  assert.match(t, /^The error is largest near the boundary/);
  assert.match(t, /no larger \(RMS 0\.010\)/);
});

Deno.test("pinn: rmsWhere(), recoveryVerdict(), adjointCostSentence(), iterationTrendSentence()", () => {
  assert.equal(rmsWhere([3, 4, 100], (c) => c < 2), Math.sqrt(12.5));
  assert.ok(Number.isNaN(rmsWhere([1], () => false)));
  assert.equal(recoveryVerdict(0.42, 0.07), "The coefficient is recovered");
  assert.equal(recoveryVerdict(0.42, 0.3), "The coefficient is only partly recovered");
  assert.match(adjointCostSentence(21.9, 23.5), /about as much/);
  assert.match(adjointCostSentence(10, 20), /costs 2\.00× the forward one/);
  const falling = Array.from({ length: 101 }, (_, i) => 300 - 2 * i);
  assert.match(iterationTrendSentence(falling), /fall from 289 .* to 109/);
  const rising = Array.from({ length: 101 }, (_, i) => 140 + (i > 90 ? 60 : 0));
  assert.match(iterationTrendSentence(rising), /do not fall/);
});

Deno.test("gradient quality: tolerance clause and caption, both branches", () => {
  assert.match(toleranceClause(1.02, 0.94), /in proportion to the tolerance/);
  assert.match(toleranceClause(1.02, 0.5), /not in proportion/);
  const tols = [1e-2, 1e-4, 1e-6, 1e-8];
  const line = tols.map((t) => t / 2);
  const ok = { tols, forward: line, adjoint: line.map((e) => e / 10), both: line };
  assert.match(toleranceCaption([ok]), /tracks the looser/);
  assert.match(toleranceCaption([ok]), /no floor is reached down to .*1\.0e-8/);
  const floor = { ...ok, both: [5e-3, 1e-6, 8e-7, 7e-7] };
  assert.match(toleranceCaption([floor]), /levels off/);
  const off = { ...ok, both: line.map((e) => e * 100) };
  assert.match(toleranceCaption([off]), /does not simply track/);
});

Deno.test("gradient quality: finite-difference caption and digits lost follow the sweep", () => {
  const steps = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7];
  const spd = {
    name: "spd",
    steps,
    errors: [5e-2, 5e-4, 5e-6, 5e-8, 8.8e-10, 7.4e-9, 7.4e-8],
    implicitError: 4.8e-11,
  };
  assert.deepEqual(digitsLost(spd).map((d) => d.toFixed(1)), ["3.8", "1.9"]);
  assert.match(fdBullet([spd]), /a step 100× off costs 1\.9–3\.8 digits/);
  assert.match(fdCaption([spd]), /within a decade of ε\^\(1\/3\)/);
  assert.match(fdCaption([spd]), /even there the error is 18× the implicit/);
  const far = { ...spd, errors: [1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3], implicitError: 1e-9 };
  assert.match(fdCaption([far]), /lies up to 4\.2 decades/);
  assert.match(fdCaption([far]), /as accurate as the implicit gradient/);
});

Deno.test("gradient quality: unrolled verdicts depend on iterations run and errors", () => {
  const full = { method: "CG", problem: "SPD", cap: 1000, ran: 1000, error: 5.7e-4 };
  assert.match(unrolledFullSentence(full), /ran all 1000 iterations/);
  assert.match(unrolledFullSentence({ ...full, ran: 303 }), /stopped after 303 of the 1000/);
  assert.match(unrolledFullSentence({ ...full, error: NaN }), /returns NaN/);
  const committed = [
    { problem: "SPD", stopError: 26.8, implicitError: 4.8e-11 },
    { problem: "nonsymmetric", stopError: 2.6e-9, implicitError: 4.4e-10 },
  ];
  const s = unrolledStopBullet(committed);
  assert.match(s, /converge on the nonsymmetric problem, but not on the SPD problem/);
  assert.match(unrolledStopBullet([committed[1]!]), /close to the solution's on every problem/);
  assert.match(truncatedBullet([0.8, 192], [4.8e-11, 4.4e-10]), /biased gradient/);
  assert.match(truncatedBullet([1e-10, 192], [4.8e-11, 4.4e-10]), /comes within 100×/);
  assert.match(implicitBullet(4.8e-11, 4.4e-10, 1e-10), /as accurate as the solves/);
  assert.match(implicitBullet(4.8e-8, 4.4e-10, 1e-10), /less accurate/);
  const slopes = [{ forward: 1.0, adjoint: 1.05, both: 1.02 }];
  assert.match(slopesBullet(slopes, [1.1]), /scales with the tolerance/);
  assert.match(slopesBullet([{ ...slopes[0]!, adjoint: 0.5 }], [1.1]), /not in proportion/);
});

Deno.test("stochastic gradients: bias, cost and trend rules, both branches", () => {
  const sampled = { bias: 0.99, perDraw: 0.99, draws: 100 };
  const tele = { bias: 0.01, perDraw: 0.34, draws: 100 };
  assert.ok(biased(sampled) && !biased(tele));
  assert.match(publishedSentence(0), /all-zero gradient/);
  assert.match(publishedSentence(3), /does write the gradient/);
  const at = { rate: 0.3, cost: 0.04, cosine: 0.33 };
  assert.match(sampledSentence(sampled, at), /biased, .*cheap .*point elsewhere/);
  assert.match(
    sampledSentence(tele, { ...at, cost: 0.5, cosine: 0.9 }),
    /within sampling noise.*not cheap.*right way/,
  );
  const sweep = {
    ks: [1, 2, 4, 8, 16, 32, 64],
    errors: [0.53, 0.47, 0.34, 0.19, 0.024, 5e-4, 1.3e-8],
  };
  assert.ok(geometric(sweep));
  assert.ok(!geometric({ ks: [1, 2, 4], errors: [0.5, 0.6, 0.1] }));
  const rivals = [{ cost: 0.04, error: 0.99 }, { cost: 0.1, error: 0.99 }];
  assert.match(
    truncatedSentence({ k: 8, error: 0.19, cost: 0.09 }, rivals, sweep),
    /^A truncated adjoint is the better/,
  );
  assert.match(
    truncatedSentence({ k: 8, error: 0.19, cost: 0.09 }, [{ cost: 0.05, error: 0.1 }], sweep),
    /not better than row sampling/,
  );
  assert.match(telescopingSentence(tele, { k0: 4, cost: 0.09 }), /unbiased within sampling noise/);
  assert.match(telescopingSentence(sampled, { k0: 4, cost: 0.09 }), /shows a bias/);
  assert.match(telescopingClause(tele), /unbiased/);
  assert.match(telescopingClause(sampled), /bias beyond sampling noise/);
});

Deno.test("memory: flatness, heap and ratio rules, both branches", () => {
  assert.match(implicitFlatClause(1.0), /stays flat/);
  assert.match(implicitFlatClause(1.3), /is not flat/);
  const base = {
    tapeSlope: 56,
    heapSlope: 69,
    implicitHeapMax: "165 KiB",
    implicitHeapMaxBytes: 169e3,
    smallestUnrolledHeapBytes: 2.2e6,
    maxGap: 1.6e-3,
  };
  const ok = heapParagraph(base);
  assert.match(ok, /^The heap measurements confirm/);
  assert.match(ok, /at the noise floor/);
  assert.match(ok, /agree/);
  const bad = heapParagraph({ ...base, heapSlope: 200, implicitHeapMaxBytes: 1e6, maxGap: 0.1 });
  assert.match(bad, /do not confirm/);
  assert.match(bad, /more than a tenth/);
  assert.match(bad, /differ/);
  assert.match(memoryCaption(1.0, [1.0, 0.99]), /flat .*grow linearly/);
  assert.match(memoryCaption(1.2, [0.7, 1.0]), /vary up to .*1 would be linear/);
  assert.match(ratioCaption(1.0, 1.03), /proportional .*almost independent of n/);
  assert.match(ratioCaption(0.6, 1.5), /log–log slope 0\.60 .*depends on n/);
});

Deno.test("learned preconditioner: payoff, per-iteration and Woodbury rules", () => {
  const never = payoffSentence({
    name: "The learned IC(0) correction",
    baseline: "IC(0)",
    learnedMs: 6.82,
    baselineMs: 1.0,
    trainSeconds: 2.1,
  });
  assert.match(never, /never pays off its 2\.1 s/);
  const pays = payoffSentence({
    name: "X",
    baseline: "IC(0)",
    learnedMs: 0.5,
    baselineMs: 1.0,
    trainSeconds: 2,
  });
  assert.match(pays, /after about 4,000 solves/);
  assert.match(perIterationSentence(0.0249, 0.0247), /about the same/);
  assert.match(perIterationSentence(0.05, 0.0247), /2\.02× as much/);
  assert.match(woodburySentence(false, 119, 119), /cannot reach the IC\(0\) class/);
  assert.match(woodburySentence(true, 90, 119), /captures slow modes/);
});

Deno.test("learned preconditioner: AMG against the learned forms, every branch", () => {
  const learned = [
    { name: "the learned IC(0) correction", iters: 30, ms: 6 },
    { name: "the diagonal + low-rank form", iters: 120, ms: 4 },
  ];
  const amg = { name: "AMG", iters: 8, ms: 9, levels: 3, n: 1024 };
  // AMG: fewer iterations, slower with setup.
  const v = amgVerdict(amg, learned);
  assert.deepEqual([v.fewerIterations, v.moreIterations, v.faster], [true, false, false]);
  assert.equal(v.fewestIterations.name, "the learned IC(0) correction");
  assert.equal(v.fastest.name, "the diagonal + low-rank form");
  const slow = amgClause(amg, learned);
  assert.match(slow, /^AMG \(smoothed aggregation, default options, 3 levels\)/);
  assert.match(slow, /fewer iterations than every learned form \(8\.0 vs 30\.0 for the learned IC/);
  assert.match(slow, /yet is slower per solve with setup than the diagonal \+ low-rank form/);
  // AMG: fewer iterations and faster.
  const fast = amgClause({ ...amg, ms: 2 }, learned);
  assert.match(
    fast,
    /and is faster per solve with setup than every learned form \(2\.00 ms vs 4\.00/,
  );
  assert.ok(amgVerdict({ ...amg, ms: 2 }, learned).faster);
  // A learned form needs fewer iterations than AMG, and AMG is still faster.
  const more = amgClause({ ...amg, iters: 40, ms: 2 }, learned);
  assert.match(
    more,
    /needs more iterations than the learned IC\(0\) correction \(40\.0 vs 30\.0\)/,
  );
  assert.match(more, /yet is faster/);
  assert.ok(amgVerdict({ ...amg, iters: 40 }, learned).moreIterations);
  // Within 5%: about as many.
  assert.match(amgClause({ ...amg, iters: 29.5 }, learned), /about as many iterations .*within 5%/);
  assert.match(amgClause({ ...amg, iters: 29.5 }, learned), /and is slower/);
  // One level: named as a direct solve.
  assert.match(amgClause({ ...amg, levels: 1, n: 256 }, learned), /one level at n = 256.*direct/);
  assert.throws(() => amgVerdict(amg, []), RangeError);
});

Deno.test("learned preconditioner: payoff against several baselines, every branch", () => {
  const base = { name: "The learned IC(0) correction", learnedMs: 5.81, trainSeconds: 1.1 };
  const never = payoffAgainstSentence({
    ...base,
    baselines: [{ name: "IC(0)", ms: 0.76 }, { name: "AMG", ms: 2.5 }],
  });
  assert.match(never, /never pays off its 1\.1 s of training here/);
  assert.match(never, /5\.81 ms per solve against 0\.76 ms for IC\(0\) and 2\.50 ms for AMG\.$/);
  const mixed = payoffAgainstSentence({
    ...base,
    learnedMs: 1,
    trainSeconds: 2,
    baselines: [{ name: "IC(0)", ms: 2 }, { name: "AMG", ms: 0.5 }],
  });
  assert.match(mixed, /after about 2,000 solves against IC\(0\) \(1\.00 ms saved per solve\)/);
  assert.match(
    mixed,
    /and never against AMG \(1\.00 ms per solve with setup vs 0\.50 ms for AMG\)/,
  );
  const both = payoffAgainstSentence({
    ...base,
    learnedMs: 1,
    trainSeconds: 2,
    baselines: [{ name: "IC(0)", ms: 2 }, { name: "AMG", ms: 3 }],
  });
  assert.match(both, /against IC\(0\) .* and after about 1,000 solves against AMG/);
  assert.ok(!both.includes("never"));
});

Deno.test("bench: cache, read-back, backward and README rules", () => {
  const cache = { level: 3, bytes: 32 * 2 ** 20 };
  assert.match(
    cacheSentence(cache, 152, [{ n: 1024, fraction: 0.4 }]),
    /no measured CG iteration beat/,
  );
  assert.match(
    cacheSentence(cache, 152, [{ n: 1024, fraction: 1.3 }]),
    /CG ran faster than the DRAM bound at n = 1,024/,
  );
  assert.match(
    cacheSentence(cache, 152, [{ n: 1e7, fraction: 0.6 }]),
    /no measured size is that small/,
  );
  assert.match(cacheSentence(undefined, 152, []), /could not be read/);
  assert.match(
    readbackSentence([{ waitMs: 80, readbacks: 4 }, { waitMs: 30, readbacks: 3 }]),
    /10\.0 ms/,
  );
  assert.match(readbackSentence([]), /No read-back/);
  assert.match(backwardSentence([0.99, 1.04, 1.47], 0.086), /about one more solve.*nearly free/);
  assert.match(backwardSentence([0.99, 2.5], 0.5), /cost 0\.99–2\.50× .*costs 0\.50×/);
  const md = readmeSummary({
    commit: "abc1234",
    command: "deno run -A scripts/bench.ts",
    n: 1e6,
    bandwidthGBs: 25.7,
    cgMsPerIteration: 9.07,
    bandwidthFraction: 0.65,
    cFusedMsPerIteration: 6.2,
  });
  assert.match(md, /\| gradsolve CG \(float64, one thread\) \| 9\.07 \| 65% of 25\.7 GB\/s triad/);
  assert.match(md, /\| plain C, fused loops \(g\+\+ -O3\) \| 6\.20 \| — \| 1\.46× \|/);
  assert.ok(!md.includes("Eigen"));
});

Deno.test("bench: AMG-PCG sweep, headline and backward rules, every branch", () => {
  const p = (n: number, iterations: number, ms: number, setupMs = 0) => ({
    n,
    iterations,
    ms,
    setupMs,
  });
  const sweep = {
    cg: [p(1024, 74, 2), p(4096, 132, 10), p(1e6, 312, 6900)],
    ic0: [p(1024, 23, 1.7, 0.2), p(4096, 40, 6.8, 0.6), p(1e6, 95, 5500, 560)],
    amg: [
      { ...p(1024, 6, 1.8, 3.6), levels: 2 },
      { ...p(4096, 6, 3.5, 7), levels: 3 },
      { ...p(1e6, 6, 1800, 2700), levels: 5 },
    ],
  };
  const flat = amgSweepSentence(sweep);
  assert.match(flat, /^AMG-PCG's iterations stay between 6 and 6 from n = 1,024 to n = 1,000,000/);
  assert.match(flat, /\(CG's go from 74 to 312\)/);
  assert.match(flat, /5-level setup takes 2700 ms and the solve 1800 ms: 4500 ms in all/);
  assert.match(flat, /against 6900 ms for CG and 6060 ms for IC\(0\)-PCG/);
  assert.match(flat, /AMG-PCG is the fastest of the three there/);
  // Iterations more than double: "grow"; slower than IC(0)-PCG but faster than CG.
  const grow = amgSweepSentence({
    ...sweep,
    amg: [sweep.amg[0], sweep.amg[1], { ...p(1e6, 20, 3500, 2700), levels: 5 }],
  });
  assert.match(grow, /iterations grow from 6 to 20/);
  assert.match(grow, /faster than CG but not than IC\(0\)-PCG/);
  const slow = amgSweepSentence({
    ...sweep,
    amg: [sweep.amg[0], { ...p(1e6, 6, 8000, 2700), levels: 5 }],
  });
  assert.match(slow, /slower than both/);
  // A one-level hierarchy is named a direct solve and left out of the scaling.
  const one = amgSweepSentence({
    ...sweep,
    amg: [{ ...p(256, 1, 0.2, 4), levels: 1 }, sweep.amg[1], sweep.amg[2]],
  });
  assert.match(one, /stay between 6 and 6 from n = 4,096/);
  assert.match(one, /at n = 256 the hierarchy has one level, a direct solve/);
  const few = amgSweepSentence({
    ...sweep,
    amg: [{ ...p(256, 1, 0.2, 4), levels: 1 }, sweep.amg[2]],
  });
  assert.match(few, /scaling is not measured/);

  assert.match(
    amgHeadlineClause(p(1e6, 312, 6900), p(1e6, 6, 1800, 2700)),
    /0\.65× CG's time \(faster\)/,
  );
  assert.match(
    amgHeadlineClause(p(4096, 132, 10), p(4096, 6, 3.5, 7)),
    /its 7\.00 ms setup included, takes 1\.05× CG's time \(slower\)/,
  );

  assert.match(
    backwardSentence([1.1], 0.1, { ratio: 0.19, setupShare: 0.84 }),
    /with AMG the backward pass reuses the hierarchy .*\(84% of the forward time\) and costs 0\.19×/,
  );
  assert.match(
    backwardSentence([1.1], 0.1, { ratio: 1.2, setupShare: 0.1 }),
    /with AMG the backward pass costs 1\.20× the forward pass, although it reuses/,
  );
  assert.ok(!backwardSentence([1.1], 0.1).includes("AMG"));
});

Deno.test("machine facts and metric names", () => {
  assert.equal(parseCacheSize("307200K"), 300 * 2 ** 20);
  assert.equal(parseCacheSize("32M"), 32 * 2 ** 20);
  assert.equal(parseCacheSize("x"), undefined);
  assert.equal(formatBytes(300 * 2 ** 20), "300 MiB");
  assert.deepEqual(humanTable({ a: 1 }, { a: "alpha (ms)" }), [{
    quantity: "alpha (ms)",
    value: 1,
  }]);
  assert.throws(() => humanTable({ b: 1 }, {}), /Cannot name metric "b"/);
});

Deno.test("pinn: amgComparisonSentence() names the faster preconditioner, every branch", () => {
  const jacobi = { name: "Jacobi", msPerStep: 90, solveMsPerStep: 60, itersPerSolve: 100 };
  const amg = { name: "AMG", msPerStep: 45, solveMsPerStep: 15, itersPerSolve: 6 };
  const faster = amgComparisonSentence(jacobi, amg);
  assert.match(faster, /^AMG makes a training step faster: 45\.0 ms against 90\.0 ms with Jacobi/);
  assert.match(
    faster,
    /\(2\.00× faster\), with 6\.0 CG iterations per forward solve against 100\.0/,
  );
  assert.match(
    faster,
    /the solves take 15\.0 ms per step with AMG against 60\.0 ms with Jacobi\.$/,
  );
  // The committed quick run: fewer iterations, yet slower.
  const slower = amgComparisonSentence(
    { name: "Jacobi", msPerStep: 18.5, solveMsPerStep: 8.2, itersPerSolve: 69.8 },
    { name: "AMG", msPerStep: 20.7, solveMsPerStep: 9.8, itersPerSolve: 7 },
  );
  assert.match(slower, /^Jacobi keeps a training step faster: 18\.5 ms against 20\.7 ms with AMG/);
  assert.match(slower, /\(1\.12× slower\), although AMG needs fewer iterations/);
  assert.match(slower, /they do not pay for its cycles/);
  const noSaving = amgComparisonSentence(jacobi, { ...amg, msPerStep: 100, itersPerSolve: 120 });
  assert.match(noSaving, /and AMG does not even save iterations/);
});

Deno.test("amg: number formats, target, speed and availability rules, both branches", () => {
  assert.equal(times(2.345), "2.3×");
  assert.equal(times(23.4), "23×");
  assert.equal(duration(0.95), "0.95 ms");
  assert.equal(duration(830.4), "830 ms");
  assert.equal(duration(6130), "6.1 s");
  assert.equal(duration(150_000), "2.5 min");
  assert.equal(duration(NaN), "—");
  assert.equal(duration(103_724), "104 s");
  const met = iterationTargetSentence({ forward: 9, adjoint: 9, target: 12, n: 1e6 });
  assert.equal(
    met,
    "AMG-PCG takes 9 forward and 9 adjoint iterations at n = 1,000,000, which meets the " +
      "target of at most 12",
  );
  const missed = iterationTargetSentence({ forward: 9, adjoint: 13, target: 12 });
  assert.match(missed, /adjoint iterations, which misses the target of at most 12$/);
  assert.equal(speedClause(2.3, "PyAMG", "one round"), "2.3× faster than PyAMG (one round)");
  assert.equal(speedClause(2 / 3, "PyAMG"), "1.5× slower than PyAMG");
  assert.equal(speedClause(17.94, "JAX CG"), "18× faster than JAX CG");
  assert.equal(speedClause(NaN, "JAX"), undefined);
  assert.equal(
    roundsDetail([1.01, 1.26, 1.61], "PyAMG"),
    "median over 3 interleaved rounds; PyAMG / ours per round 1.01 to 1.61",
  );
  assert.equal(roundsDetail([0.4], "PyAMG", { ours: 221, theirs: 88.5 }), "89 ms vs 221 ms");
  assert.match(availabilitySentence("JAX", "0.10.2", ""), /^JAX 0\.10\.2 ran/);
  assert.equal(
    availabilitySentence("JAX", undefined, "skipped with --skip-jax"),
    "JAX was not available (skipped with --skip-jax); its comparison is skipped.",
  );
});

Deno.test("amg: reuseSentence() meets, misses and reverses the target, with its bound", () => {
  const base = { updateMs: 700, setupMs: 1300, target: 3 };
  const meets = reuseSentence({ ...base, reuseMs: 100, freshMs: 400, solveMs: 300 });
  assert.match(meets, /is 4\.0× cheaper than a fresh setup \+ solve \(400 ms\), which meets/);
  assert.match(meets, /the update itself takes 700 ms against 1\.3 s for a setup, 1\.9× less/);
  // The solve (2.2 s) is longer than half the setup: (1.3 + 2.2) / 2.2 = 1.6× at most.
  const short = reuseSentence({ ...base, reuseMs: 2900, freshMs: 3500, solveMs: 2200 });
  assert.match(short, /is only 1\.2× cheaper than a fresh setup \+ solve \(3\.5 s\), short of/);
  assert.match(short, /no update, however cheap, could reach 3×: the ratio cannot exceed 1\.6×/);
  // A short solve: the update is what misses; an instant one gives (1300 + 200) / 200 = 7.5×.
  const slow = reuseSentence({ ...base, reuseMs: 900, freshMs: 1500, solveMs: 200 });
  assert.match(slow, /the update is too slow .*; an instant one would give up to 7\.5×\./);
  const worse = reuseSentence({ ...base, reuseMs: 3600, freshMs: 3000, solveMs: 1700 });
  assert.match(worse, /is 1\.2× more expensive than a fresh setup/);
});

Deno.test("amg: lossesSentence() lists every loss, or says there is none", () => {
  const rows = [
    {
      name: "nos6",
      amg: { ms: 51, its: 8, ok: true },
      ic0: { ms: 6, its: 31, ok: true },
      pyamg: { ms: 42, its: 7, ok: true },
    },
    { name: "jump", amg: { ms: 700, its: 9, ok: true }, ic0: { ms: 2800, its: 500, ok: true } },
    { name: "hard", amg: { ms: 900, its: 5000, ok: false }, ic0: { ms: 100, its: 80, ok: false } },
  ];
  const s = lossesSentence(rows);
  assert.match(s, /^AMG-PCG loses on 2 of 3 problems — /);
  assert.match(
    s,
    /nos6: IC\(0\) is faster \(6\.0 ms vs 51 ms\), PyAMG is faster \(42 ms vs 51 ms\), PyAMG needs fewer iterations \(7 vs 8\)/,
  );
  // An unconverged competitor never counts as a win over AMG.
  assert.match(s, /; hard: AMG-PCG did not converge\.$/);
  assert.ok(!s.includes("jump"));
  assert.equal(
    lossesSentence([rows[1]!]),
    "AMG-PCG is the fastest and needs the fewest iterations on the one problem of the table.",
  );
});

Deno.test("amg: gradientCheckSentence() within and beyond the tolerance", () => {
  assert.equal(
    gradientCheckSentence(9.1e-14, 1e-8),
    "The gradients through AMG-PCG equal the unpreconditioned ones: largest relative " +
      "difference 9.1e-14, within 1e-8.",
  );
  assert.match(
    gradientCheckSentence(3e-6, 1e-8),
    /differ from the unpreconditioned ones by 3\.0e-6/,
  );
});

Deno.test("amg: gradientCheckSentence() names what it compares", () => {
  const names = { ours: "GMRES(30) + AMG", theirs: "those through GMRES(30) + ILU(0)" };
  assert.equal(
    gradientCheckSentence(6.9e-8, 1e-5, names),
    "The gradients through GMRES(30) + AMG equal those through GMRES(30) + ILU(0): largest " +
      "relative difference 6.9e-8, within 1e-5.",
  );
  assert.equal(
    gradientCheckSentence(2e-4, 1e-5, names),
    "The gradients through GMRES(30) + AMG differ from those through GMRES(30) + ILU(0) by " +
      "2.0e-4 (relative), more than 1e-5.",
  );
});

Deno.test("amg: convectionWinner() compares iterations or time; a failed run loses", () => {
  const amg = { its: 12, ms: 64, ok: true }, ilu0 = { its: 28, ms: 9, ok: true };
  assert.equal(convectionWinner(amg, ilu0, "its"), "AMG");
  assert.equal(convectionWinner(amg, ilu0, "ms"), "ILU(0)");
  assert.equal(convectionWinner(amg, { ...amg }, "its"), "tie");
  assert.equal(convectionWinner({ ...amg, ok: false }, ilu0, "its"), "ILU(0)");
  assert.equal(convectionWinner(amg, { ...ilu0, its: 3, ok: false }, "its"), "AMG");
  assert.equal(convectionWinner({ ...amg, ok: false }, { ...ilu0, ok: false }, "ms"), "neither");
});

Deno.test("amg: convectionSentence() — AMG best everywhere, loses somewhere, loses everywhere", () => {
  const run = (its: number, ms: number, ok = true) => ({ its, ms, ok });
  // The measured 256² GMRES(30) numbers of the issue: AMG wins up to Péclet 1.12.
  const measured = [
    { peclet: 0.112, amg: run(11, 518), ilu0: run(163, 1120) },
    { peclet: 1.12, amg: run(30, 510), ilu0: run(149, 1042) },
    { peclet: 11.2, amg: run(52, 523), ilu0: run(23, 147) },
    { peclet: 112, amg: run(61, 485), ilu0: run(7, 36) },
  ];
  assert.equal(
    convectionSentence("GMRES(30)", measured),
    "Preconditioning GMRES(30), AMG needs fewer iterations up to Péclet 1.12 (30 vs 149 " +
      "there) and ILU(0) from Péclet 11.2 on (23 vs 52 there); in setup + forward + backward " +
      "time AMG is faster up to Péclet 1.12 (510 ms vs 1.0 s there) and ILU(0) from Péclet " +
      "11.2 on (147 ms vs 523 ms there).",
  );
  // Given out of order, the rows are read by Péclet number.
  assert.equal(
    convectionSentence("GMRES(30)", [...measured].reverse()),
    convectionSentence("GMRES(30)", measured),
  );
  // AMG best everywhere.
  const best = measured.map((r) => ({ ...r, ilu0: run(r.amg.its + 5, r.amg.ms * 2) }));
  assert.equal(
    convectionSentence("BiCGSTAB", best),
    "Preconditioning BiCGSTAB, AMG needs fewer iterations than ILU(0) at every Péclet number " +
      "from 0.112 to 112 (11 vs 16 at 0.112, 61 vs 66 at 112); in setup + forward + backward " +
      "time AMG is faster than ILU(0) at every Péclet number from 0.112 to 112 (518 ms vs " +
      "1.0 s at 0.112, 485 ms vs 970 ms at 112).",
  );
  // AMG loses everywhere: ILU(0) needs fewer iterations and is faster at each Péclet number.
  const worst = measured.map((r) => ({ ...r, ilu0: run(r.amg.its - 5, r.amg.ms / 10) }));
  const w = convectionSentence("GMRES(30)", worst);
  assert.match(
    w,
    /^Preconditioning GMRES\(30\), ILU\(0\) needs fewer iterations than AMG at every /,
  );
  assert.match(w, /\(6 vs 11 at 0\.112, 56 vs 61 at 112\)/);
  assert.match(w, /time ILU\(0\) is faster than AMG at every Péclet number from 0\.112 to 112/);
  assert.ok(!/AMG (needs fewer|is faster)/.test(w));
  // Mixed iterations, time lost everywhere (the quick run's shape).
  const quick = [
    { peclet: 0.112, amg: run(12, 103), ilu0: run(55, 60) },
    { peclet: 1.12, amg: run(13, 37), ilu0: run(29, 12) },
    { peclet: 11.2, amg: run(19, 36), ilu0: run(13, 5.2) },
  ];
  assert.equal(
    convectionSentence("GMRES(30)", quick),
    "Preconditioning GMRES(30), AMG needs fewer iterations up to Péclet 1.12 (13 vs 29 there) " +
      "and ILU(0) from Péclet 11.2 on (13 vs 19 there); in setup + forward + backward time " +
      "ILU(0) is faster than AMG at every Péclet number from 0.112 to 11.2 (60 ms vs 103 ms " +
      "at 0.112, 5.2 ms vs 36 ms at 11.2).",
  );
  // Not a clean turn: each side's Péclet numbers listed; ties and failures said as such.
  const ragged = [
    { peclet: 0.1, amg: run(10, 50), ilu0: run(20, 40) },
    { peclet: 1, amg: run(30, 50), ilu0: run(20, 40) },
    { peclet: 10, amg: run(15, 50), ilu0: run(15, 40) },
    { peclet: 100, amg: run(40, 50), ilu0: run(5000, 900, false) },
    { peclet: 1000, amg: run(5000, 900, false), ilu0: run(5000, 800, false) },
  ];
  const r = convectionSentence("GMRES(30)", ragged);
  assert.match(
    r,
    /AMG needs fewer iterations at Péclet 0\.1, 100 \(10 vs 20; 40 vs not converged\)/,
  );
  assert.match(r, /ILU\(0\) needs fewer iterations at Péclet 1 \(20 vs 30\)/);
  assert.match(r, /the two are level at Péclet 10 \(15 each\), neither converges at Péclet 1000; /);
  assert.match(
    r,
    /; in setup \+ forward \+ backward time AMG is faster at Péclet 100 \(50 ms vs not converged\), /,
  );
  assert.match(r, /ILU\(0\) is faster at Péclet 0\.1, 1, 10 \(40 ms vs 50 ms; 40 ms vs 50 ms; /);
  assert.match(r, /neither converges at Péclet 1000\.$/);
  // One problem only.
  assert.equal(
    convectionSentence("GMRES(30)", [measured[3]!]),
    "Preconditioning GMRES(30), ILU(0) needs fewer iterations than AMG at Péclet 112 " +
      "(7 vs 61); in setup + forward + backward time ILU(0) is faster than AMG at Péclet 112 " +
      "(36 ms vs 485 ms).",
  );
  assert.throws(() => convectionSentence("GMRES(30)", []), RangeError);
});
