// The elementwise steps of the GPU AMG cycle (lib/gpu/amg.ts: V and W, forward
// and transposed), in float32. The products (A x, A d, R r, P x_c; Aᵀ of every
// level in the transposed cycle) run through spmv.wgsl into `t`; these kernels
// combine the results, mirroring lib/linalg/amg/smoothers.ts and cycle.ts. One
// bind group per level visit (and per Chebyshev step, for its coefficients):
// every binding a distinct buffer. The W cycle reuses two kernels with other
// buffers bound: amg_residual with the second visit's right-hand side at `r`
// (tw = b − A x), amg_correct with its solution at `t` (x += yw).
// Bindings: 0 b (level right-hand side), 1 t (product scratch), 2 w (smoother
// weights; the dense coarse inverse for amg_dense), 3 x (level solution),
// 4 r (residual), 5 d (Chebyshev direction), 6 ctrl (word 0 ≠ 0: skip),
// 7 prm {n, c0, c1, c2}.

struct AmgParams {
  n: u32,
  pad: u32,
  c0: f32,
  c1: f32,
  c2: f32,
  pad1: f32,
  pad2: f32,
  pad3: f32,
}

@group(0) @binding(0) var<storage, read> b: array<f32>;
@group(0) @binding(1) var<storage, read> t: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> x: array<f32>;
@group(0) @binding(4) var<storage, read_write> r: array<f32>;
@group(0) @binding(5) var<storage, read_write> d: array<f32>;
@group(0) @binding(6) var<storage, read> ctrl: array<u32>;
@group(0) @binding(7) var<uniform> prm: AmgParams;

// Jacobi sweep from x = 0: x = w b.
@compute @workgroup_size(256)
fn amg_jacobi_zero(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (ctrl[0] != 0u) {
    return;
  }
  for (var i = gid.x; i < prm.n; i += nwg.x * 256u) {
    x[i] = w[i] * b[i];
  }
}

// Jacobi sweep with t = A x: x += w (b − t).
@compute @workgroup_size(256)
fn amg_jacobi(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (ctrl[0] != 0u) {
    return;
  }
  for (var i = gid.x; i < prm.n; i += nwg.x * 256u) {
    x[i] += w[i] * (b[i] - t[i]);
  }
}

// First Chebyshev step from x = 0 (c0 = 1/θ): r = b, d = c0 w r, x = d.
@compute @workgroup_size(256)
fn amg_cheb_first_zero(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (ctrl[0] != 0u) {
    return;
  }
  for (var i = gid.x; i < prm.n; i += nwg.x * 256u) {
    let ri = b[i];
    r[i] = ri;
    let di = prm.c0 * w[i] * ri;
    d[i] = di;
    x[i] = di;
  }
}

// First Chebyshev step with t = A x: r = b − t, d = c0 w r, x += d.
@compute @workgroup_size(256)
fn amg_cheb_first(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (ctrl[0] != 0u) {
    return;
  }
  for (var i = gid.x; i < prm.n; i += nwg.x * 256u) {
    let ri = b[i] - t[i];
    r[i] = ri;
    let di = prm.c0 * w[i] * ri;
    d[i] = di;
    x[i] += di;
  }
}

// Later Chebyshev step with t = A d: r −= t, d = c1 d + c2 w r, x += d.
@compute @workgroup_size(256)
fn amg_cheb_step(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (ctrl[0] != 0u) {
    return;
  }
  for (var i = gid.x; i < prm.n; i += nwg.x * 256u) {
    let ri = r[i] - t[i];
    r[i] = ri;
    let di = prm.c1 * d[i] + prm.c2 * w[i] * ri;
    d[i] = di;
    x[i] += di;
  }
}

// Residual with t = A x: r = b − t.
@compute @workgroup_size(256)
fn amg_residual(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (ctrl[0] != 0u) {
    return;
  }
  for (var i = gid.x; i < prm.n; i += nwg.x * 256u) {
    r[i] = b[i] - t[i];
  }
}

// No pre-smoothing: r = b.
@compute @workgroup_size(256)
fn amg_copy(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (ctrl[0] != 0u) {
    return;
  }
  for (var i = gid.x; i < prm.n; i += nwg.x * 256u) {
    r[i] = b[i];
  }
}

// Coarse correction with t = P x_c: x += t.
@compute @workgroup_size(256)
fn amg_correct(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (ctrl[0] != 0u) {
    return;
  }
  for (var i = gid.x; i < prm.n; i += nwg.x * 256u) {
    x[i] += t[i];
  }
}

// No sweeps from x = 0: x = 0.
@compute @workgroup_size(256)
fn amg_zero(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (ctrl[0] != 0u) {
    return;
  }
  for (var i = gid.x; i < prm.n; i += nwg.x * 256u) {
    x[i] = 0.0;
  }
}

// Coarsest solve, x = A_c⁻¹ b with the row-major dense inverse bound as `w`
// (one invocation per row; n ≤ maxDenseSize keeps the trip count under G9's cap).
@compute @workgroup_size(256)
fn amg_dense(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (ctrl[0] != 0u) {
    return;
  }
  let n = prm.n;
  for (var i = gid.x; i < n; i += nwg.x * 256u) {
    var s = 0.0;
    let row = i * n;
    for (var j = 0u; j < n; j++) {
      s += w[row + j] * b[j];
    }
    x[i] = s;
  }
}
