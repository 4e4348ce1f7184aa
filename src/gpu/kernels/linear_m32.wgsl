// y = x·Wᵀ + b for few rows: as linear.wgsl, but a 16×8 workgroup computes a 32×64
// block of y (each thread still a 4×4 grid: rows ty + 8·i, columns tx + 16·j), so a
// product of 32–256 rows gets twice the workgroups of the 64×64 tiling to spread over
// a large GPU. Tiles of x (32×16) and W (64×16) are staged in workgroup memory, rows
// padded to 17 floats so a column read hits distinct banks.
// CPU twin: src/model/bert/linear.rs (Linear::forward).
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

const TILE_ROWS: u32 = 32u;
const TILE_COLS: u32 = 64u;
const BK: u32 = 16u;
var<workgroup> xs: array<array<f32, 17>, 32>;
var<workgroup> ws: array<array<f32, 17>, 64>;

@compute @workgroup_size(16, 8)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
) {
    let row0 = wg.y * TILE_ROWS;
    let col0 = wg.x * TILE_COLS;
    let tx = lid.x;
    let ty = lid.y;
    let flat = ty * 16u + tx;
    var acc: array<f32, 16>;
    for (var i = 0u; i < 16u; i = i + 1u) {
        acc[i] = 0.0;
    }
    let tiles = (params.k + BK - 1u) / BK;
    for (var t = 0u; t < tiles; t = t + 1u) {
        let k0 = t * BK;
        // 32×16 values of x (4 per thread) and 64×16 of W (8 per thread); neighbouring
        // threads read neighbouring k, so global reads are contiguous.
        for (var e = 0u; e < 4u; e = e + 1u) {
            let idx = flat + 128u * e;
            let r = idx / BK;
            let c = idx % BK;
            let kk = k0 + c;
            var xv = 0.0;
            if (row0 + r < params.rows && kk < params.k) {
                xv = x[(row0 + r) * params.k + kk];
            }
            xs[r][c] = xv;
        }
        for (var e = 0u; e < 8u; e = e + 1u) {
            let idx = flat + 128u * e;
            let r = idx / BK;
            let c = idx % BK;
            let kk = k0 + c;
            var wv = 0.0;
            if (col0 + r < params.cols && kk < params.k) {
                wv = w[(col0 + r) * params.k + kk];
            }
            ws[r][c] = wv;
        }
        workgroupBarrier();
        for (var kk = 0u; kk < BK; kk = kk + 1u) {
            var a: array<f32, 4>;
            var bb: array<f32, 4>;
            for (var i = 0u; i < 4u; i = i + 1u) {
                a[i] = xs[ty + 8u * i][kk];
                bb[i] = ws[tx + 16u * i][kk];
            }
            for (var i = 0u; i < 4u; i = i + 1u) {
                for (var j = 0u; j < 4u; j = j + 1u) {
                    acc[i * 4u + j] = acc[i * 4u + j] + a[i] * bb[j];
                }
            }
        }
        workgroupBarrier();
    }
    for (var i = 0u; i < 4u; i = i + 1u) {
        let row = row0 + ty + 8u * i;
        for (var j = 0u; j < 4u; j = j + 1u) {
            let col = col0 + tx + 16u * j;
            if (row < params.rows && col < params.cols) {
                y[row * params.cols + col] = acc[i * 4u + j] + b[col];
            }
        }
    }
}
