/**
 * gradsolve: differentiable sparse linear solves for Deno, on the CPU
 * (float64) and on the GPU (WebGPU, float32 with float64 refinement).
 *
 * Put a linear solve inside a learning loop and get exact, cheap gradients
 * by implicit differentiation: one adjoint solve `Aᵀλ = x̄`, then `b̄ = λ`
 * and, for each stored entry k of a sparse `A`, `Ā[k] = −λ[row k]·x[col k]`.
 *
 * @example Gradient of a loss through a sparse solve
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromCsr, grad, poisson2d, solve, sparseTensor, square, sum, tensor } from "@gradsolve/gradsolve";
 *
 * const A = poisson2d(8);                       // 64×64 SPD matrix (CsrMatrix)
 * const b = tensor(new Float64Array(64).fill(1));
 * // d/d(values) of Σ x², x = A⁻¹b — one forward CG solve, one adjoint solve.
 * const gValues = grad((v) => sum(square(solve(sparseTensor(A.pattern, v), b, { rtol: 1e-10 }))))(
 *   fromCsr(A).values,
 * );
 * assert.equal(gValues.size, A.nnz);
 * ```
 *
 * @module
 */

export { type MaybePromise, then } from "./lib/maybe_promise.ts";

// Errors
export {
  FactorizationError,
  GpuDeviceLostError,
  GpuError,
  GpuUnavailableError,
  GradsolveError,
  MatrixMarketError,
  NonFiniteError,
  ShapeError,
  SingularMatrixError,
} from "./lib/errors.ts";

// Sparse matrices
export { CsrPattern, MAX_DIMENSION, type PatternTranspose } from "./lib/sparse/pattern.ts";
export { CsrMatrix } from "./lib/sparse/csr.ts";
export { patternFromTriplets, scatterTriplets, type TripletPattern } from "./lib/sparse/coo.ts";
export * from "./lib/sparse/matrix_market.ts";
export * from "./lib/sparse/generators.ts";
export { logNormalField, smoothGaussianField } from "./lib/sparse/random_fields.ts";
export { type LowerPattern, lowerPattern } from "./lib/sparse/lower_pattern.ts";
export { Rng } from "./lib/random.ts";

// Numeric solvers (CPU, float64)
export * from "./lib/linalg/operator.ts";
export type { IterationInfo, KrylovOptions } from "./lib/linalg/options.ts";
export {
  type Preconditioner,
  type PreconditionerName,
  transposedPreconditioner,
} from "./lib/linalg/preconditioner.ts";
export {
  type ComputeOptions,
  LinearSolver,
  type LinearSolverOptions,
} from "./lib/linalg/linear_solver.ts";
export * from "./lib/linalg/result.ts";
export { cg, cgMethod } from "./lib/linalg/cg.ts";
export { bicgstab, bicgstabMethod } from "./lib/linalg/bicgstab.ts";
export { gmres } from "./lib/linalg/gmres.ts";
export { minres } from "./lib/linalg/minres.ts";
export {
  checkKrylovInput,
  type CycleFactory,
  type CycleOutcome,
  type CycleRunner,
  type DriverPolicy,
  failureReason,
  type IterationStep,
  KrylovColumns,
  type KrylovCycle,
  type KrylovInput,
  type KrylovMethod,
  type KrylovProblem,
  type KrylovSolveOptions,
  runKrylov,
  runKrylovAsync,
  singleColumnCycle,
} from "./lib/linalg/krylov.ts";
export type { CycleStatus, KrylovOps } from "./lib/linalg/krylov_ops.ts";
export {
  cpuKrylov,
  CpuKrylovOps,
  cpuMethodCycle,
  type KrylovMethodText,
} from "./lib/linalg/cpu_ops.ts";
export { blockApply, getColumn, setColumn } from "./lib/linalg/block.ts";
export {
  blockSolve,
  type BlockSolveResult,
  type DirectHandle,
  numericSolve,
  type NumericSolveOptions,
  zeroResult,
} from "./lib/linalg/numeric_solve.ts";
export {
  defaultMethod,
  krylovBlockSolve,
  krylovSolve,
  type LinearSolveOptions,
  solveLinear,
} from "./lib/linalg/solve.ts";
export {
  identityPreconditioner,
  preconditioner,
  type PreconditionerOptions,
} from "./lib/linalg/build_preconditioner.ts";
export { jacobi } from "./lib/linalg/jacobi.ts";
export { ilu0 } from "./lib/linalg/ilu0.ts";
export { ic0, type Ic0Options, type IncompleteCholesky } from "./lib/linalg/ic0.ts";
export { factorPreconditioner } from "./lib/linalg/factor_preconditioner.ts";
// Algebraic multigrid (smoothed aggregation, Ruge–Stüben) as a preconditioner
export * from "./lib/linalg/amg/mod.ts";
export {
  userPreconditioner,
  type UserPreconditionerOptions,
} from "./lib/linalg/user_preconditioner.ts";
export {
  denseLu,
  type DenseLuFactors,
  type DenseLuOptions,
  denseSolve,
  denseSolveTranspose,
} from "./lib/linalg/dense.ts";
export {
  lanczosCondition,
  type LanczosEstimate,
  type TridiagonalExtremes,
  tridiagonalExtremes,
} from "./lib/linalg/lanczos.ts";
export {
  directSolve,
  type DirectSolveOptions,
  type DirectSolveResult,
  type Factorization,
  factorize,
  type FactorizeOptions,
} from "./lib/linalg/direct/factor.ts";
export { factorizationPreconditioner } from "./lib/linalg/direct/preconditioner.ts";
export type { Ordering, Symbolic } from "./lib/linalg/direct/symbolic.ts";
export type { CscView } from "./lib/linalg/direct/lu.ts";
export type { CholeskySymbolic } from "./lib/linalg/direct/cholesky.ts";

// Autodiff
export * from "./lib/autodiff/mod.ts";

// Differentiable solves
export {
  type AdjointMode,
  type AdjointOptions,
  solve,
  type SolveOptions,
  solveWithInfo,
} from "./lib/diff/solve.ts";
export { type AsyncSolveOptions, solveAsync, solveAsyncWithInfo } from "./lib/diff/solve_async.ts";
export { SolveInfo } from "./lib/diff/solve_info.ts";
export { type SolveGradients, solveGradients } from "./lib/diff/solve_gradients.ts";
export type { DiffMatrix, ParametricOperator, System } from "./lib/diff/system.ts";
export { TapeKrylovOps, type TensorPreconditioner } from "./lib/diff/tape_ops.ts";
export type {
  DifferentiablePreconditioner,
  PreconditionerSpec,
} from "./lib/diff/preconditioning.ts";
export { woodburyApply, type WoodburyParams, woodburyPreconditioner } from "./lib/diff/woodbury.ts";

export type { AdjointWarmStart } from "./lib/diff/implicit.ts";

// GPU (WebGPU)
export {
  acquireGpu,
  type AcquireGpuOptions,
  type GpuAdapterSummary,
  type GpuAvailability,
  gpuAvailable,
  GpuContext,
  type GpuEntryPoint,
  type GpuLimits,
} from "./lib/gpu/device.ts";
export {
  type GpuMethod,
  gpuSolve,
  type GpuSolveOptions,
  GpuSolver,
  type GpuSolveResult,
  type GpuSolveTimings,
} from "./lib/gpu/solve.ts";
export type { SpmvVariant } from "./lib/gpu/spmv.ts";
export {
  type BindingKind,
  type BindingResource,
  type KernelModule,
  PipelineCache,
} from "./lib/gpu/pipelines.ts";

// Small networks and optimisers for experiments
export * from "./lib/nn/mlp.ts";
export * from "./lib/nn/adam.ts";
