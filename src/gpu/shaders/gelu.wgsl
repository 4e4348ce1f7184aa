// Exact GELU, x·Φ(x) = ½·x·erfc(−x/√2), element-wise, as PyTorch's default gelu.
// erfc is the same Chebyshev fit as the CPU (Numerical Recipes §6.2, relative error
// about 2·10⁻⁷). CPU twin: src/model/bert.rs (gelu, erfc).

struct Params {
    len: u32,
    per_row: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

fn erfc(v: f32) -> f32 {
    let z = abs(v);
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.2655122
        + t * (1.0000237
            + t * (0.37409196
                + t * (0.09678418
                    + t * (-0.18628806
                        + t * (0.27886807
                            + t * (-1.135204
                                + t * (1.4885159 + t * (-0.8221522 + t * 0.17087277))))))));
    let r = t * exp(poly);
    return select(2.0 - r, r, v >= 0.0);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x + gid.y * params.per_row;
    if (i >= params.len) {
        return;
    }
    y[i] = 0.5 * x[i] * erfc(-x[i] * 0.70710678);
}
