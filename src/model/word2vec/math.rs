//! The three numeric kernels word2vec spends its time in: a dot product, an
//! `axpy` (`y += a·x`), and the logistic sigmoid.
//!
//! The loops are written over chunks of 8 with separate accumulators so the
//! compiler can keep them in SIMD registers (float addition is not associative,
//! so it will not reorder a plain `sum()` for us).

use std::marker::PhantomData;
use std::sync::OnceLock;

const LANES: usize = 8;

/// `Σ a[i]·b[i]`. Both slices must have the same length.
///
/// ```
/// assert_eq!(llm_lens::model::word2vec::math::dot(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), 32.0);
/// ```
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len().min(b.len());
    // SAFETY: both slices hold at least `n` floats.
    unsafe { dot_ptr(a.as_ptr(), b.as_ptr(), n) }
}

/// [`dot`] through raw pointers, for rows of matrices other threads may be
/// writing (see [`Rows`]).
///
/// # Safety
/// `a` and `b` must be valid for reads of `n` floats.
#[inline(always)]
unsafe fn dot_ptr(a: *const f32, b: *const f32, n: usize) -> f32 {
    // Two independent 8-lane accumulators: one SIMD register each, and two
    // chains of additions in flight instead of one.
    let mut acc0 = [0.0f32; LANES];
    let mut acc1 = [0.0f32; LANES];
    // Fixed-size blocks: the compiler sees 16 floats read at once and emits
    // two 8-wide SIMD multiply-adds per iteration.
    let mut i = 0;
    while i + 2 * LANES <= n {
        // SAFETY: i + 16 <= n; `[f32; 16]` has the alignment of `f32`.
        let (x, y) = unsafe {
            (
                a.add(i).cast::<[f32; 2 * LANES]>().read(),
                b.add(i).cast::<[f32; 2 * LANES]>().read(),
            )
        };
        for l in 0..LANES {
            acc0[l] += x[l] * y[l];
            acc1[l] += x[LANES + l] * y[LANES + l];
        }
        i += 2 * LANES;
    }
    let mut tail = 0.0;
    while i < n {
        // SAFETY: i < n.
        tail += unsafe { a.add(i).read() * b.add(i).read() };
        i += 1;
    }
    for l in 0..LANES {
        acc0[l] += acc1[l];
    }
    // Pairwise reduction of the lanes.
    let s4 = [
        acc0[0] + acc0[4],
        acc0[1] + acc0[5],
        acc0[2] + acc0[6],
        acc0[3] + acc0[7],
    ];
    (s4[0] + s4[2]) + (s4[1] + s4[3]) + tail
}

/// Asks the CPU to start loading the `len` floats at `row` into cache. A hint
/// only: the rows of the negatives are random, so their first touch would
/// otherwise stall on memory (measured: most of a naive loop's time). Nothing
/// is read, so `row` need not be valid.
#[inline(always)]
pub fn prefetch(row: *const f32, len: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // 16 floats per 64-byte cache line.
        for i in (0..len).step_by(16) {
            // SAFETY: prefetching is a hint, it cannot fault; SSE is part of x86_64.
            #[allow(unused_unsafe)]
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(row.wrapping_add(i).cast());
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (row, len);
}

/// `y += a·x`.
///
/// ```
/// let mut y = [1.0, 1.0];
/// llm_lens::model::word2vec::math::axpy(2.0, &[3.0, 4.0], &mut y);
/// assert_eq!(y, [7.0, 9.0]);
/// ```
#[inline(always)]
pub fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    let n = x.len().min(y.len());
    // SAFETY: both slices hold at least `n` floats; `y` is borrowed exclusively.
    unsafe { axpy_ptr(a, x.as_ptr(), y.as_mut_ptr(), n) }
}

/// [`axpy`] through raw pointers, for rows of matrices other threads may be
/// writing (see [`Rows`]).
///
/// # Safety
/// `x` must be valid for reads and `y` for reads and writes of `n` floats.
#[inline(always)]
unsafe fn axpy_ptr(a: f32, x: *const f32, y: *mut f32, n: usize) {
    for i in 0..n {
        // SAFETY: i < n.
        unsafe { *y.add(i) += a * x.add(i).read() };
    }
}

/// A row-major `rows × dim` matrix of `f32` seen through a raw pointer: the
/// word2vec matrices that several training threads update at once (Hogwild,
/// see `trainer.rs`).
///
/// Why not slices: a `&mut [f32]` promises that nothing else touches that
/// memory while it lives (LLVM marks it `noalias`), and a `&[f32]` that nothing
/// changes it. Each worker holding its own `&mut` over the same matrix, or a
/// `&[f32]` over a row another worker writes, would break those promises:
/// undefined behaviour on top of the data race Hogwild accepts. So the training
/// loops and the kernels of [`Kernels`] take row pointers from this type and
/// read and write the shared floats through them, one `f32` (or one SIMD
/// vector) at a time; no reference to shared matrix memory is ever formed.
///
/// It is `Copy` and carries the lifetime of the borrow it came from, so it
/// cannot outlive the matrix. Making row pointers is safe; reading or writing
/// through them is `unsafe`, with this contract: every row index used is below
/// [`Rows::rows`], and while any copy is in use the matrix is accessed only
/// through copies of it (by this thread or, in the trainer, by other threads
/// racing Hogwild-style).
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a> {
    ptr: *mut f32,
    rows: usize,
    dim: usize,
    _matrix: PhantomData<&'a mut [f32]>,
}

impl<'a> Rows<'a> {
    /// Views `matrix` as rows of `dim` floats (a partial last row is ignored).
    pub fn new(matrix: &'a mut [f32], dim: usize) -> Rows<'a> {
        assert!(dim > 0, "dim must be positive");
        Rows {
            ptr: matrix.as_mut_ptr(),
            rows: matrix.len() / dim,
            dim,
            _matrix: PhantomData,
        }
    }

    pub fn rows(self) -> usize {
        self.rows
    }

    pub fn dim(self) -> usize {
        self.dim
    }

    /// Pointer to the first of the `dim` floats of row `t`, which must be below
    /// [`Rows::rows`] for the pointer to be usable (part of the type's contract;
    /// checked in debug builds). Not checked here: on the hottest path a check
    /// kept its panic's arguments alive and cost skip-gram 13 % of its time, so
    /// callers check their indices once instead ([`Rows::assert_rows`], the
    /// trainer's set-up).
    #[inline(always)]
    pub fn row(self, t: u32) -> *mut f32 {
        let t = t as usize;
        debug_assert!(t < self.rows, "row {t} out of {}", self.rows);
        self.ptr.wrapping_add(t * self.dim)
    }

    /// Panics, like slice indexing, if any of `ids` is not a row.
    pub fn assert_rows(self, ids: &[u32]) {
        if let Some(&t) = ids.iter().find(|&&t| t as usize >= self.rows) {
            panic!("row {t} out of {}", self.rows);
        }
    }

    /// A copy of the first `n` rows, row-major.
    ///
    /// # Safety
    /// The contract in the type's docs. If other threads write meanwhile, the
    /// copy may mix old and new values of a row (the Hogwild race), but no
    /// reference to the shared memory is formed.
    pub unsafe fn copy_rows(self, n: usize) -> Vec<f32> {
        assert!(n <= self.rows, "{n} rows out of {}", self.rows);
        let len = n * self.dim;
        let mut out = Vec::<f32>::with_capacity(len);
        // SAFETY: the source holds `rows * dim >= len` floats and `out` has room
        // for `len`; `out` is fresh, so the two do not overlap. `set_len` after
        // all `len` floats are written.
        unsafe {
            std::ptr::copy_nonoverlapping(self.ptr, out.as_mut_ptr(), len);
            out.set_len(len);
        }
        out
    }
}

/// Sigmoid and log-sigmoid by table lookup with linear interpolation.
///
/// word2vec.c and gensim use a 1000-entry table without interpolation (error
/// ~3e-3); calling `exp` and `ln` for every target would cost more than the
/// dot product itself. 4096 entries over [-8, 8] with interpolation keep the
/// error below 1e-6 inside the range, so the finite-difference gradient check
/// can test the very function training uses.
#[derive(Debug)]
pub struct SigmoidTable {
    sig: Vec<f32>,
    /// `softplus(-x) = -ln σ(x)`, the loss of a positive target with score x.
    nls: Vec<f32>,
}

/// Inputs beyond ±MAX are clamped: σ(8) = 0.99966, so the gradient error is < 4e-4·alpha.
pub const SIGMOID_MAX: f32 = 8.0;
const TABLE_SIZE: usize = 4096;
const SCALE: f32 = (TABLE_SIZE - 1) as f32 / (2.0 * SIGMOID_MAX);

impl SigmoidTable {
    fn new() -> SigmoidTable {
        let x = |i: usize| (i as f64 / SCALE as f64) - SIGMOID_MAX as f64;
        let sig = (0..TABLE_SIZE)
            .map(|i| (1.0 / (1.0 + (-x(i)).exp())) as f32)
            .collect();
        let nls = (0..TABLE_SIZE)
            .map(|i| ((-x(i)).exp().ln_1p()) as f32)
            .collect();
        SigmoidTable { sig, nls }
    }

    /// The shared table (built once, 32 KiB).
    pub fn get() -> &'static SigmoidTable {
        static TABLE: OnceLock<SigmoidTable> = OnceLock::new();
        TABLE.get_or_init(SigmoidTable::new)
    }

    #[inline(always)]
    fn lerp(table: &[f32], x: f32) -> f32 {
        let t = (x.clamp(-SIGMOID_MAX, SIGMOID_MAX) + SIGMOID_MAX) * SCALE;
        let i = (t as usize).min(TABLE_SIZE - 2);
        let frac = t - i as f32;
        let (a, b) = (table[i], table[i + 1]);
        a + frac * (b - a)
    }

    /// σ(x) = 1 / (1 + e^-x).
    #[inline(always)]
    pub fn sigmoid(&self, x: f32) -> f32 {
        Self::lerp(&self.sig, x)
    }

    /// −ln σ(x): the loss of a target with label 1 and score x.
    /// For label 0 use `neg_log_sigmoid(-x)`. Linear beyond the table, where
    /// −ln σ(x) ≈ −x.
    #[inline(always)]
    pub fn neg_log_sigmoid(&self, x: f32) -> f32 {
        if x < -SIGMOID_MAX {
            -x
        } else {
            Self::lerp(&self.nls, x)
        }
    }
}

/// The dot/axpy pair the training loops are generic over, so the same loop
/// compiles once portably and once with AVX2 + FMA (chosen at run time).
///
/// They take raw pointers, not slices, because their operands are rows of the
/// matrices that training threads share (see [`Rows`]).
pub trait Kernels: Copy {
    /// `Σ a[i]·b[i]` over `n` floats.
    ///
    /// # Safety
    /// `a` and `b` must be valid for reads of `n` floats.
    unsafe fn dot(self, a: *const f32, b: *const f32, n: usize) -> f32;
    /// `y += a·x` over `n` floats.
    ///
    /// # Safety
    /// `x` must be valid for reads and `y` for reads and writes of `n` floats.
    unsafe fn axpy(self, a: f32, x: *const f32, y: *mut f32, n: usize);
}

/// Plain Rust, any CPU.
#[derive(Debug, Clone, Copy, Default)]
pub struct Portable;

impl Kernels for Portable {
    #[inline(always)]
    unsafe fn dot(self, a: *const f32, b: *const f32, n: usize) -> f32 {
        // SAFETY: forwarded to the caller.
        unsafe { dot_ptr(a, b, n) }
    }
    #[inline(always)]
    unsafe fn axpy(self, a: f32, x: *const f32, y: *mut f32, n: usize) {
        // SAFETY: forwarded to the caller.
        unsafe { axpy_ptr(a, x, y, n) }
    }
}

/// AVX2 with fused multiply-add: 8 floats per instruction. A value of this
/// type exists only on a CPU that has both features (see [`Avx2Fma::detect`]).
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Clone, Copy)]
pub struct Avx2Fma(());

#[cfg(target_arch = "x86_64")]
impl Avx2Fma {
    /// `Some` when this CPU supports AVX2 and FMA (cached by std after the first call).
    #[inline(always)]
    pub fn detect() -> Option<Avx2Fma> {
        crate::model::numerics::simd::has_avx2_fma().then_some(Avx2Fma(()))
    }
}

#[cfg(target_arch = "x86_64")]
impl Kernels for Avx2Fma {
    #[inline(always)]
    unsafe fn dot(self, a: *const f32, b: *const f32, n: usize) -> f32 {
        // SAFETY: an `Avx2Fma` value proves the CPU has AVX2 and FMA; the
        // pointers are the caller's promise.
        unsafe { avx2::dot(a, b, n) }
    }
    #[inline(always)]
    unsafe fn axpy(self, a: f32, x: *const f32, y: *mut f32, n: usize) {
        // SAFETY: as above.
        unsafe { avx2::axpy(a, x, y, n) }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    /// # Safety
    /// The CPU must support AVX2 and FMA; `pa` and `pb` must be valid for
    /// reads of `n` floats.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot(pa: *const f32, pb: *const f32, n: usize) -> f32 {
        let mut acc0 = _mm256_setzero_ps();
        let mut acc1 = _mm256_setzero_ps();
        let mut i = 0;
        // SAFETY (all loads): i + 8 (or + 16) <= n.
        while i + 16 <= n {
            unsafe {
                acc0 =
                    _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), acc0);
                acc1 = _mm256_fmadd_ps(
                    _mm256_loadu_ps(pa.add(i + 8)),
                    _mm256_loadu_ps(pb.add(i + 8)),
                    acc1,
                );
            }
            i += 16;
        }
        if i + 8 <= n {
            unsafe {
                acc0 =
                    _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), acc0);
            }
            i += 8;
        }
        let s = _mm256_add_ps(acc0, acc1);
        let s4 = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps::<1>(s));
        let s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
        let s1 = _mm_add_ss(s2, _mm_shuffle_ps::<0x55>(s2, s2));
        let mut r = _mm_cvtss_f32(s1);
        while i < n {
            // SAFETY: i < n.
            r += unsafe { pa.add(i).read() * pb.add(i).read() };
            i += 1;
        }
        r
    }

    /// # Safety
    /// The CPU must support AVX2 and FMA; `px` must be valid for reads and
    /// `py` for reads and writes of `n` floats.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn axpy(a: f32, px: *const f32, py: *mut f32, n: usize) {
        let va = _mm256_set1_ps(a);
        let mut i = 0;
        while i + 8 <= n {
            // SAFETY: i + 8 <= n.
            unsafe {
                let v = _mm256_fmadd_ps(va, _mm256_loadu_ps(px.add(i)), _mm256_loadu_ps(py.add(i)));
                _mm256_storeu_ps(py.add(i), v);
            }
            i += 8;
        }
        while i < n {
            // SAFETY: i < n.
            unsafe { *py.add(i) += a * px.add(i).read() };
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "row 3 out of 3")]
    fn a_step_with_an_index_past_the_matrix_panics_like_slice_indexing() {
        let dim = 2;
        let (mut syn0, mut syn1) = (vec![0.1f32; 3 * dim], vec![0.0f32; 3 * dim]);
        let mut scratch = vec![0.0; dim];
        super::super::skipgram::step(&mut syn0, &mut syn1, dim, 0, 1, &[3], 0.1, &mut scratch);
    }

    #[test]
    fn indices_inside_the_matrix_pass_the_check() {
        let mut m = vec![0.0f32; 6];
        let rows = Rows::new(&mut m, 2);
        rows.assert_rows(&[0, 1, 2]);
        assert_eq!(rows.rows(), 3);
    }

    #[test]
    fn simd_kernels_agree_with_portable_ones() {
        #[cfg(target_arch = "x86_64")]
        if let Some(k) = Avx2Fma::detect() {
            for n in [0usize, 1, 7, 8, 9, 16, 17, 100, 300] {
                let a: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
                let b: Vec<f32> = (0..n).map(|i| (i as f32 * 0.11).cos()).collect();
                // SAFETY: every pointer below covers `n` floats of a live Vec.
                let (d1, d2) = unsafe {
                    (
                        Portable.dot(a.as_ptr(), b.as_ptr(), n),
                        k.dot(a.as_ptr(), b.as_ptr(), n),
                    )
                };
                assert!(
                    (d1 - d2).abs() <= 1e-5 * (1.0 + d1.abs()),
                    "n={n}: {d1} vs {d2}"
                );
                let (mut y1, mut y2) = (b.clone(), b.clone());
                unsafe {
                    Portable.axpy(0.3, a.as_ptr(), y1.as_mut_ptr(), n);
                    k.axpy(0.3, a.as_ptr(), y2.as_mut_ptr(), n);
                }
                for (p, q) in y1.iter().zip(&y2) {
                    assert!((p - q).abs() <= 1e-6, "n={n}");
                }
            }
        }
    }
}
