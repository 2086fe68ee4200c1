// Gradient of a loss with respect to the stored values of a sparse matrix
// after an adjoint solve: grad[k] = −λ[row k] · x[col k] (float32).
// Bindings: 0 rowIdx, 1 colIdx, 2 lambda, 3 x, 4 grad, 5 params {nnz}.

struct GradParams {
  nnz: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

@group(0) @binding(0) var<storage, read> row_idx: array<u32>;
@group(0) @binding(1) var<storage, read> col_idx: array<u32>;
@group(0) @binding(2) var<storage, read> lambda: array<f32>;
@group(0) @binding(3) var<storage, read> xs: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;
@group(0) @binding(5) var<uniform> gp: GradParams;

@compute @workgroup_size(256)
fn value_gradient(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let stride = nwg.x * 256u;
  for (var k = gid.x; k < gp.nnz; k += stride) {
    grad[k] = -lambda[row_idx[k]] * xs[col_idx[k]];
  }
}
