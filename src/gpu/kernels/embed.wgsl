// Embedding look-up: the token, position and segment rows, and their sum (before
// LayerNorm), written as four (tokens × hidden) slabs one after the other.
// CPU twin: src/model/bert/embeddings.rs (Embeddings::forward: token, position, segment, sum).
//
// word: (vocab × hidden), position: (positions × hidden), segment: (types × hidden),
// ids, type_ids: (tokens) as u32; parts: (4 × tokens × hidden).
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
@group(0) @binding(6) var<storage, read_write> parts: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let c = gid.x;
    let i = gid.y;
    if (c >= params.hidden || i >= params.n) {
        return;
    }
    let h = params.hidden;
    let slab = params.n * h;
    let at = i * h + c;
    let t = word[ids[i] * h + c];
    let p = position[at];
    let s = segment[type_ids[i] * h + c];
    parts[at] = t;
    parts[slab + at] = p;
    parts[2u * slab + at] = s;
    parts[3u * slab + at] = t + p + s;
}
