// Row-wise softmax with a padding mask, in place.
// CPU twin: src/model/numerics/softmax.rs (softmax_rows_masked). One workgroup per row.
//
// values: (rows × cols) row-major. mask[c] == 0 marks column c as padding: weight 0.
// A row whose columns are all masked becomes all zeros (no NaN), as on the CPU.

struct Params {
    rows: u32,
    cols: u32,
    use_mask: u32,
    rows_per_dispatch_x: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> values: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<u32>;

const WG: u32 = 64u;
const LOWEST: f32 = -3.402823e38;
var<workgroup> scratch: array<f32, 64>;

fn keep(c: u32) -> bool {
    return params.use_mask == 0u || mask[c] != 0u;
}

@compute @workgroup_size(64)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
) {
    // workgroup_id is uniform, so this early return keeps the barriers below uniform.
    let row = wg.x + wg.y * params.rows_per_dispatch_x;
    if (row >= params.rows) {
        return;
    }
    let base = row * params.cols;
    let t = lid.x;

    // 1. the row maximum over kept columns
    var m = LOWEST;
    for (var c = t; c < params.cols; c = c + WG) {
        if (keep(c)) {
            m = max(m, values[base + c]);
        }
    }
    scratch[t] = m;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s >> 1u) {
        if (t < s) {
            scratch[t] = max(scratch[t], scratch[t + s]);
        }
        workgroupBarrier();
    }
    let row_max = scratch[0];
    workgroupBarrier();

    // 2. exponentials and their sum
    var sum = 0.0;
    for (var c = t; c < params.cols; c = c + WG) {
        if (keep(c)) {
            let e = exp(values[base + c] - row_max);
            values[base + c] = e;
            sum = sum + e;
        } else {
            values[base + c] = 0.0;
        }
    }
    scratch[t] = sum;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s >> 1u) {
        if (t < s) {
            scratch[t] = scratch[t] + scratch[t + s];
        }
        workgroupBarrier();
    }
    let total = scratch[0];

    // 3. normalise
    if (total > 0.0) {
        for (var c = t; c < params.cols; c = c + WG) {
            values[base + c] = values[base + c] / total;
        }
    }
}
