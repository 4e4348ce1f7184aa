// Raw attention scores of every head, QKᵀ/√d: one thread per (key j, query i, head h).
// CPU twin: src/model/bert/layer.rs (SelfAttention::forward, the `scores` tensor).
//
// q, k: (tokens × hidden), head h in columns h·d .. (h+1)·d;
// scores: (heads × tokens × tokens), row = query.

struct Params {
    n: u32,
    heads: u32,
    d: u32,
    scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read_write> scores: array<f32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let j = gid.x;
    let i = gid.y;
    let h = gid.z;
    if (i >= params.n || j >= params.n || h >= params.heads) {
        return;
    }
    let hidden = params.heads * params.d;
    let qb = i * hidden + h * params.d;
    let kb = j * hidden + h * params.d;
    var acc = 0.0;
    for (var c = 0u; c < params.d; c = c + 1u) {
        acc = acc + q[qb + c] * k[kb + c];
    }
    scores[(h * params.n + i) * params.n + j] = acc * params.scale;
}
