// Stand-alone two-stage dot product s = a·b (requires common.wgsl).
// Stage 1 (prm.nparts workgroups): partials[w] = Σ over a grid-stride slice.
// Stage 2 (one workgroup): st.rr = Σ partials.
// Bindings: 0 a, 1 b, 2 partials, 3 st, 4 prm.

@group(0) @binding(0) var<storage, read> va: array<f32>;
@group(0) @binding(1) var<storage, read> vb: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> st: State;
@group(0) @binding(4) var<uniform> prm: Params;

@compute @workgroup_size(256)
fn dot_partial(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  var acc = vec4<f32>(0.0);
  let stride = nwg.x * WG;
  for (var i = gid.x; i < prm.n; i += stride) {
    acc.x += va[i] * vb[i];
  }
  partials[wid.x] = wg_sum(lid, acc);
}

@compute @workgroup_size(256)
fn dot_finish(@builtin(local_invocation_index) lid: u32) {
  let s = sum_partials(lid);
  if (lid == 0u) {
    st.rr = s.x;
  }
}
