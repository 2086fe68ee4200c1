import assert from "node:assert/strict";
import { parseExperimentArgs, UsageError } from "../scripts/_report_args.ts";

const extra = {
  steps: { type: "number", integer: true, default: 200, description: "training steps" },
  learningRate: { type: "number", description: "Adam step size" },
  method: { type: "string", default: "cg", description: "solver" },
  verbose: { type: "boolean", description: "print more" },
} as const;

Deno.test("parseExperimentArgs() gives the common defaults", () => {
  const args = parseExperimentArgs([]);
  assert.equal(args.quick, false);
  assert.equal(args.seed, 0);
  assert.equal(args.backend, "cpu");
  assert.equal(args.out, "reports");
  assert.equal(args.help, false);
  // Quick runs never land on the full reports unless asked to.
  assert.equal(parseExperimentArgs(["--quick"]).out, "reports/quick");
  assert.equal(parseExperimentArgs(["--quick", "--out", "reports"]).out, "reports");
  assert.ok(args.usage.includes("--backend <string>"));
});

Deno.test("parseExperimentArgs() parses common and script options", () => {
  const args = parseExperimentArgs(
    ["--quick", "--seed", "42", "--backend=webgpu", "--out", "/tmp/r", "--learning-rate", "1e-3"],
    extra,
  );
  assert.equal(args.quick, true);
  assert.equal(args.seed, 42);
  assert.equal(args.backend, "webgpu");
  assert.equal(args.out, "/tmp/r");
  assert.equal(args.steps, 200);
  assert.equal(args.learningRate, 1e-3);
  assert.equal(args.method, "cg");
  assert.equal(args.verbose, false);
  assert.ok(args.usage.includes("--learning-rate <number>"));
  assert.ok(parseExperimentArgs(["-h"], extra).help);
});

Deno.test("parseExperimentArgs() throws UsageError on bad command lines", () => {
  const cases: [string[], RegExp][] = [
    [["--fast"], /fast/],
    [["--backend", "cuda"], /expected "cpu" or "webgpu", got "cuda"/],
    [["--seed", "1.5"], /--seed: expected an integer, got "1.5"/],
    [["--seed=-1"], /--seed: expected an integer >= 0, got -1/],
    [["--steps", "abc"], /--steps: expected an integer, got "abc"/],
    [["--learning-rate", ""], /--learning-rate: expected a number/],
    [["positional"], /positional/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(
      () => parseExperimentArgs(argv, extra),
      (e: unknown) =>
        e instanceof UsageError && message.test(e.message) && e.usage.includes("--steps"),
      argv.join(" "),
    );
  }
});
