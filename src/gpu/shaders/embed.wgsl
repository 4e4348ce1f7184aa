// Embedding look-up: token + position + segment rows, summed (before LayerNorm).
// CPU twin: src/model/bert.rs (Embeddings::forward, the `sum` tensor).
//
// word: (vocab × hidden), position: (positions × hidden), segment: (types × hidden),
// ids, type_ids: (tokens) as u32; sum: (tokens × hidden).
// Ids were checked against the tables' sizes on the CPU before upload.

struct Params {
    n: u32,
    hidden: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> word: array<f32>;
@group(0) @binding(2) var<storage, read> position: array<f32>;
@group(0) @binding(3) var<storage, read> segment: array<f32>;
@group(0) @binding(4) var<storage, read> ids: array<u32>;
@group(0) @binding(5) var<storage, read> type_ids: array<u32>;
@group(0) @binding(6) var<storage, read_write> sum: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let c = gid.x;
    let i = gid.y;
    if (c >= params.hidden || i >= params.n) {
        return;
    }
    let h = params.hidden;
    sum[i * h + c] = word[ids[i] * h + c] + position[i * h + c] + segment[type_ids[i] * h + c];
}
