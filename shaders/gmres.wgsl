// Right-preconditioned GMRES(m) in float32 (requires common.wgsl): Jacobi (dinv) in gm_z and
// gm_xupd, or an AMG cycle with the kernels at the end of the file.
// The Krylov basis V (m+1 vectors of length n) lives in one buffer; the
// Hessenberg matrix, Givens rotations, g and y live in `hs` and are updated
// on the GPU by single-workgroup kernels, so a cycle needs no read-back.
// Orthogonalisation is classical Gram–Schmidt applied twice (CGS2): each pass
// computes all dots V[i]·w (i ≤ j) in one indirect dispatch of (prm.k, j+1)
// workgroups; gm_beta and gm_givens write its size into `ind`.
//
// Cycle start: spmv w = A x, gm_resid (nparts), gm_beta (1), gm_v0.
// Arnoldi step j: gm_z, spmv w = A z, gm_dots (indirect), gm_h1 (1), gm_orth (nparts),
//                 gm_dots, gm_h2, gm_orth, gm_givens (1), gm_vnext.
// Cycle end: gm_solve (1), gm_xupd, then the cycle-start kernels.
// State: j = st.j (steps in this cycle), stop = st.stop (skip remaining steps),
//        a = 1/‖w‖ for the next basis vector, f = ‖r‖² at the last cycle start.
// Bindings: 0 b, 1 x, 2 w, 3 z, 4 V, 5 dinv, 6 partials, 7 hp, 8 hs, 9 st, 10 prm,
//           11 ind (indirect dispatch size of gm_dots).

@group(0) @binding(0) var<storage, read> bv: array<f32>;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> z: array<f32>;
@group(0) @binding(4) var<storage, read_write> vb: array<f32>;
@group(0) @binding(5) var<storage, read> dinv: array<f32>;
@group(0) @binding(6) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> hp: array<f32>;
@group(0) @binding(8) var<storage, read_write> hs: array<f32>;
@group(0) @binding(9) var<storage, read_write> st: State;
@group(0) @binding(10) var<uniform> prm: Params;
@group(0) @binding(11) var<storage, read_write> ind: array<u32>;

fn set_dots_size(count: u32) {
  ind[0] = prm.k;
  ind[1] = count;
  ind[2] = 1u;
}

// Layout of hs: H ((m+1)×m, row-major), then c, s (m each), g (m+1), y (m), hcol (m+1).
fn h_at(i: u32, j: u32) -> u32 {
  return i * prm.m + j;
}
fn c_at(i: u32) -> u32 {
  return (prm.m + 1u) * prm.m + i;
}
fn s_at(i: u32) -> u32 {
  return (prm.m + 2u) * prm.m + i;
}
fn g_at(i: u32) -> u32 {
  return (prm.m + 3u) * prm.m + i;
}
fn y_at(i: u32) -> u32 {
  return (prm.m + 4u) * prm.m + 1u + i;
}
fn col_at(i: u32) -> u32 {
  return (prm.m + 5u) * prm.m + 1u + i;
}

fn step_off() -> bool {
  return st.done != 0u || st.stop != 0u;
}

// w = b − A x (w holds A x on entry); partials of w·w.
@compute @workgroup_size(256)
fn gm_resid(
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
    let ri = bv[i] - w[i];
    w[i] = ri;
    acc.x += ri * ri;
  }
  partials[wid.x] = wg_sum(lid, acc);
}

// β = ‖r‖: tests (first call sets ‖r₀‖), g = β e₁, a new cycle.
@compute @workgroup_size(256)
fn gm_beta(@builtin(local_invocation_index) lid: u32) {
  if (st.done != 0u) {
    return;
  }
  let q = sum_partials(lid);
  if (lid == 0u) {
    let rr = q.x;
    st.rr = rr;
    if (is_bad(rr)) {
      st.done = 5u;
      return;
    }
    if (st.rr0 == 0.0) {
      st.rr0 = rr;
      st.tol2 = st.tol2 * rr;
      if (rr == 0.0) {
        st.done = 1u;
        return;
      }
    } else if (rr <= st.tol2) {
      st.done = 1u;
      return;
    } else if (st.iter >= st.max_iter) {
      st.done = 2u;
      return;
    } else if (rr >= st.f) {
      st.done = 6u;
      return;
    }
    st.f = rr;
    let beta = sqrt(rr);
    for (var i = 0u; i <= prm.m; i++) {
      hs[g_at(i)] = 0.0;
    }
    hs[g_at(0u)] = beta;
    st.a = 1.0 / beta;
    st.j = 0u;
    st.stop = 0u;
    set_dots_size(1u);
  }
}

// V[0] = w / β.
@compute @workgroup_size(256)
fn gm_v0(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (st.done != 0u) {
    return;
  }
  let inv = st.a;
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    vb[i] = w[i] * inv;
  }
}

// z = M⁻¹ V[j].
@compute @workgroup_size(256)
fn gm_z(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (step_off()) {
    return;
  }
  let base = st.j * prm.n;
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    z[i] = dinv[i] * vb[base + i];
  }
}

// All dots V[i]·w, i ≤ j, in one dispatch: workgroup (q, i) writes hp[i·prm.k + q].
@compute @workgroup_size(256)
fn gm_dots(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (step_off() || wid.y > st.j) {
    return;
  }
  let base = wid.y * prm.n;
  var acc = vec4<f32>(0.0);
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    acc.x += vb[base + i] * w[i];
  }
  let total = wg_sum(lid, acc);
  if (lid == 0u) {
    hp[wid.y * prm.k + wid.x] = total.x;
  }
}

fn gather_column(lid: u32, add: bool) {
  if (lid <= st.j) {
    var h = 0.0;
    for (var q = 0u; q < prm.k; q++) {
      h += hp[lid * prm.k + q];
    }
    hs[col_at(lid)] = h;
    if (add) {
      hs[h_at(lid, st.j)] += h;
    } else {
      hs[h_at(lid, st.j)] = h;
    }
  }
}

// First Gram–Schmidt pass: H[i, j] = V[i]·w.
@compute @workgroup_size(256)
fn gm_h1(@builtin(local_invocation_index) lid: u32) {
  if (step_off()) {
    return;
  }
  gather_column(lid, false);
}

// Second pass (re-orthogonalisation): H[i, j] += V[i]·w.
@compute @workgroup_size(256)
fn gm_h2(@builtin(local_invocation_index) lid: u32) {
  if (step_off()) {
    return;
  }
  gather_column(lid, true);
}

// w −= Σ_{i≤j} hcol[i] V[i]; partials of w·w.
@compute @workgroup_size(256)
fn gm_orth(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (step_off()) {
    return;
  }
  let j = st.j;
  var acc = vec4<f32>(0.0);
  let stride = nwg.x * WG;
  for (var e = gid.x; e < prm.n; e += stride) {
    var wi = w[e];
    for (var i = 0u; i <= j; i++) {
      wi -= hs[col_at(i)] * vb[i * prm.n + e];
    }
    w[e] = wi;
    acc.x += wi * wi;
  }
  partials[wid.x] = wg_sum(lid, acc);
}

// H[j+1, j] = ‖w‖, previous rotations on column j, a new rotation, the
// residual estimate |g[j+1]|, and the end-of-cycle tests.
@compute @workgroup_size(256)
fn gm_givens(@builtin(local_invocation_index) lid: u32) {
  if (step_off()) {
    return;
  }
  let q = sum_partials(lid);
  if (lid != 0u) {
    return;
  }
  let j = st.j;
  let hn = sqrt(max(q.x, 0.0));
  for (var i = 0u; i < j; i++) {
    let c = hs[c_at(i)];
    let s = hs[s_at(i)];
    let a = hs[h_at(i, j)];
    let b = hs[h_at(i + 1u, j)];
    hs[h_at(i, j)] = c * a + s * b;
    hs[h_at(i + 1u, j)] = -s * a + c * b;
  }
  let a = hs[h_at(j, j)];
  let scale = max(abs(a), hn);
  var rho = 0.0;
  if (scale > 0.0) {
    rho = scale * sqrt((a / scale) * (a / scale) + (hn / scale) * (hn / scale));
  }
  if (is_bad(rho) || is_bad(hn)) {
    st.done = 5u;
    return;
  }
  if (rho == 0.0) {
    st.done = 3u;
    return;
  }
  let c = a / rho;
  let s = hn / rho;
  hs[c_at(j)] = c;
  hs[s_at(j)] = s;
  hs[h_at(j, j)] = rho;
  hs[h_at(j + 1u, j)] = 0.0;
  let gj = hs[g_at(j)];
  hs[g_at(j + 1u)] = -s * gj;
  hs[g_at(j)] = c * gj;
  st.iter += 1u;
  let est = s * gj;
  record_history(est * est);
  st.j = j + 1u;
  if (est * est <= st.tol2 || j + 1u >= prm.m || st.iter >= st.max_iter || hn == 0.0) {
    st.stop = 1u;
  } else {
    st.a = 1.0 / hn;
    set_dots_size(j + 2u);
  }
}

// V[j] = w / ‖w‖ (j already advanced).
@compute @workgroup_size(256)
fn gm_vnext(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (step_off()) {
    return;
  }
  let base = st.j * prm.n;
  let inv = st.a;
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    vb[base + i] = w[i] * inv;
  }
}

// Back substitution H[0:k, 0:k] y = g[0:k], k = st.j.
@compute @workgroup_size(1)
fn gm_solve() {
  if (st.done != 0u) {
    return;
  }
  let k = st.j;
  for (var ii = 0u; ii < k; ii++) {
    let i = k - 1u - ii;
    var s = hs[g_at(i)];
    for (var l = i + 1u; l < k; l++) {
      s -= hs[h_at(i, l)] * hs[y_at(l)];
    }
    hs[y_at(i)] = s / hs[h_at(i, i)];
  }
}

// x += M⁻¹ Σ_{i<k} y[i] V[i].
@compute @workgroup_size(256)
fn gm_xupd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (st.done != 0u) {
    return;
  }
  let k = st.j;
  let stride = nwg.x * WG;
  for (var e = gid.x; e < prm.n; e += stride) {
    var s = 0.0;
    for (var i = 0u; i < k; i++) {
      s += hs[y_at(i)] * vb[i * prm.n + e];
    }
    x[e] += dinv[e] * s;
  }
}

// --- The variant with a separate preconditioner (lib/gpu/amg.ts writes z = M⁻¹ u) ---
// Arnoldi step j: gm_vj (bind group with a vector u at binding 3), [cycle z = M⁻¹ u, skipped on
//   the stop word], spmv w = A z, then as above from gm_dots.
// Cycle end: gm_solve, gm_xsum, [cycle z = M⁻¹ w, skipped on done], gm_xadd, then the
//   cycle-start kernels (w is free at the cycle end: the next start overwrites it).

// u = V[j], u bound at binding 3 (`z`). Once done is set it also raises stop, so the dispatches
// gated on the stop word (the SpMV w = A z, the preconditioner's cycle) skip as well.
@compute @workgroup_size(256)
fn gm_vj(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (st.done != 0u) {
    if (gid.x == 0u) {
      st.stop = 1u;
    }
    return;
  }
  if (st.stop != 0u) {
    return;
  }
  let base = st.j * prm.n;
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    z[i] = vb[base + i];
  }
}

// w = Σ_{i<k} y[i] V[i] (the preconditioner then writes z = M⁻¹ w).
@compute @workgroup_size(256)
fn gm_xsum(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (st.done != 0u) {
    return;
  }
  let k = st.j;
  let stride = nwg.x * WG;
  for (var e = gid.x; e < prm.n; e += stride) {
    var s = 0.0;
    for (var i = 0u; i < k; i++) {
      s += hs[y_at(i)] * vb[i * prm.n + e];
    }
    w[e] = s;
  }
}

// x += z (z = M⁻¹ Σ y[i] V[i]).
@compute @workgroup_size(256)
fn gm_xadd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (st.done != 0u) {
    return;
  }
  let stride = nwg.x * WG;
  for (var e = gid.x; e < prm.n; e += stride) {
    x[e] += z[e];
  }
}
