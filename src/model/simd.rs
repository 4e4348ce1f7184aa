//! Element-wise loops compiled twice: for the CPU the binary was built for (x86-64's
//! SSE2 baseline) and for AVX2, picked at run time. The forward pass's GELU and softmax
//! loops are 8 floats wide instead of 4 on any CPU of the last decade. Rust never fuses
//! `a·b + c` into one FMA on its own, so both versions give bit-identical results.

/// Whether this CPU runs the AVX2 versions (checked once, then cached by std).
#[inline]
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

/// Runs `body` compiled with AVX2 enabled when the CPU has it. `body` must be a
/// closure over plain loops: it is inlined into the AVX2 function, so its loops
/// vectorise with 256-bit registers.
#[inline(always)]
pub fn wide<R>(body: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the CPU supports AVX2 (checked just above), the only requirement of
        // calling a function compiled with `target_feature(enable = "avx2")`.
        return unsafe { avx2(body) };
    }
    body()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn avx2<R>(body: impl FnOnce() -> R) -> R {
    body()
}

/// `v = f(v)` for every value, AVX2-wide where available.
#[inline(always)]
pub fn map_in_place(values: &mut [f32], f: impl Fn(f32) -> f32 + Copy) {
    wide(|| values.iter_mut().for_each(|v| *v = f(*v)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_paths_give_the_same_bits() {
        let f = |x: f32| crate::model::bert::gelu(x) * 1.5 + 0.25;
        let mut wide_values: Vec<f32> = (0..1000).map(|i| (i as f32 - 500.0) * 0.037).collect();
        let plain: Vec<f32> = wide_values.iter().map(|&x| f(x)).collect();
        map_in_place(&mut wide_values, f);
        assert_eq!(
            wide_values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            plain.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }
}
