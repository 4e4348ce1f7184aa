//! `a · bᵀ` when `a` has few rows and `b` is a huge table: the MLM head's
//! `(tokens × hidden) · (vocab × hidden)ᵀ`, 30,522 rows of 128 floats for the built-in
//! model. General GEMM repacks the whole 15 MB table on every call and then runs at a
//! fraction of its speed on so few rows; this streams the table once instead.
//!
//! The table is walked in strips of 16 rows; each strip is transposed into a 16-wide
//! scratch `(hidden × 16)` that stays in L1 cache, and 4 tokens at a time accumulate
//! `4 × 16` outputs in registers, one fused multiply-add per element and step.

#[cfg(target_arch = "x86_64")]
use super::simd::has_avx2_fma;

/// Table rows per strip (two AVX registers).
const COLS: usize = 16;
/// Tokens accumulated together: enough independent sums to hide the add latency.
const ROWS: usize = 4;

/// `out = a · bᵀ` for row-major `a` `(m × k)`, `b` `(n × k)` and `out` `(m × n)`.
/// Returns `false` (and writes nothing) when the lengths do not match the shapes.
pub fn a_bt(a: &[f32], m: usize, k: usize, b: &[f32], n: usize, out: &mut [f32]) -> bool {
    if a.len() != m * k || b.len() != n * k || out.len() != m * n {
        return false;
    }
    if m == 0 || n == 0 {
        return true;
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA (checked just above), the only
        // requirement of calling a function compiled with those features.
        unsafe { kernel_avx2_fma(a, m, k, b, n, out) };
        return true;
    }
    // The last bits differ from the fused path, far below the 1e-4 the tests ask.
    kernel_portable(a, m, k, b, n, out);
    true
}

/// Fills `strip` `(k × COLS)` with rows `j0 ..` of `b` transposed; rows past the
/// table's end stay zero. Returns how many rows it took.
#[inline(always)]
fn load_strip(strip: &mut [f32], b: &[f32], k: usize, n: usize, j0: usize) -> usize {
    let width = COLS.min(n - j0);
    strip.fill(0.0);
    for l in 0..width {
        let row = &b[(j0 + l) * k..(j0 + l + 1) * k];
        for (c, &v) in row.iter().enumerate() {
            strip[c * COLS + l] = v;
        }
    }
    width
}

/// The `ROWS` rows of `a` from `i0`; rows past the end repeat the last one (their sums
/// are thrown away).
#[inline(always)]
fn rows_from(a: &[f32], m: usize, k: usize, i0: usize) -> [&[f32]; ROWS] {
    std::array::from_fn(|r| {
        let i = (i0 + r).min(m - 1);
        &a[i * k..(i + 1) * k]
    })
}

/// The AVX2 + FMA kernel: `4 × 16` sums in eight 256-bit registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn kernel_avx2_fma(a: &[f32], m: usize, k: usize, b: &[f32], n: usize, out: &mut [f32]) {
    use std::arch::x86_64::{
        __m256, _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_set1_ps, _mm256_setzero_ps,
        _mm256_storeu_ps,
    };
    let mut strip = vec![0.0f32; k * COLS]; // (k × COLS)
    for j0 in (0..n).step_by(COLS) {
        let width = load_strip(&mut strip, b, k, n, j0);
        for i0 in (0..m).step_by(ROWS) {
            let height = ROWS.min(m - i0);
            let rows = rows_from(a, m, k, i0);
            let mut acc: [[__m256; 2]; ROWS] = [[_mm256_setzero_ps(); 2]; ROWS];
            for (c, s) in strip.chunks_exact(COLS).enumerate() {
                // SAFETY: `s` holds COLS = 16 floats: two unaligned 8-float loads.
                let (s0, s1) = unsafe {
                    (
                        _mm256_loadu_ps(s.as_ptr()),
                        _mm256_loadu_ps(s.as_ptr().add(8)),
                    )
                };
                for (sums, row) in acc.iter_mut().zip(&rows) {
                    let x = _mm256_set1_ps(row[c]);
                    sums[0] = _mm256_fmadd_ps(x, s0, sums[0]);
                    sums[1] = _mm256_fmadd_ps(x, s1, sums[1]);
                }
            }
            for (r, sums) in acc.iter().enumerate().take(height) {
                let mut line = [0.0f32; COLS];
                // SAFETY: `line` holds 16 floats: two unaligned 8-float stores.
                unsafe {
                    _mm256_storeu_ps(line.as_mut_ptr(), sums[0]);
                    _mm256_storeu_ps(line.as_mut_ptr().add(8), sums[1]);
                }
                let at = (i0 + r) * n + j0;
                out[at..at + width].copy_from_slice(&line[..width]);
            }
        }
    }
}

/// The same blocking in plain Rust, for CPUs without AVX2 and FMA.
fn kernel_portable(a: &[f32], m: usize, k: usize, b: &[f32], n: usize, out: &mut [f32]) {
    let mut strip = vec![0.0f32; k * COLS]; // (k × COLS)
    for j0 in (0..n).step_by(COLS) {
        let width = load_strip(&mut strip, b, k, n, j0);
        for i0 in (0..m).step_by(ROWS) {
            let height = ROWS.min(m - i0);
            let rows = rows_from(a, m, k, i0);
            let mut acc = [[0.0f32; COLS]; ROWS];
            for (c, s) in strip.chunks_exact(COLS).enumerate() {
                for (sums, row) in acc.iter_mut().zip(&rows) {
                    let x = row[c];
                    for (sum, s) in sums.iter_mut().zip(s) {
                        *sum += x * s;
                    }
                }
            }
            for (r, sums) in acc.iter().enumerate().take(height) {
                let at = (i0 + r) * n + j0;
                out[at..at + width].copy_from_slice(&sums[..width]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_plain_triple_loop_on_ragged_sizes() {
        for (m, k, n) in [
            (1, 1, 1),
            (3, 5, 17),
            (4, 128, 16),
            (9, 33, 50),
            (32, 128, 1000),
        ] {
            let a: Vec<f32> = (0..m * k)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.01)
                .collect();
            let b: Vec<f32> = (0..n * k)
                .map(|i| ((i * 53 % 97) as f32 - 48.0) * 0.01)
                .collect();
            let mut out = vec![f32::NAN; m * n];
            assert!(a_bt(&a, m, k, &b, n, &mut out));
            for i in 0..m {
                for j in 0..n {
                    let want: f64 = (0..k)
                        .map(|c| a[i * k + c] as f64 * b[j * k + c] as f64)
                        .sum();
                    let got = out[i * n + j] as f64;
                    assert!(
                        (got - want).abs() < 1e-4,
                        "({m}×{k})·({n}×{k})ᵀ [{i},{j}]: {got} vs {want}"
                    );
                }
            }
        }
        assert!(!a_bt(&[1.0], 1, 2, &[1.0, 2.0], 1, &mut [0.0]));
    }
}
