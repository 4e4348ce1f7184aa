//! The feed-forward non-linearities (GELU, its tanh approximation, ReLU), written so
//! their loops vectorise. The GPU's `gelu.wgsl` is tested against these.

use ndarray::Array2;

use super::config::Activation;
use crate::model::numerics::fast_exp::fast_exp;
use crate::model::numerics::simd;

/// Applies `act` to every element of `x`.
pub(super) fn activate(x: &mut Array2<f32>, act: Activation) {
    match act {
        Activation::Gelu => map_in_place(x, gelu),
        Activation::GeluNew => map_in_place(x, gelu_tanh),
        Activation::Relu => map_in_place(x, |v| v.max(0.0)),
    }
}

/// Generic (not a fn pointer) so the function inlines into a plain slice loop
/// that the compiler vectorises, AVX2-wide where the CPU has it.
fn map_in_place(x: &mut Array2<f32>, f: impl Fn(f32) -> f32 + Copy) {
    match x.as_slice_mut() {
        Some(values) => simd::map_in_place(values, f),
        None => x.mapv_inplace(f),
    }
}

/// Exact GELU `x·Φ(x) = ½·x·erfc(−x/√2)`, as PyTorch's default `gelu`.
#[inline]
pub fn gelu(x: f32) -> f32 {
    0.5 * x * erfc(-x * std::f32::consts::FRAC_1_SQRT_2)
}

/// GELU's tanh approximation (`gelu_new`).
#[inline]
pub fn gelu_tanh(x: f32) -> f32 {
    const C: f32 = 0.797_884_6; // √(2/π)
    0.5 * x * (1.0 + (C * (x + 0.044_715 * x * x * x)).tanh())
}

/// Complementary error function, relative error about 2·10⁻⁷: a Chebyshev
/// fit of `erfc(z)·exp(z²)` in `t = 1/(1 + z/2)` (Press et al., *Numerical
/// Recipes*, §6.2). std's `erf` is not stable yet; this one also vectorises.
#[inline]
pub fn erfc(x: f32) -> f32 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_2
        + t * (1.000_023_7
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_204
                                + t * (1.488_515_9 + t * (-0.822_152_2 + t * 0.170_872_77))))))));
    let r = t * fast_exp(poly);
    if x >= 0.0 { r } else { 2.0 - r }
}
