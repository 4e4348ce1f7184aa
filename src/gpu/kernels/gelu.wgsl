// The FFN's activation, element-wise: exact GELU x·Φ(x) = ½·x·erfc(−x/√2) (PyTorch's
// default), its tanh form (`gelu_new`), or ReLU, chosen by `act` (0, 1, 2).
// erfc is the same Chebyshev fit as the CPU (Numerical Recipes §6.2, relative error
// about 2·10⁻⁷). CPU twins: src/model/bert/activation.rs (gelu, gelu_tanh, erfc).

struct Params {
    len: u32,
    per_row: u32,
    act: u32,
    _pad: u32,
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

fn gelu_tanh(v: f32) -> f32 {
    // tanh(u) = 1 − 2/(e^{2u} + 1), clamped so e^{2u} stays finite.
    let u = clamp(0.7978846 * (v + 0.044715 * v * v * v), -15.0, 15.0);
    let th = 1.0 - 2.0 / (exp(2.0 * u) + 1.0);
    return 0.5 * v * (1.0 + th);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x + gid.y * params.per_row;
    if (i >= params.len) {
        return;
    }
    let v = x[i];
    if (params.act == 1u) {
        y[i] = gelu_tanh(v);
    } else if (params.act == 2u) {
        y[i] = max(v, 0.0);
    } else {
        y[i] = 0.5 * v * erfc(-v * 0.70710678);
    }
}
