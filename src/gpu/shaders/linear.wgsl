// y = x·Wᵀ + b, tiled: each 16×16 workgroup computes a 16×16 block of y, staging
// 16×16 tiles of x and W in workgroup memory.
// CPU twin: src/model/bert.rs (Linear::forward).
//
// x: (rows × k), w: (cols × k) as nn.Linear stores it, b: (cols), y: (rows × cols).

struct Params {
    rows: u32,
    k: u32,
    cols: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

const T: u32 = 16u;
var<workgroup> xs: array<array<f32, 16>, 16>;
var<workgroup> ws: array<array<f32, 16>, 16>;

@compute @workgroup_size(16, 16)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
) {
    let row = wg.y * T + lid.y;
    let col = wg.x * T + lid.x;
    var acc = 0.0;
    let tiles = (params.k + T - 1u) / T;
    for (var t = 0u; t < tiles; t = t + 1u) {
        let kx = t * T + lid.x;
        // x tile: rows of this block, k slice t.
        if (row < params.rows && kx < params.k) {
            xs[lid.y][lid.x] = x[row * params.k + kx];
        } else {
            xs[lid.y][lid.x] = 0.0;
        }
        // W tile: columns of this block (rows of W), k slice t; stored transposed.
        let wrow = wg.x * T + lid.y;
        if (wrow < params.cols && kx < params.k) {
            ws[lid.y][lid.x] = w[wrow * params.k + kx];
        } else {
            ws[lid.y][lid.x] = 0.0;
        }
        workgroupBarrier();
        for (var i = 0u; i < T; i = i + 1u) {
            acc = acc + xs[lid.y][i] * ws[lid.x][i];
        }
        workgroupBarrier();
    }
    if (row < params.rows && col < params.cols) {
        y[row * params.cols + col] = acc + b[col];
    }
}
