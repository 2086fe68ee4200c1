// Jacobi-preconditioned conjugate gradients in float32 (requires common.wgsl).
// One iteration: spmv q = A p, cg_pap, cg_alpha, cg_update, cg_beta, cg_p.
// Start: cg_init, cg_start. Scalars stay in `st`: a = α, b = β, c = ρ = r·z.
// Kernels named *_pap/_update/_init run on prm.nparts workgroups (they reduce);
// cg_alpha/cg_start/cg_beta on one workgroup; cg_p on ⌈n/256⌉ (grid-stride).
// Bindings: 0 x, 1 r, 2 z, 3 p, 4 q, 5 dinv, 6 partials, 7 st, 8 prm.

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> r: array<f32>;
@group(0) @binding(2) var<storage, read_write> z: array<f32>;
@group(0) @binding(3) var<storage, read_write> p: array<f32>;
@group(0) @binding(4) var<storage, read_write> q: array<f32>;
@group(0) @binding(5) var<storage, read> dinv: array<f32>;
@group(0) @binding(6) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> st: State;
@group(0) @binding(8) var<uniform> prm: Params;

// z = M⁻¹ r, p = z; partials of (r·z, r·r).
@compute @workgroup_size(256)
fn cg_init(
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
    let ri = r[i];
    let zi = dinv[i] * ri;
    z[i] = zi;
    p[i] = zi;
    acc += vec4<f32>(ri * zi, ri * ri, 0.0, 0.0);
  }
  partials[wid.x] = wg_sum(lid, acc);
}

// ρ = r·z, ‖r₀‖²; converged at once when r₀ = 0.
@compute @workgroup_size(256)
fn cg_start(@builtin(local_invocation_index) lid: u32) {
  if (st.done != 0u) {
    return;
  }
  let s = sum_partials(lid);
  if (lid == 0u) {
    st.c = s.x;
    st.rr = s.y;
    st.rr0 = s.y;
    st.tol2 = st.tol2 * s.y;
    if (is_bad(s.x) || is_bad(s.y)) {
      st.done = 5u;
    } else if (s.y == 0.0) {
      st.done = 1u;
    } else if (s.x <= 0.0) {
      st.done = 4u;
    }
  }
}

// Partials of p·q with q = A p.
@compute @workgroup_size(256)
fn cg_pap(
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
    acc.x += p[i] * q[i];
  }
  partials[wid.x] = wg_sum(lid, acc);
}

// α = ρ / pᵀAp; as the CPU's guard: pᵀAp < 0 is indefinite (A is not positive definite),
// pᵀAp = 0 a breakdown.
@compute @workgroup_size(256)
fn cg_alpha(@builtin(local_invocation_index) lid: u32) {
  if (st.done != 0u) {
    return;
  }
  let s = sum_partials(lid);
  if (lid == 0u) {
    if (is_bad(s.x)) {
      st.done = 5u;
    } else if (s.x < 0.0) {
      st.done = 4u;
    } else if (s.x == 0.0) {
      st.done = 3u;
    } else {
      st.a = st.c / s.x;
    }
  }
}

// x += α p, r -= α q, z = M⁻¹ r; partials of (r·z, r·r).
@compute @workgroup_size(256)
fn cg_update(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (st.done != 0u) {
    return;
  }
  let alpha = st.a;
  var acc = vec4<f32>(0.0);
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    x[i] += alpha * p[i];
    let ri = r[i] - alpha * q[i];
    r[i] = ri;
    let zi = dinv[i] * ri;
    z[i] = zi;
    acc += vec4<f32>(ri * zi, ri * ri, 0.0, 0.0);
  }
  partials[wid.x] = wg_sum(lid, acc);
}

// Ends an iteration: history, convergence test, β = ρ_new / ρ.
@compute @workgroup_size(256)
fn cg_beta(@builtin(local_invocation_index) lid: u32) {
  if (st.done != 0u) {
    return;
  }
  let s = sum_partials(lid);
  if (lid == 0u) {
    st.iter += 1u;
    record_history(s.y);
    if (is_bad(s.x) || is_bad(s.y)) {
      st.done = 5u;
    } else if (s.y <= st.tol2) {
      st.done = 1u;
    } else if (st.iter >= st.max_iter) {
      st.done = 2u;
    } else if (s.x <= 0.0) {
      st.done = 4u;
    } else {
      st.b = s.x / st.c;
      st.c = s.x;
    }
  }
}

// p = z + β p.
@compute @workgroup_size(256)
fn cg_p(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (st.done != 0u) {
    return;
  }
  let beta = st.b;
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    p[i] = z[i] + beta * p[i];
  }
}

// --- The variant with a separate preconditioner (lib/gpu/amg.ts writes z = M⁻¹ r) ---
// Start: [cycle z = M⁻¹ r], cg_init_pc, cg_start. One iteration: spmv q = A p, cg_pap,
// cg_alpha, cg_xr, [cycle z = M⁻¹ r], cg_rz, cg_beta, cg_p.

// p = z; partials of (r·z, r·r) (z written by the preconditioner).
@compute @workgroup_size(256)
fn cg_init_pc(
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
    let ri = r[i];
    let zi = z[i];
    p[i] = zi;
    acc += vec4<f32>(ri * zi, ri * ri, 0.0, 0.0);
  }
  partials[wid.x] = wg_sum(lid, acc);
}

// x += α p, r -= α q (elementwise; the preconditioner then writes z).
@compute @workgroup_size(256)
fn cg_xr(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (st.done != 0u) {
    return;
  }
  let alpha = st.a;
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    x[i] += alpha * p[i];
    r[i] = r[i] - alpha * q[i];
  }
}

// Partials of (r·z, r·r) after the preconditioner wrote z.
@compute @workgroup_size(256)
fn cg_rz(
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
    let ri = r[i];
    acc += vec4<f32>(ri * z[i], ri * ri, 0.0, 0.0);
  }
  partials[wid.x] = wg_sum(lid, acc);
}
