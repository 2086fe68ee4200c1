// CSR sparse matrix–vector product y = A x in float32.
//   spmv_row:       one invocation per row (grid-stride), for short rows.
//   spmv_workgroup: one 64-wide workgroup per row (grid-stride over rows),
//                   for long rows; keeps per-invocation loop trips small (G9).
// Bindings: 0 rowPtr, 1 colIdx, 2 values, 3 x, 4 y, 5 ctrl (word 0 ≠ 0: skip),
//           6 params {nRows}.
// The transposed product uses the same kernels on the transposed pattern.

struct SpmvParams {
  n_rows: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

@group(0) @binding(0) var<storage, read> row_ptr: array<u32>;
@group(0) @binding(1) var<storage, read> col_idx: array<u32>;
@group(0) @binding(2) var<storage, read> vals: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read> ctrl: array<u32>;
@group(0) @binding(6) var<uniform> sp: SpmvParams;

@compute @workgroup_size(256)
fn spmv_row(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (ctrl[0] != 0u) {
    return;
  }
  let stride = nwg.x * 256u;
  for (var i = gid.x; i < sp.n_rows; i += stride) {
    var s = 0.0;
    let end = row_ptr[i + 1u];
    for (var k = row_ptr[i]; k < end; k++) {
      s += vals[k] * x[col_idx[k]];
    }
    y[i] = s;
  }
}

const RW: u32 = 64u;
var<workgroup> part: array<f32, RW>;

@compute @workgroup_size(64)
fn spmv_workgroup(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  if (ctrl[0] != 0u) {
    return;
  }
  for (var i = wid.x; i < sp.n_rows; i += nwg.x) {
    var s = 0.0;
    let end = row_ptr[i + 1u];
    for (var k = row_ptr[i] + lid; k < end; k += RW) {
      s += vals[k] * x[col_idx[k]];
    }
    part[lid] = s;
    workgroupBarrier();
    for (var h = RW / 2u; h > 0u; h = h >> 1u) {
      if (lid < h) {
        part[lid] = part[lid] + part[lid + h];
      }
      workgroupBarrier();
    }
    if (lid == 0u) {
      y[i] = part[0];
    }
    workgroupBarrier();
  }
}
