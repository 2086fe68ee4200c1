// Prelude shared by the solver modules (cg, bicgstab, gmres, dot): the solver
// state block, the uniform parameters, the float checks and the workgroup sum.
// A module that includes it declares `partials: array<vec4<f32>>`,
// `prm: Params` and `st: State` itself (the helpers below read them).
//
// State block (one storage buffer, read back every K iterations):
//   word 0   done: 0 running, 1 converged, 2 max iterations, 3 breakdown,
//            4 indefinite, 5 non-finite, 6 stagnation
//   word 1   iter (iterations taken)        word 2  max_iter
//   word 3   hist_len (K, history ring size)
//   word 4   tol2 (host writes tol_rel²; the start kernel scales it by ‖r₀‖²)
//   word 5   rr (latest ‖r‖²)                word 6  rr0 (‖r₀‖²)
//   words 7..12  solver scalars a..f (α, β, ρ, ω, …)
//   word 13  j (GMRES step within the cycle)
//   word 64  stop (GMRES: skip the remaining Arnoldi steps of the cycle);
//            at byte offset 256 so kernels can bind it as their control word
//   word 128.. hist: relative residual of iteration i at hist[(i-1) % hist_len]

const WG: u32 = 256u;

struct State {
  done: u32,
  iter: u32,
  max_iter: u32,
  hist_len: u32,
  tol2: f32,
  rr: f32,
  rr0: f32,
  a: f32,
  b: f32,
  c: f32,
  d: f32,
  e: f32,
  f: f32,
  j: u32,
  pad0: array<u32, 50>,
  stop: u32,
  pad1: array<u32, 63>,
  hist: array<f32>,
}

struct Params {
  n: u32,       // vector length
  nparts: u32,  // number of partial-sum workgroups of the reductions
  m: u32,       // GMRES restart length (0 elsewhere)
  k: u32,       // GMRES: workgroups per batched dot (0 elsewhere)
}

var<workgroup> red: array<vec4<f32>, WG>;

// True for ±Inf and NaN (exponent bits all ones); immune to fast-math folding.
fn is_bad(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u;
}

// Sum of `v` over the workgroup. Every invocation must call it (uniform control flow).
fn wg_sum(lid: u32, v: vec4<f32>) -> vec4<f32> {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      red[lid] = red[lid] + red[lid + s];
    }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}

// Second reduction stage: the sum of all `prm.nparts` partials (one workgroup).
fn sum_partials(lid: u32) -> vec4<f32> {
  var acc = vec4<f32>(0.0);
  for (var i = lid; i < prm.nparts; i += WG) {
    acc += partials[i];
  }
  return wg_sum(lid, acc);
}

// Records iteration `st.iter` (already incremented) in the history ring.
fn record_history(rr: f32) {
  st.rr = rr;
  st.hist[(st.iter - 1u) % st.hist_len] = sqrt(max(rr, 0.0) / st.rr0);
}
