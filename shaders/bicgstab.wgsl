// Right-preconditioned BiCGSTAB in float32 (requires common.wgsl): Jacobi (dinv) fused into
// bi_p / bi_s, or an AMG cycle between the *_pc kernels (end of file).
// Like the CPU solver, each half-step (one SpMV) counts as an iteration and
// the solve may stop after the first half. Scalars in `st`:
//   a = α, b = β, c = ρ (= r̂·r), d = ω, e = pending stop after the x update
//   (1 converged at the half-step, 2 iteration cap at the half-step).
// Start: bi_init (nparts), bi_first (1).
// Iteration: bi_p (elementwise), spmv v = A p̂, bi_rv (nparts), bi_alpha (1),
//   bi_s (elementwise), spmv t = A ŝ, bi_ts (nparts), bi_omega (1),
//   bi_update (nparts), bi_rho (1).
// Bindings: 0 x, 1 r, 2 rh, 3 p, 4 ph, 5 v, 6 s, 7 sh, 8 t, 9 dinv,
//           10 partials, 11 st, 12 prm.

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> r: array<f32>;
@group(0) @binding(2) var<storage, read_write> rh: array<f32>;
@group(0) @binding(3) var<storage, read_write> p: array<f32>;
@group(0) @binding(4) var<storage, read_write> ph: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;
@group(0) @binding(6) var<storage, read_write> s: array<f32>;
@group(0) @binding(7) var<storage, read_write> sh: array<f32>;
@group(0) @binding(8) var<storage, read_write> t: array<f32>;
@group(0) @binding(9) var<storage, read> dinv: array<f32>;
@group(0) @binding(10) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(11) var<storage, read_write> st: State;
@group(0) @binding(12) var<uniform> prm: Params;

// r̂ = r, p = v = 0; partials of (r̂·r, r·r).
@compute @workgroup_size(256)
fn bi_init(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  var acc = vec4<f32>(0.0);
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    let ri = r[i];
    rh[i] = ri;
    p[i] = 0.0;
    v[i] = 0.0;
    acc += vec4<f32>(ri * ri, ri * ri, 0.0, 0.0);
  }
  partials[wid.x] = wg_sum(lid, acc);
}

// ρ = ‖r₀‖², β = 0, ω = 1; converged at once when r₀ = 0.
@compute @workgroup_size(256)
fn bi_first(@builtin(local_invocation_index) lid: u32) {
  let q = sum_partials(lid);
  if (lid == 0u) {
    st.rr = q.y;
    st.rr0 = q.y;
    st.tol2 = st.tol2 * q.y;
    st.c = q.x;
    st.b = 0.0;
    st.d = 1.0;
    st.e = 0.0;
    if (is_bad(q.y)) {
      st.done = 5u;
    } else if (q.y == 0.0) {
      st.done = 1u;
    }
  }
}

// p = r + β (p − ω v), p̂ = M⁻¹ p.
@compute @workgroup_size(256)
fn bi_p(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (st.done != 0u) {
    return;
  }
  let beta = st.b;
  let omega = st.d;
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    let pi = r[i] + beta * (p[i] - omega * v[i]);
    p[i] = pi;
    ph[i] = dinv[i] * pi;
  }
}

// Partials of r̂·v.
@compute @workgroup_size(256)
fn bi_rv(
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
    acc.x += rh[i] * v[i];
  }
  partials[wid.x] = wg_sum(lid, acc);
}

// α = ρ / r̂·v.
@compute @workgroup_size(256)
fn bi_alpha(@builtin(local_invocation_index) lid: u32) {
  if (st.done != 0u) {
    return;
  }
  let q = sum_partials(lid);
  if (lid == 0u) {
    if (is_bad(q.x)) {
      st.done = 5u;
    } else if (q.x == 0.0) {
      st.done = 3u;
    } else {
      st.a = st.c / q.x;
    }
  }
}

// s = r − α v, ŝ = M⁻¹ s.
@compute @workgroup_size(256)
fn bi_s(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (st.done != 0u) {
    return;
  }
  let alpha = st.a;
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    let si = r[i] - alpha * v[i];
    s[i] = si;
    sh[i] = dinv[i] * si;
  }
}

// Partials of (t·s, t·t, s·s).
@compute @workgroup_size(256)
fn bi_ts(
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
    let ti = t[i];
    let si = s[i];
    acc += vec4<f32>(ti * si, ti * ti, si * si, 0.0);
  }
  partials[wid.x] = wg_sum(lid, acc);
}

// Half-step: history and test on ‖s‖; then ω = t·s / t·t.
@compute @workgroup_size(256)
fn bi_omega(@builtin(local_invocation_index) lid: u32) {
  if (st.done != 0u) {
    return;
  }
  let q = sum_partials(lid);
  if (lid == 0u) {
    st.iter += 1u;
    record_history(q.z);
    if (is_bad(q.x) || is_bad(q.y) || is_bad(q.z)) {
      st.done = 5u;
    } else if (q.z <= st.tol2) {
      st.d = 0.0;
      st.e = 1.0;
    } else if (st.iter >= st.max_iter) {
      st.d = 0.0;
      st.e = 2.0;
    } else if (q.y == 0.0) {
      st.done = 3u;
    } else {
      st.d = q.x / q.y;
    }
  }
}

// x += α p̂ + ω ŝ, r = s − ω t; partials of (r̂·r, r·r).
@compute @workgroup_size(256)
fn bi_update(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (st.done != 0u) {
    return;
  }
  let alpha = st.a;
  let omega = st.d;
  var acc = vec4<f32>(0.0);
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    x[i] += alpha * ph[i] + omega * sh[i];
    let ri = s[i] - omega * t[i];
    r[i] = ri;
    acc += vec4<f32>(rh[i] * ri, ri * ri, 0.0, 0.0);
  }
  partials[wid.x] = wg_sum(lid, acc);
}

// Second half-step: history, tests, β = (ρ_new/ρ)(α/ω).
@compute @workgroup_size(256)
fn bi_rho(@builtin(local_invocation_index) lid: u32) {
  if (st.done != 0u) {
    return;
  }
  let q = sum_partials(lid);
  if (lid == 0u) {
    if (st.e != 0.0) {
      st.done = select(2u, 1u, st.e == 1.0);
      return;
    }
    st.iter += 1u;
    record_history(q.y);
    if (is_bad(q.x) || is_bad(q.y)) {
      st.done = 5u;
    } else if (q.y <= st.tol2) {
      st.done = 1u;
    } else if (st.iter >= st.max_iter) {
      st.done = 2u;
    } else if (q.x == 0.0 || st.d == 0.0) {
      st.done = 3u;
    } else {
      st.b = (q.x / st.c) * (st.a / st.d);
      st.c = q.x;
    }
  }
}

// --- The variant with a separate preconditioner (lib/gpu/amg.ts writes p̂ = M⁻¹ p, ŝ = M⁻¹ s) ---
// Iteration: bi_p_pc, [cycle p̂ = M⁻¹ p], spmv v = A p̂, bi_rv, bi_alpha, bi_s_pc,
//   [cycle ŝ = M⁻¹ s], spmv t = A ŝ, bi_ts, bi_omega, bi_update, bi_rho.

// p = r + β (p − ω v) (the preconditioner then writes p̂).
@compute @workgroup_size(256)
fn bi_p_pc(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (st.done != 0u) {
    return;
  }
  let beta = st.b;
  let omega = st.d;
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    p[i] = r[i] + beta * (p[i] - omega * v[i]);
  }
}

// s = r − α v (the preconditioner then writes ŝ).
@compute @workgroup_size(256)
fn bi_s_pc(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (st.done != 0u) {
    return;
  }
  let alpha = st.a;
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    s[i] = r[i] - alpha * v[i];
  }
}
