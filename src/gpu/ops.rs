//! The forward pass's building blocks on the GPU, each a WGSL kernel with a CPU twin:
//! the linear tilings (their calls are in [`super::linear`]), `layernorm.wgsl`, `gelu.wgsl`, attention, the
//! embedding look-up and the MLM head's top-k. One call uploads,
//! dispatches and reads back; parity tests compare each with its twin over odd sizes.

use eframe::egui_wgpu::wgpu;

use super::kernels::{self, Launch};
use super::pipeline::Kernel;
use super::{GpuContext, GpuError};
use crate::model::bert::config::Activation;
use crate::model::bert::trace::Prediction;

/// The kernels, built once per device.
pub struct Ops {
    /// The linear tilings (see [`super::linear`]).
    pub(crate) linear: Kernel,
    /// `linear_m32.wgsl`, on `linear`'s bind group layout.
    pub(crate) linear_m32: Kernel,
    pub(crate) linear_split: Kernel,
    /// `linear_split_sum.wgsl`, on `linear_split`'s bind group layout.
    pub(crate) linear_split_sum: Kernel,
    pub(crate) layer_norm: Kernel,
    pub(crate) gelu: Kernel,
    pub(crate) scores: Kernel,
    pub(crate) context: Kernel,
    pub(crate) embed: Kernel,
    pub(crate) top_k: Kernel,
}

impl Ops {
    pub fn new(device: &wgpu::Device) -> Self {
        let linear = Kernel::new(device, &kernels::linear::SPEC);
        let split = Kernel::new(device, &kernels::linear_split::SPEC);
        Self {
            linear_split_sum: Kernel::sharing(device, &kernels::linear_split::SUM_SPEC, &split),
            linear_split: split,
            linear_m32: Kernel::sharing(device, &kernels::linear_m32::SPEC, &linear),
            linear,
            layer_norm: Kernel::new(device, &kernels::layernorm::SPEC),
            gelu: Kernel::new(device, &kernels::gelu::SPEC),
            scores: Kernel::new(device, &kernels::attention_scores::SPEC),
            context: Kernel::new(device, &kernels::attention_context::SPEC),
            embed: Kernel::new(device, &kernels::embed::SPEC),
            top_k: Kernel::new(device, &kernels::mlm_topk::SPEC),
        }
    }
}

/// Floats per row of `mlm_topk.wgsl`'s output: max, log-sum, then (id, logit) pairs.
pub(crate) fn top_k_stride(k: usize) -> usize {
    2 + 2 * k
}

/// Turns one row of `mlm_topk.wgsl`'s output into predictions; probabilities are
/// `exp(logit − max − log Σ exp)`, as the CPU twin computes them.
pub(crate) fn predictions_from_top_k(row: &[f32], cols: usize) -> Vec<Prediction> {
    let (max, log_sum) = (row[0] as f64, row[1] as f64);
    row[2..]
        .chunks_exact(2)
        .map(|p| (p[0].to_bits(), p[1]))
        .take_while(|&(id, _)| (id as usize) < cols)
        .map(|(id, logit)| Prediction {
            id,
            logit,
            prob: ((logit as f64 - max) - log_sum).exp() as f32,
        })
        .collect()
}

pub(crate) fn check_len(what: &str, got: usize, want: usize) -> Result<(), GpuError> {
    if got == want {
        Ok(())
    } else {
        Err(GpuError::Validation(format!(
            "{what} has {got} values, expected {want}"
        )))
    }
}

impl GpuContext {
    /// Runs `kernel` once as `launch` says, reading back `out_len` floats.
    pub(crate) fn launch(
        &self,
        kernel: &Kernel,
        launch: Launch,
        inputs: &[&[f32]],
        out_len: usize,
    ) -> Result<Vec<f32>, GpuError> {
        self.run_once(kernel, &launch.params, inputs, out_len, launch.groups)
    }

    /// LayerNorm of every row of `(rows × cols)`. CPU twin: `LayerNorm::forward`.
    pub fn layer_norm(
        &self,
        x: &[f32],
        cols: usize,
        gamma: &[f32],
        beta: &[f32],
        eps: f32,
    ) -> Result<Vec<f32>, GpuError> {
        self.norm(x, None, cols, gamma, beta, eps)
    }

    /// One `layernorm.wgsl` dispatch, with the residual added first when given.
    fn norm(
        &self,
        x: &[f32],
        residual: Option<&[f32]>,
        cols: usize,
        gamma: &[f32],
        beta: &[f32],
        eps: f32,
    ) -> Result<Vec<f32>, GpuError> {
        if cols == 0 {
            return Ok(Vec::new());
        }
        if let Some(r) = residual {
            check_len("residual", r.len(), x.len())?;
        }
        check_len("gamma", gamma.len(), cols)?;
        check_len("beta", beta.len(), cols)?;
        let rows = x.len() / cols;
        check_len("x", x.len(), rows * cols)?;
        // Without a residual the binding is a one-float placeholder the kernel never reads.
        let launch = kernels::layernorm::launch(rows, cols, eps, residual.is_some());
        let residual = residual.unwrap_or(&[]);
        self.launch(
            &self.ops.layer_norm,
            launch,
            &[x, residual, gamma, beta],
            rows * cols,
        )
    }

    /// Exact GELU of every value. CPU twin: `bert::gelu`.
    pub fn gelu(&self, x: &[f32]) -> Result<Vec<f32>, GpuError> {
        self.activation(x, Activation::Gelu)
    }

    /// The FFN activation `act` of every value. CPU twins: `bert::gelu`,
    /// `bert::gelu_tanh`, ReLU.
    pub fn activation(&self, x: &[f32], act: Activation) -> Result<Vec<f32>, GpuError> {
        self.launch(
            &self.ops.gelu,
            kernels::gelu::launch(x.len(), act),
            &[x],
            x.len(),
        )
    }

    /// The `k` best predictions of every row of `logits` `(rows × cols)`, as
    /// `(id, logit, probability)`, best first, ties to the lower id.
    /// CPU twin: `bert::top_k_predictions`.
    pub fn mlm_top_k(
        &self,
        logits: &[f32],
        cols: usize,
        k: usize,
    ) -> Result<Vec<Vec<Prediction>>, GpuError> {
        if cols == 0 || k == 0 {
            return Ok(Vec::new());
        }
        let rows = logits.len() / cols;
        check_len("logits", logits.len(), rows * cols)?;
        let k = k.min(cols);
        let raw = self.launch(
            &self.ops.top_k,
            kernels::mlm_topk::launch(rows, cols, k)?,
            &[logits],
            rows * top_k_stride(k),
        )?;
        Ok(raw
            .chunks_exact(top_k_stride(k))
            .map(|row| predictions_from_top_k(row, cols))
            .collect())
    }

    /// Raw scores `QKᵀ/√d` of every head: `q`, `k` are `(n × heads·d)`; returns
    /// `(heads × n × n)`. CPU twin: `SelfAttention::forward` (`scores`). Blocking.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn attention_scores(
        &self,
        q: &[f32],
        k: &[f32],
        n: usize,
        heads: usize,
        d: usize,
    ) -> Result<Vec<f32>, GpuError> {
        pollster::block_on(self.attention_scores_async(q, k, n, heads, d))
    }

    /// [`GpuContext::attention_scores`] as a future (the browser's attention-cost step).
    pub async fn attention_scores_async(
        &self,
        q: &[f32],
        k: &[f32],
        n: usize,
        heads: usize,
        d: usize,
    ) -> Result<Vec<f32>, GpuError> {
        check_len("q", q.len(), n * heads * d)?;
        check_len("k", k.len(), n * heads * d)?;
        let launch = kernels::attention_scores::launch(n, heads, d)?;
        self.run_once_async(
            &self.ops.scores,
            &launch.params,
            &[q, k],
            heads * n * n,
            launch.groups,
        )
        .await
    }

    /// The heads' weighted sums of values side by side, `(n × heads·d)`; `weights` is
    /// `(heads × n × n)`, `v` is `(n × heads·d)`, heads in `ablated` give zeros.
    /// CPU twin: `SelfAttention::forward` (`merged`). Blocking.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn attention_context(
        &self,
        weights: &[f32],
        v: &[f32],
        n: usize,
        heads: usize,
        d: usize,
        ablated: &[usize],
    ) -> Result<Vec<f32>, GpuError> {
        pollster::block_on(self.attention_context_async(weights, v, n, heads, d, ablated))
    }

    /// [`GpuContext::attention_context`] as a future (the browser's attention-cost step).
    pub async fn attention_context_async(
        &self,
        weights: &[f32],
        v: &[f32],
        n: usize,
        heads: usize,
        d: usize,
        ablated: &[usize],
    ) -> Result<Vec<f32>, GpuError> {
        check_len("weights", weights.len(), heads * n * n)?;
        check_len("v", v.len(), n * heads * d)?;
        let keep: Vec<f32> = (0..heads)
            .map(|h| if ablated.contains(&h) { 0.0 } else { 1.0 })
            .collect();
        let launch = kernels::attention_context::launch(n, heads, d)?;
        self.run_once_async(
            &self.ops.context,
            &launch.params,
            &[weights, v, &keep],
            n * heads * d,
            launch.groups,
        )
        .await
    }

    /// The token, position and segment embedding rows and their sum, four
    /// `(n × hidden)` slabs one after the other; tables are row-major `(rows × hidden)`.
    /// CPU twin: `Embeddings::forward` (`token`, `position`, `segment`, `sum`).
    #[allow(clippy::too_many_arguments)]
    pub fn embed(
        &self,
        word: &[f32],
        position: &[f32],
        segment: &[f32],
        hidden: usize,
        ids: &[u32],
        type_ids: &[u32],
    ) -> Result<Vec<f32>, GpuError> {
        let n = ids.len();
        check_len("type ids", type_ids.len(), n)?;
        if hidden == 0 {
            return Ok(Vec::new());
        }
        let rows = |t: &[f32]| t.len() / hidden;
        if ids.iter().any(|&i| i as usize >= rows(word))
            || type_ids.iter().any(|&i| i as usize >= rows(segment))
            || n > rows(position)
        {
            return Err(GpuError::Validation(
                "an id is outside its embedding table".to_owned(),
            ));
        }
        // The shader reads these as u32: pass the bits unchanged.
        let ids_bits: Vec<f32> = ids.iter().map(|&i| f32::from_bits(i)).collect();
        let types_bits: Vec<f32> = type_ids.iter().map(|&i| f32::from_bits(i)).collect();
        self.launch(
            &self.ops.embed,
            kernels::embed::launch(n, hidden),
            &[word, position, segment, &ids_bits, &types_bits],
            4 * n * hidden,
        )
    }

    /// Add & Norm: LayerNorm(`x` + `residual`) of every row of `(rows × cols)`.
    /// CPU twin: `ResidualOutput::forward`.
    pub fn add_layer_norm(
        &self,
        x: &[f32],
        residual: &[f32],
        cols: usize,
        gamma: &[f32],
        beta: &[f32],
        eps: f32,
    ) -> Result<Vec<f32>, GpuError> {
        self.norm(x, Some(residual), cols, gamma, beta, eps)
    }
}
