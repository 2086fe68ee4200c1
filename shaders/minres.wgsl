// Jacobi-preconditioned MINRES (Paige & Saunders) in float32 (requires common.wgsl),
// the same recurrences as the CPU solver (lib/linalg/minres.ts), with the buffers the CPU
// rotates updated in place instead: r1 ← r2, r2 ← y, and w_{k−2} ← w_{k−1}, w_{k−1} ← w_k.
// The preconditioner must be SPD (the host refuses a Jacobi diagonal with a negative entry;
// an AMG cycle, applied by the *_pc kernels at the end of the file, is checked as on the CPU:
// r·M⁻¹r ≤ 0 stops with indefinite).
// Start: mr_init (nparts), mr_start (1), mr_update (elementwise: v = z/β₁).
// Iteration: spmv q = A v, mr_av (nparts), mr_alpha (1), mr_lanczos (nparts),
//   mr_rotate (1), mr_update (elementwise).
// `st` holds what every solver keeps there (done, iter, tol2, rr = estimate², rr0, hist);
// the MINRES recurrence scalars live in `sc` (never read back).
// mr_update runs when mr_rotate counted an iteration (sc.upd = 1), even if that iteration
// set `done`, so the x of the final iteration is written before the read-back.
// Bindings: 0 x, 1 r1, 2 r2, 3 z, 4 v, 5 q, 6 wa (w_{k−1}), 7 wb (w_{k−2}), 8 dinv,
//           9 partials, 10 st, 11 sc, 12 prm.

struct Minres {
  beta: f32,     // β of the current Lanczos vector
  c: f32,        // β/β_old: weight of r1 in y = A v − c r1 (0 in the first iteration)
  ab: f32,       // α/β: weight of r2 in y −= (α/β) r2
  alfa: f32,     // α = vᵀ y
  dbar: f32,
  epsln: f32,
  phibar: f32,
  cs: f32,
  sn: f32,
  scale: f32,    // ‖r₀‖₂ / ‖r₀‖_{M⁻¹}: the estimate |φ̄|·scale is in 2-norm units
  oldeps: f32,   // for mr_update: w = (v − oldeps w_{k−2} − delta w_{k−1}) / γ
  delta: f32,
  inv_gamma: f32,
  phi: f32,      // x += φ w
  inv_beta: f32, // v = z / β for the next iteration
  upd: u32,      // 1: mr_update applies this iteration
}

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> r1: array<f32>;
@group(0) @binding(2) var<storage, read_write> r2: array<f32>;
@group(0) @binding(3) var<storage, read_write> z: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
@group(0) @binding(5) var<storage, read_write> q: array<f32>;
@group(0) @binding(6) var<storage, read_write> wa: array<f32>;
@group(0) @binding(7) var<storage, read_write> wb: array<f32>;
@group(0) @binding(8) var<storage, read> dinv: array<f32>;
@group(0) @binding(9) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(10) var<storage, read_write> st: State;
@group(0) @binding(11) var<storage, read_write> sc: Minres;
@group(0) @binding(12) var<uniform> prm: Params;

// The CPU's floor on γ (Number.EPSILON), a normal float32.
const GAMMA_MIN: f32 = 2.220446049250313e-16;

// √(a² + b²) without overflow or underflow of the squares.
fn hypot2(a: f32, b: f32) -> f32 {
  let m = max(abs(a), abs(b));
  if (m == 0.0) {
    return 0.0;
  }
  let u = a / m;
  let w = b / m;
  return m * sqrt(u * u + w * w);
}

// r1 = r2 (= rhs), z = M⁻¹ r2, v = w = 0; partials of (r·z, r·r).
@compute @workgroup_size(256)
fn mr_init(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  var acc = vec4<f32>(0.0);
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    let ri = r2[i];
    let zi = dinv[i] * ri;
    r1[i] = ri;
    z[i] = zi;
    v[i] = 0.0;
    wa[i] = 0.0;
    wb[i] = 0.0;
    acc += vec4<f32>(ri * zi, ri * ri, 0.0, 0.0);
  }
  partials[wid.x] = wg_sum(lid, acc);
}

// β₁ = √(r₀ᵀM⁻¹r₀), φ̄ = β₁, cs = −1, sn = 0; as the CPU: r₀ᵀM⁻¹r₀ ≤ 0 is indefinite.
// Sets up mr_update to write only v = z/β₁ (x += 0).
@compute @workgroup_size(256)
fn mr_start(@builtin(local_invocation_index) lid: u32) {
  let s = sum_partials(lid);
  if (lid == 0u) {
    st.rr = s.y;
    st.rr0 = s.y;
    st.tol2 = st.tol2 * s.y;
    sc.upd = 0u;
    if (is_bad(s.x) || is_bad(s.y)) {
      st.done = 5u;
    } else if (s.y == 0.0) {
      st.done = 1u;
    } else if (!(s.x > 0.0)) {
      st.done = 4u;
    } else {
      let beta1 = sqrt(s.x);
      sc.beta = beta1;
      sc.c = 0.0;
      sc.dbar = 0.0;
      sc.epsln = 0.0;
      sc.phibar = beta1;
      sc.cs = -1.0;
      sc.sn = 0.0;
      sc.scale = sqrt(s.y) / beta1;
      sc.oldeps = 0.0;
      sc.delta = 0.0;
      sc.inv_gamma = 0.0;
      sc.phi = 0.0;
      sc.inv_beta = 1.0 / beta1;
      sc.upd = 1u;
    }
  }
}

// y = A v − (β/β_old) r1 (into q); partials of vᵀy.
@compute @workgroup_size(256)
fn mr_av(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (st.done != 0u) {
    return;
  }
  let c = sc.c;
  var acc = vec4<f32>(0.0);
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    let yi = q[i] - c * r1[i];
    q[i] = yi;
    acc.x += v[i] * yi;
  }
  partials[wid.x] = wg_sum(lid, acc);
}

// α = vᵀy (checked with β² in mr_rotate, as the CPU does).
@compute @workgroup_size(256)
fn mr_alpha(@builtin(local_invocation_index) lid: u32) {
  if (st.done != 0u) {
    return;
  }
  let s = sum_partials(lid);
  if (lid == 0u) {
    sc.alfa = s.x;
    sc.ab = s.x / sc.beta;
  }
}

// y −= (α/β) r2; r1 ← r2, r2 ← y, z = M⁻¹ r2; partials of r2ᵀz.
@compute @workgroup_size(256)
fn mr_lanczos(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (st.done != 0u) {
    return;
  }
  let ab = sc.ab;
  var acc = vec4<f32>(0.0);
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    let old = r2[i];
    let yi = q[i] - ab * old;
    r1[i] = old;
    r2[i] = yi;
    let zi = dinv[i] * yi;
    z[i] = zi;
    acc.x += yi * zi;
  }
  partials[wid.x] = wg_sum(lid, acc);
}

// β = √(r2ᵀz) (β² < 0: indefinite preconditioner; non-finite α or β²: non-finite), then the
// previous Givens rotation, the next one (from γ̄ and β), φ = cs φ̄, φ̄ = sn φ̄; history and
// the CPU's stopping test: |φ̄|·scale ≤ tol or β = 0 converged, else the iteration cap.
@compute @workgroup_size(256)
fn mr_rotate(@builtin(local_invocation_index) lid: u32) {
  if (st.done != 0u) {
    if (lid == 0u) {
      sc.upd = 0u;
    }
    return;
  }
  let s = sum_partials(lid);
  if (lid == 0u) {
    let beta_sq = s.x;
    let alfa = sc.alfa;
    if (beta_sq < 0.0) {
      st.done = 4u;
      sc.upd = 0u;
      return;
    }
    if (is_bad(beta_sq) || is_bad(alfa)) {
      st.done = 5u;
      sc.upd = 0u;
      return;
    }
    let oldb = sc.beta;
    let beta = sqrt(beta_sq);
    let cs = sc.cs;
    let sn = sc.sn;
    let dbar = sc.dbar;
    sc.oldeps = sc.epsln;
    sc.delta = cs * dbar + sn * alfa;
    let gbar = sn * dbar - cs * alfa;
    sc.epsln = sn * beta;
    sc.dbar = -cs * beta;
    let gamma = max(hypot2(gbar, beta), GAMMA_MIN);
    let cs_new = gbar / gamma;
    let sn_new = beta / gamma;
    sc.cs = cs_new;
    sc.sn = sn_new;
    sc.inv_gamma = 1.0 / gamma;
    sc.phi = cs_new * sc.phibar;
    let phibar = sn_new * sc.phibar;
    sc.phibar = phibar;
    sc.beta = beta;
    sc.c = beta / oldb;
    sc.inv_beta = select(0.0, 1.0 / beta, beta > 0.0);
    sc.upd = 1u;
    st.iter += 1u;
    let est = abs(phibar) * sc.scale;
    record_history(est * est);
    if (est * est <= st.tol2 || beta == 0.0) {
      st.done = 1u;
    } else if (st.iter >= st.max_iter) {
      st.done = 2u;
    }
  }
}

// w_k = (v − ε w_{k−2} − δ w_{k−1})/γ, w_{k−2} ← w_{k−1}, w_{k−1} ← w_k, x += φ w_k;
// then v = z/β for the next iteration.
@compute @workgroup_size(256)
fn mr_update(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (sc.upd == 0u) {
    return;
  }
  let oldeps = sc.oldeps;
  let delta = sc.delta;
  let inv_gamma = sc.inv_gamma;
  let phi = sc.phi;
  let inv_beta = sc.inv_beta;
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    let w1 = wb[i];
    let w2 = wa[i];
    let wi = (v[i] - oldeps * w1 - delta * w2) * inv_gamma;
    wb[i] = w2;
    wa[i] = wi;
    x[i] += phi * wi;
    v[i] = z[i] * inv_beta;
  }
}

// --- The variant with a separate preconditioner (lib/gpu/amg.ts writes z = M⁻¹ r2) ---
// Start: [cycle z = M⁻¹ r2], mr_init_pc (nparts), mr_start (1), mr_update.
// Iteration: spmv q = A v, mr_av, mr_alpha, mr_lanczos_pc (elementwise), [cycle z = M⁻¹ r2],
//   mr_rz (nparts), mr_rotate (1), mr_update.

// r1 = r2 (= rhs), v = w = 0 (z written by the preconditioner); partials of (r·z, r·r).
@compute @workgroup_size(256)
fn mr_init_pc(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  var acc = vec4<f32>(0.0);
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    let ri = r2[i];
    r1[i] = ri;
    v[i] = 0.0;
    wa[i] = 0.0;
    wb[i] = 0.0;
    acc += vec4<f32>(ri * z[i], ri * ri, 0.0, 0.0);
  }
  partials[wid.x] = wg_sum(lid, acc);
}

// y −= (α/β) r2; r1 ← r2, r2 ← y (the preconditioner then writes z = M⁻¹ r2).
@compute @workgroup_size(256)
fn mr_lanczos_pc(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (st.done != 0u) {
    return;
  }
  let ab = sc.ab;
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    let old = r2[i];
    r1[i] = old;
    r2[i] = q[i] - ab * old;
  }
}

// Partials of r2ᵀz after the preconditioner wrote z.
@compute @workgroup_size(256)
fn mr_rz(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (st.done != 0u) {
    return;
  }
  var acc = vec4<f32>(0.0);
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    acc.x += r2[i] * z[i];
  }
  partials[wid.x] = wg_sum(lid, acc);
}
