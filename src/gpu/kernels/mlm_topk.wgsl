// The MLM head's best predictions per position, without reading the logits back:
// one 256-thread workgroup per row finds the row maximum, log Σ exp(logit − max), then
// the k best (logit descending, id ascending on ties), one reduction per rank.
// CPU twin: src/model/bert/mlm.rs (top_k_predictions).
//
// logits: (rows × cols); out: (rows × (2 + 2k)) = [max, log-sum, (id bits, logit) × k].
// A rank past the row's length gets id 0xffffffff.

struct Params {
    rows: u32,
    cols: u32,
    k: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

const WG: u32 = 256u;
const NONE: u32 = 0xffffffffu;
const LOWEST: f32 = -3.402823e38;
var<workgroup> sv: array<f32, 256>;
var<workgroup> si: array<u32, 256>;

// Whether candidate (v, i) ranks before (bv, bi): higher logit, then lower id.
fn before(v: f32, i: u32, bv: f32, bi: u32) -> bool {
    if (i == NONE) {
        return false;
    }
    return bi == NONE || v > bv || (v == bv && i < bi);
}

@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
) {
    // workgroup_id is uniform, so this early return keeps the barriers below uniform.
    let row = wg.x;
    if (row >= params.rows) {
        return;
    }
    let base = row * params.cols;
    let t = lid.x;

    var m = LOWEST;
    for (var c = t; c < params.cols; c = c + WG) {
        m = max(m, logits[base + c]);
    }
    sv[t] = m;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s >> 1u) {
        if (t < s) {
            sv[t] = max(sv[t], sv[t + s]);
        }
        workgroupBarrier();
    }
    let row_max = sv[0];
    workgroupBarrier();

    var total = 0.0;
    for (var c = t; c < params.cols; c = c + WG) {
        total = total + exp(logits[base + c] - row_max);
    }
    sv[t] = total;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s >> 1u) {
        if (t < s) {
            sv[t] = sv[t] + sv[t + s];
        }
        workgroupBarrier();
    }
    let log_sum = log(sv[0]);
    workgroupBarrier();

    let ob = row * (2u + 2u * params.k);
    if (t == 0u) {
        out[ob] = row_max;
        out[ob + 1u] = log_sum;
    }
    var prev_v = 0.0;
    var prev_i = NONE;
    for (var r = 0u; r < params.k; r = r + 1u) {
        var bv = LOWEST;
        var bi = NONE;
        for (var c = t; c < params.cols; c = c + WG) {
            let v = logits[base + c];
            // Only candidates ranked after the previous pick.
            let after = prev_i == NONE || v < prev_v || (v == prev_v && c > prev_i);
            if (after && (r == 0u || prev_i != NONE) && before(v, c, bv, bi)) {
                bv = v;
                bi = c;
            }
        }
        sv[t] = bv;
        si[t] = bi;
        workgroupBarrier();
        for (var s = WG / 2u; s > 0u; s = s >> 1u) {
            if (t < s && before(sv[t + s], si[t + s], sv[t], si[t])) {
                sv[t] = sv[t + s];
                si[t] = si[t + s];
            }
            workgroupBarrier();
        }
        prev_v = sv[0];
        prev_i = si[0];
        workgroupBarrier();
        if (t == 0u) {
            out[ob + 2u + 2u * r] = bitcast<f32>(prev_i);
            out[ob + 3u + 2u * r] = prev_v;
        }
    }
}
