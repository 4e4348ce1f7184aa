// Weighted sum of the values, every head, written side by side as (tokens × hidden):
// merged[i, h·d + c] = keep[h] · Σ_j weights[h, i, j] · v[j, h·d + c].
// keep[h] = 0 ablates head h (its output becomes zeros).
// CPU twin: src/model/bert/layer.rs (SelfAttention::forward, the `merged` tensor).

struct Params {
    n: u32,
    heads: u32,
    d: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> keep: array<f32>;
@group(0) @binding(4) var<storage, read_write> merged: array<f32>;

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let col = gid.x;
    let i = gid.y;
    let hidden = params.heads * params.d;
    if (col >= hidden || i >= params.n) {
        return;
    }
    let h = col / params.d;
    let wb = (h * params.n + i) * params.n;
    var acc = 0.0;
    for (var j = 0u; j < params.n; j = j + 1u) {
        acc = acc + weights[wb + j] * v[j * hidden + col];
    }
    merged[i * hidden + col] = acc * keep[h];
}
