//! What the n × n score table costs: one layer's attention (scores, row softmax,
//! weighted sum of values) timed at growing sequence lengths on the backend in use.
//! On the GPU each call uploads, dispatches and reads back, so its time includes
//! the transfers; on the CPU it is the forward pass's own functions.

use web_time::Instant;

use ndarray::{Array2, s};

use super::{Engine, Ran};
use crate::model::numerics::matmul::mat_mul;
use crate::model::numerics::rng::SplitMix64;
use crate::model::numerics::softmax::softmax_rows_masked;

/// Sequence lengths measured, shortest first.
pub const LENGTHS: [usize; 8] = [16, 32, 64, 128, 256, 512, 1024, 2048];

/// One measured length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostSample {
    pub n: usize,
    /// Median seconds of one attention (all heads) over the timed runs.
    pub seconds: f64,
    /// Bytes of the score table, `heads × n × n` f32s.
    pub score_bytes: u64,
    /// Bytes of Q, K and V together, `3 × n × heads·d` f32s: linear in n.
    pub qkv_bytes: u64,
    pub ran: Ran,
}

/// Bytes of the `(heads × n × n)` score table.
pub fn score_bytes(n: usize, heads: usize) -> u64 {
    (heads as u64) * (n as u64) * (n as u64) * 4
}

/// One layer's attention on the CPU: per head `softmax(QKᵀ/√d)·V`; `q`, `k`, `v` are
/// `(n × heads·d)`, the result `(n × heads·d)`.
pub fn attention_cpu(
    q: &Array2<f32>,
    k: &Array2<f32>,
    v: &Array2<f32>,
    heads: usize,
) -> Array2<f32> {
    let n = q.nrows();
    let d = q.ncols() / heads.max(1);
    let scale = 1.0 / (d.max(1) as f32).sqrt();
    let mut out = Array2::zeros((n, heads * d));
    for h in 0..heads {
        let cols = s![.., h * d..(h + 1) * d];
        let mut w = mat_mul(&q.slice(cols), &k.slice(cols).t()) * scale; // (n × n)
        if let Some(flat) = w.as_slice_mut() {
            softmax_rows_masked(flat, n, None);
        }
        let ctx = mat_mul(&w.view(), &v.slice(cols)); // (n × d)
        out.slice_mut(cols).assign(&ctx);
    }
    out
}

/// The same on the GPU's kernels (`attention_scores`, `softmax`, `attention_context`).
/// Blocking (the browser awaits [`attention_gpu_async`]).
#[cfg(not(target_arch = "wasm32"))]
pub fn attention_gpu(
    ctx: &crate::gpu::GpuContext,
    q: &Array2<f32>,
    k: &Array2<f32>,
    v: &Array2<f32>,
    heads: usize,
) -> Result<Array2<f32>, String> {
    pollster::block_on(attention_gpu_async(ctx, q, k, v, heads))
}

/// [`attention_gpu`] as a future.
pub async fn attention_gpu_async(
    ctx: &crate::gpu::GpuContext,
    q: &Array2<f32>,
    k: &Array2<f32>,
    v: &Array2<f32>,
    heads: usize,
) -> Result<Array2<f32>, String> {
    let n = q.nrows();
    let d = q.ncols() / heads.max(1);
    let flat = |m: &Array2<f32>| m.iter().copied().collect::<Vec<f32>>();
    let scores = ctx
        .attention_scores_async(&flat(q), &flat(k), n, heads, d)
        .await
        .map_err(|e| e.to_string())?;
    let weights = ctx
        .softmax_rows_masked_async(&scores, n, None)
        .await
        .map_err(|e| e.to_string())?;
    let out = ctx
        .attention_context_async(&weights, &flat(v), n, heads, d, &[])
        .await
        .map_err(|e| e.to_string())?;
    Array2::from_shape_vec((n, heads * d), out).map_err(|e| e.to_string())
}

/// Times attention at length `n` with `heads` heads of width `d` on `engine`'s backend:
/// the median of up to 5 runs, fewer when one run takes over 0.3 s. Blocking.
#[cfg(not(target_arch = "wasm32"))]
pub fn measure(engine: &Engine, n: usize, heads: usize, d: usize) -> Result<CostSample, String> {
    pollster::block_on(measure_async(engine, n, heads, d))
}

/// [`measure`] as a future: in the browser the GPU's answers are awaited, and the
/// time measured includes that wait, as a learner's page would see it.
pub async fn measure_async(
    engine: &Engine,
    n: usize,
    heads: usize,
    d: usize,
) -> Result<CostSample, String> {
    let mut rng = SplitMix64::new(n as u64);
    let mut draw = || Array2::from_shape_simple_fn((n, heads * d), || rng.normal() as f32);
    let (q, k, v) = (draw(), draw(), draw());
    let gpu = engine.gpu_context();
    let mut times = Vec::new();
    let mut spent = 0.0;
    while times.len() < 5 && (times.len() < 2 || spent < 0.3) {
        let t = Instant::now();
        match &gpu {
            Some(ctx) => drop(attention_gpu_async(ctx, &q, &k, &v, heads).await?),
            None => drop(attention_cpu(&q, &k, &v, heads)),
        }
        let dt = t.elapsed().as_secs_f64();
        spent += dt;
        times.push(dt);
        if dt > 0.3 {
            break;
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(CostSample {
        n,
        seconds: times[times.len() / 2],
        score_bytes: score_bytes(n, heads),
        qkv_bytes: 3 * (n * heads * d * 4) as u64,
        ran: if gpu.is_some() { Ran::Gpu } else { Ran::Cpu },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_attention_is_the_masks_module_maths_per_head() {
        let mut rng = SplitMix64::new(5);
        let mut draw = || Array2::from_shape_simple_fn((7, 8), || rng.normal() as f32);
        let (q, k, v) = (draw(), draw(), draw());
        let out = attention_cpu(&q, &k, &v, 2);
        for h in 0..2 {
            let c = s![.., h * 4..(h + 1) * 4];
            let (qh, kh, vh) = (
                q.slice(c).to_owned(),
                k.slice(c).to_owned(),
                v.slice(c).to_owned(),
            );
            let w = crate::model::masks::attention_weights(&qh, &kh, 0.5, None);
            let want = mat_mul(&w.view(), &vh.view());
            let diff = (&out.slice(c) - &want)
                .iter()
                .fold(0.0f32, |m, d| m.max(d.abs()));
            assert!(diff < 1e-6);
        }
    }

    #[test]
    fn the_score_table_grows_as_n_squared_and_a_cpu_sample_is_timed() {
        assert_eq!(score_bytes(128, 4), 4 * 128 * 128 * 4);
        assert_eq!(score_bytes(256, 4), 4 * score_bytes(128, 4));
        let s = measure(&Engine::cpu(), 32, 2, 8).expect("cpu");
        assert_eq!(s.ran, Ran::Cpu);
        assert!(s.seconds > 0.0 && s.seconds.is_finite());
    }
}
