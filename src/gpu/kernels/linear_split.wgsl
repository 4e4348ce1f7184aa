// Split-K part of y = x·Wᵀ + b for products too small to fill a large GPU even in
// 32×64 tiles: workgroup z sums only k_slice of the K products (as linear_m32.wgsl
// does, a 16×8 workgroup per 32×64 block of y, each thread a 4×4 grid) and writes its
// partial block to part[z]; linear_split_sum.wgsl adds the slices and the bias. K of
// 768–3072 in four slices gives four times the workgroups.
// CPU twin: src/model/bert/linear.rs (Linear::forward), through linear_split_sum.
//
// x: (rows × k), w: (cols × k), part: (slices × rows × cols).

struct Params {
    rows: u32,
    k: u32,
    cols: u32,
    k_slice: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> part: array<f32>;

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
    let k_begin = wg.z * params.k_slice;
    let k_end = min(params.k, k_begin + params.k_slice);
    var acc: array<f32, 16>;
    for (var i = 0u; i < 16u; i = i + 1u) {
        acc[i] = 0.0;
    }
    // k_slice is a multiple of BK, so tiles never straddle two slices.
    for (var k0 = k_begin; k0 < k_end; k0 = k0 + BK) {
        for (var e = 0u; e < 4u; e = e + 1u) {
            let idx = flat + 128u * e;
            let r = idx / BK;
            let c = idx % BK;
            let kk = k0 + c;
            var xv = 0.0;
            if (row0 + r < params.rows && kk < k_end) {
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
            if (col0 + r < params.cols && kk < k_end) {
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
    let base = wg.z * params.rows * params.cols;
    for (var i = 0u; i < 4u; i = i + 1u) {
        let row = row0 + ty + 8u * i;
        for (var j = 0u; j < 4u; j = j + 1u) {
            let col = col0 + tx + 16u * j;
            if (row < params.rows && col < params.cols) {
                part[base + row * params.cols + col] = acc[i * 4u + j];
            }
        }
    }
}
