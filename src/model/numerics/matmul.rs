//! Matrix products of the CPU forward pass, on the `gemm` crate.
//!
//! `gemm` picks its SIMD kernels at run time (AVX2/FMA, AVX-512, NEON) and packs less
//! than `matrixmultiply` (ndarray's `dot`): on this project's shapes (a few dozen to
//! a few hundred tokens times 384–3072 wide weights) it is 10–30 % faster, which is what
//! brought the CPU forward pass level with PyTorch's. Any strides work, so a weight
//! `(out × in)` is used as `Wᵀ` through a transposed view, without a copy.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

/// `c = a · b` for `a` `(m × k)`, `b` `(k × n)`, `c` `(m × n)`; `scale` multiplies the
/// product. Panics only on mismatched shapes, which callers rule out by construction.
pub fn mat_mul_into(
    scale: f32,
    a: &ArrayView2<f32>,
    b: &ArrayView2<f32>,
    c: &mut ArrayViewMut2<f32>,
) {
    gemm_into(scale, a, b, c, false);
}

/// `c += a · b`: accumulates into `c` without a temporary (gradients summed over
/// many sequences, e.g. the `(vocab × hidden)` decoder gradient).
pub fn mat_mul_add(a: &ArrayView2<f32>, b: &ArrayView2<f32>, c: &mut ArrayViewMut2<f32>) {
    gemm_into(1.0, a, b, c, true);
}

fn gemm_into(
    scale: f32,
    a: &ArrayView2<f32>,
    b: &ArrayView2<f32>,
    c: &mut ArrayViewMut2<f32>,
    accumulate: bool,
) {
    let (m, k) = a.dim();
    let (k2, n) = b.dim();
    assert!(
        k == k2 && c.dim() == (m, n),
        "matrix product of ({m} × {k}) and ({k2} × {n}) into {:?}",
        c.dim()
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            c.fill(0.0);
        }
        return;
    }
    let [a_rs, a_cs] = [a.strides()[0], a.strides()[1]];
    let [b_rs, b_cs] = [b.strides()[0], b.strides()[1]];
    let [c_rs, c_cs] = [c.strides()[0], c.strides()[1]];
    // SAFETY: the three pointers and their strides describe valid ndarray views of the
    // shapes checked above; `c` is borrowed mutably, so it aliases neither `a` nor `b`.
    // With `read_dst = false` the destination is only written: c = scale · a·b;
    // with `read_dst = true` (and alpha 1) it becomes c + scale · a·b.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            c_cs,
            c_rs,
            accumulate,
            a.as_ptr(),
            a_cs,
            a_rs,
            b.as_ptr(),
            b_cs,
            b_rs,
            if accumulate { 1.0 } else { 0.0 },
            scale,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// `a · b` as a new `(m × n)` array.
pub fn mat_mul(a: &ArrayView2<f32>, b: &ArrayView2<f32>) -> Array2<f32> {
    let mut c = Array2::zeros((a.nrows(), b.ncols()));
    mat_mul_into(1.0, a, b, &mut c.view_mut());
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_ndarray_on_transposed_and_sliced_views() {
        let a = Array2::from_shape_fn((7, 13), |(i, j)| (i as f32 * 0.3 - j as f32 * 0.1).sin());
        let w = Array2::from_shape_fn((5, 13), |(i, j)| (i as f32 + j as f32 * 0.7).cos());
        let got = mat_mul(&a.view(), &w.t());
        let want = a.dot(&w.t());
        for (g, e) in got.iter().zip(want.iter()) {
            assert!((g - e).abs() < 1e-5, "{g} vs {e}");
        }
        // A column slice (non-unit strides) and a scale.
        let mut c = Array2::zeros((7, 3));
        let b = w.t();
        let b = b.slice(ndarray::s![.., 1..4]);
        mat_mul_into(0.5, &a.view(), &b, &mut c.view_mut());
        let want = a.dot(&b) * 0.5;
        for (g, e) in c.iter().zip(want.iter()) {
            assert!((g - e).abs() < 1e-5, "{g} vs {e}");
        }
        assert_eq!(
            mat_mul(&Array2::zeros((0, 3)).view(), &Array2::zeros((3, 2)).view()).dim(),
            (0, 2)
        );
    }

    #[test]
    fn mat_mul_add_accumulates() {
        let a = Array2::from_shape_fn((4, 6), |(i, j)| (i as f32 - j as f32 * 0.2).sin());
        let b = Array2::from_shape_fn((4, 5), |(i, j)| (i as f32 * 0.5 + j as f32).cos());
        let start = Array2::from_shape_fn((6, 5), |(i, j)| (i * 5 + j) as f32);
        let mut c = start.clone();
        mat_mul_add(&a.t(), &b.view(), &mut c.view_mut());
        let want = &start + &a.t().dot(&b);
        for (g, e) in c.iter().zip(want.iter()) {
            assert!((g - e).abs() < 1e-4, "{g} vs {e}");
        }
    }
}
