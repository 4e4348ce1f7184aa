// LayerNorm of every row, optionally after adding a residual (Add & Norm):
// (v − mean) / √(var + eps) · gamma + beta with v = x (+ residual), biased variance, as
// PyTorch. One 64-thread workgroup per row; mean first, then the variance of the
// differences (two passes, steadier than E[v²] − E[v]² in f32).
// CPU twins: src/model/bert/linear.rs (LayerNorm::forward), src/model/bert/layer.rs (ResidualOutput::forward).
//
// x, residual: (rows × cols) (residual read only when has_residual != 0);
// gamma, beta: (cols); y: (rows × cols).

struct Params {
    rows: u32,
    cols: u32,
    eps: f32,
    rows_per_dispatch_x: u32,
    has_residual: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> residual: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> beta: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;

const WG: u32 = 64u;
var<workgroup> scratch: array<f32, 64>;

fn reduce_sum(t: u32, v: f32) -> f32 {
    scratch[t] = v;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s >> 1u) {
        if (t < s) {
            scratch[t] = scratch[t] + scratch[t + s];
        }
        workgroupBarrier();
    }
    let total = scratch[0];
    workgroupBarrier();
    return total;
}

fn value(i: u32) -> f32 {
    if (params.has_residual != 0u) {
        return x[i] + residual[i];
    }
    return x[i];
}

@compute @workgroup_size(64)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
) {
    let row = wg.x + wg.y * params.rows_per_dispatch_x;
    if (row >= params.rows) {
        return;
    }
    let base = row * params.cols;
    let t = lid.x;
    let n = f32(params.cols);
    var s = 0.0;
    for (var c = t; c < params.cols; c = c + WG) {
        s = s + value(base + c);
    }
    let mean = reduce_sum(t, s) / n;
    var q = 0.0;
    for (var c = t; c < params.cols; c = c + WG) {
        let d = value(base + c) - mean;
        q = q + d * d;
    }
    let inv = inverseSqrt(reduce_sum(t, q) / n + params.eps);
    for (var c = t; c < params.cols; c = c + WG) {
        y[base + c] = (value(base + c) - mean) * inv * gamma[c] + beta[c];
    }
}
