//! Element-wise loops compiled twice: for the CPU the binary was built for (x86-64's
//! SSE2 baseline) and for AVX2, picked at run time. The forward pass's GELU and softmax
//! loops are 8 floats wide instead of 4 on any CPU of the last decade. Rust never fuses
//! `a·b + c` into one FMA on its own, so both versions give bit-identical results.

/// Whether this CPU runs the AVX2 versions (checked once, then cached by std).
#[inline]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether this CPU has AVX2 and FMA (every x86-64 CPU since 2013 that has one has
/// the other).
#[inline]
pub fn has_avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        has_avx2() && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `v = f(v)` for every value, AVX2-wide where available. `f` is generic, so it is
/// compiled into the AVX2 loop itself (a closure handed to a wrapper is not reliably
/// inlined, and would then run without AVX2).
#[inline(always)]
pub fn map_in_place(values: &mut [f32], f: impl Fn(f32) -> f32 + Copy) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the CPU supports AVX2 (checked just above), the only requirement of
        // calling a function compiled with `target_feature(enable = "avx2")`.
        unsafe { map_avx2(values, f) };
        return;
    }
    values.iter_mut().for_each(|v| *v = f(*v));
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn map_avx2(values: &mut [f32], f: impl Fn(f32) -> f32 + Copy) {
    values.iter_mut().for_each(|v| *v = f(*v));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_paths_give_the_same_bits() {
        let f = |x: f32| crate::model::bert::activation::gelu(x) * 1.5 + 0.25;
        let mut wide_values: Vec<f32> = (0..1000).map(|i| (i as f32 - 500.0) * 0.037).collect();
        let plain: Vec<f32> = wide_values.iter().map(|&x| f(x)).collect();
        map_in_place(&mut wide_values, f);
        assert_eq!(
            wide_values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            plain.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }
}
