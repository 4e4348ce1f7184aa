//! Backward passes of the building blocks every part is made of: `nn.Linear`,
//! `nn.LayerNorm` (with the forward that keeps what its backward needs) and the
//! feed-forward activations. Each backward *adds* into the gradient it is given, so
//! a weight used twice (the tied word embeddings) or a batch of sequences simply
//! accumulates.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::model::bert::config::Activation;
use crate::model::bert::linear::{LayerNorm, Linear, row_stats};
use crate::model::numerics::fast_exp::fast_exp;
use crate::model::numerics::matmul::{mat_mul, mat_mul_add};

/// What LayerNorm's backward needs from its forward.
#[derive(Debug, Clone)]
pub struct LayerNormCache {
    /// The normalised input `(x − μ)/σ` before scale and shift, `(tokens × width)`.
    pub x_hat: Array2<f32>,
    /// `1/σ` per row, `(tokens)`.
    pub inv_std: Array1<f32>,
}

/// LayerNorm forward that keeps its cache. Computes exactly what
/// [`LayerNorm::forward`] computes (same f64 sums, same rounding), so a training
/// forward and the app's forward give bit-identical hidden states.
pub fn layer_norm_forward(
    ln: &LayerNorm,
    x: &ArrayView2<f32>,
    eps: f64,
) -> (Array2<f32>, LayerNormCache) {
    let mut x_hat = x.to_owned(); // (tokens × width)
    let mut inv_std = Array1::zeros(x.nrows());
    for (mut row, inv_out) in x_hat.rows_mut().into_iter().zip(inv_std.iter_mut()) {
        let (mean, inv) = row_stats(row.view(), eps);
        row.mapv_inplace(|v| ((v as f64 - mean) * inv) as f32);
        *inv_out = inv as f32;
    }
    let y = &x_hat * &ln.gamma + &ln.beta; // (tokens × width)
    (y, LayerNormCache { x_hat, inv_std })
}

/// LayerNorm backward: adds `∂L/∂γ`, `∂L/∂β` into `grad` and returns `∂L/∂x`.
///
/// With `g = dy ⊙ γ`: `dx = (g − mean(g) − x̂ · mean(g ⊙ x̂)) / σ` per row, the
/// usual closed form (the mean and variance depend on every entry of the row).
pub fn layer_norm_backward(
    ln: &LayerNorm,
    cache: &LayerNormCache,
    dy: &ArrayView2<f32>,
    grad: &mut LayerNorm,
) -> Array2<f32> {
    grad.gamma += &(dy * &cache.x_hat).sum_axis(Axis(0));
    grad.beta += &dy.sum_axis(Axis(0));
    let mut dx = dy * &ln.gamma; // (tokens × width), ∂L/∂x̂ for now
    for ((mut row, x_hat), &inv) in dx
        .rows_mut()
        .into_iter()
        .zip(cache.x_hat.rows())
        .zip(cache.inv_std.iter())
    {
        let width = row.len() as f64;
        let mean_g = row.iter().map(|&g| g as f64).sum::<f64>() / width;
        let mean_gx = row
            .iter()
            .zip(x_hat.iter())
            .map(|(&g, &x)| g as f64 * x as f64)
            .sum::<f64>()
            / width;
        for (g, &x) in row.iter_mut().zip(x_hat.iter()) {
            *g = ((*g as f64 - mean_g - x as f64 * mean_gx) * inv as f64) as f32;
        }
    }
    dx
}

/// `nn.Linear` backward for `y = x·Wᵀ + b`: adds `∂L/∂W = dyᵀ·x` and
/// `∂L/∂b = Σ dy` into `grad` and returns `∂L/∂x = dy·W`.
pub fn linear_backward(
    lin: &Linear,
    x: &ArrayView2<f32>,
    dy: &ArrayView2<f32>,
    grad: &mut Linear,
) -> Array2<f32> {
    linear_backward_params(x, dy, grad);
    mat_mul(dy, &lin.weight.view()) // (tokens × in)
}

/// The parameter half of [`linear_backward`], for a layer whose input needs no
/// gradient (or whose input gradient is formed elsewhere).
pub fn linear_backward_params(x: &ArrayView2<f32>, dy: &ArrayView2<f32>, grad: &mut Linear) {
    mat_mul_add(&dy.t(), x, &mut grad.weight.view_mut()); // (out × in)
    grad.bias += &dy.sum_axis(Axis(0));
}

/// Derivative of the activation at its input `u`, multiplied into `d` (which holds
/// `∂L/∂act(u)` and comes back as `∂L/∂u`).
pub fn activation_backward(act: Activation, u: &Array2<f32>, d: &mut Array2<f32>) {
    match act {
        Activation::Gelu => scale_by(d, u, gelu_derivative),
        Activation::GeluNew => scale_by(d, u, gelu_tanh_derivative),
        Activation::Relu => scale_by(d, u, |x| if x > 0.0 { 1.0 } else { 0.0 }),
    }
}

/// `d ← d · f(u)` elementwise. Generic (not a fn pointer) so `f` inlines into a
/// plain slice loop the compiler vectorises: with a call per element the GELU
/// derivative took about a sixth of a training step.
fn scale_by(d: &mut Array2<f32>, u: &Array2<f32>, f: impl Fn(f32) -> f32 + Copy) {
    match (d.as_slice_mut(), u.as_slice()) {
        (Some(ds), Some(us)) if ds.len() == us.len() => {
            for (g, &x) in ds.iter_mut().zip(us) {
                *g *= f(x);
            }
        }
        _ => ndarray::Zip::from(d).and(u).for_each(|g, &x| *g *= f(x)),
    }
}

/// `d/dx [x·Φ(x)] = Φ(x) + x·φ(x)`, with the same `erfc` the forward uses for Φ.
#[inline]
pub fn gelu_derivative(x: f32) -> f32 {
    let cdf = 0.5 * crate::model::bert::activation::erfc(-x * std::f32::consts::FRAC_1_SQRT_2);
    let pdf = fast_exp(-0.5 * x * x) * 0.398_942_3; // 1/√(2π)
    cdf + x * pdf
}

/// Derivative of `½x(1 + tanh(c(x + 0.044715x³)))`.
#[inline]
pub fn gelu_tanh_derivative(x: f32) -> f32 {
    const C: f32 = 0.797_884_6; // √(2/π)
    let inner = C * (x + 0.044_715 * x * x * x);
    let t = inner.tanh();
    0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * C * (1.0 + 3.0 * 0.044_715 * x * x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bert::activation::{gelu, gelu_tanh};

    #[test]
    fn layer_norm_forward_matches_the_apps_layer_norm_bit_for_bit() {
        let ln = LayerNorm {
            gamma: Array1::from_shape_fn(5, |i| 1.0 + 0.1 * i as f32),
            beta: Array1::from_shape_fn(5, |i| 0.05 * i as f32),
        };
        let x = Array2::from_shape_fn((3, 5), |(i, j)| ((i * 5 + j) as f32 * 0.7).sin());
        let (y, _) = layer_norm_forward(&ln, &x.view(), 1e-12);
        assert_eq!(y, ln.forward(&x.view(), 1e-12));
    }

    #[test]
    fn activation_derivatives_match_central_differences() {
        // f32 central differences with h = 1e-3 are good to about 1e-3 here.
        for i in -40..=40 {
            let x = i as f32 * 0.1;
            let h = 1e-3;
            for (f, df) in [
                (gelu as fn(f32) -> f32, gelu_derivative as fn(f32) -> f32),
                (gelu_tanh, gelu_tanh_derivative),
            ] {
                let numeric = (f(x + h) - f(x - h)) / (2.0 * h);
                assert!(
                    (numeric - df(x)).abs() < 2e-3,
                    "x {x}: {numeric} vs {}",
                    df(x)
                );
            }
        }
    }
}
