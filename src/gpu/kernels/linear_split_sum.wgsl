// The second half of a split-K product: y = Σ_slices part + b, one thread per value
// of y (256 per workgroup). Slices are added in order, so the result does not depend on scheduling.
// CPU twin: src/model/bert/linear.rs (Linear::forward), with linear_split.wgsl.
//
// part: (slices × rows × cols), b: (cols), y: (rows × cols); slices = ⌈k / k_slice⌉.

struct Params {
    rows: u32,
    k: u32,
    cols: u32,
    k_slice: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> part: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let size = params.rows * params.cols;
    // Workgroups spread over two axes, so more than 65,535 of them still fit.
    let i = (wg.y * groups.x + wg.x) * 256u + lid;
    if (i >= size) {
        return;
    }
    let slices = (params.k + params.k_slice - 1u) / params.k_slice;
    var sum = b[i % params.cols];
    for (var s = 0u; s < slices; s = s + 1u) {
        sum = sum + part[s * size + i];
    }
    y[i] = sum;
}
