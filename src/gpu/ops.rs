//! The forward pass's building blocks on the GPU, each a WGSL kernel with a CPU twin:
//! `linear.wgsl` (x·Wᵀ + b, tiled), `layernorm.wgsl`, `gelu.wgsl`, attention, the
//! embedding look-up and the MLM head's top-k. One call uploads,
//! dispatches and reads back; parity tests compare each with its twin over odd sizes.

use eframe::egui_wgpu::wgpu;

use super::kernel::Kernel;
use super::{GpuContext, GpuError};
use crate::model::config::Activation;
use crate::model::trace::Prediction;

/// Workgroups per dispatch axis that WebGPU always allows.
pub(crate) const MAX_GROUPS: u32 = 65_535;

/// The kernels, built once per device.
pub struct Ops {
    pub(crate) linear: Kernel,
    pub(crate) layer_norm: Kernel,
    pub(crate) gelu: Kernel,
    pub(crate) scores: Kernel,
    pub(crate) context: Kernel,
    pub(crate) embed: Kernel,
    pub(crate) top_k: Kernel,
}

impl Ops {
    pub fn new(device: &wgpu::Device) -> Self {
        Self {
            linear: Kernel::new(
                device,
                "linear.wgsl",
                include_str!("shaders/linear.wgsl"),
                4,
            ),
            layer_norm: Kernel::new(
                device,
                "layernorm.wgsl",
                include_str!("shaders/layernorm.wgsl"),
                5,
            ),
            gelu: Kernel::new(device, "gelu.wgsl", include_str!("shaders/gelu.wgsl"), 2),
            scores: Kernel::new(
                device,
                "attention_scores.wgsl",
                include_str!("shaders/attention_scores.wgsl"),
                3,
            ),
            context: Kernel::new(
                device,
                "attention_context.wgsl",
                include_str!("shaders/attention_context.wgsl"),
                4,
            ),
            embed: Kernel::new(device, "embed.wgsl", include_str!("shaders/embed.wgsl"), 6),
            top_k: Kernel::new(
                device,
                "mlm_topk.wgsl",
                include_str!("shaders/mlm_topk.wgsl"),
                2,
            ),
        }
    }
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct FourU32([u32; 4]);

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct ScoreParams {
    n: u32,
    heads: u32,
    d: u32,
    scale: f32,
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct NormParams {
    rows: u32,
    cols: u32,
    eps: f32,
    rows_per_dispatch_x: u32,
    has_residual: u32,
    _pad: [u32; 3],
}

/// Workgroups for one thread per value, 256 per group, folded into two axes.
pub(crate) fn elementwise_groups(len: usize) -> [u32; 3] {
    let total = (len as u32).div_ceil(256).max(1);
    let gx = total.min(MAX_GROUPS);
    [gx, total.div_ceil(gx), 1]
}

/// `gelu.wgsl`'s code for an activation.
pub(crate) fn act_code(act: Activation) -> u32 {
    match act {
        Activation::Gelu => 0,
        Activation::GeluNew => 1,
        Activation::Relu => 2,
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

fn check_len(what: &str, got: usize, want: usize) -> Result<(), GpuError> {
    if got == want {
        Ok(())
    } else {
        Err(GpuError::Validation(format!(
            "{what} has {got} values, expected {want}"
        )))
    }
}

impl GpuContext {
    /// `x·Wᵀ + b`: `x` is `(rows × k)`, `w` is `(cols × k)`, `b` is `(cols)`;
    /// returns `(rows × cols)`. CPU twin: `Linear::forward`.
    pub fn linear(
        &self,
        x: &[f32],
        rows: usize,
        k: usize,
        w: &[f32],
        cols: usize,
        b: &[f32],
    ) -> Result<Vec<f32>, GpuError> {
        check_len("x", x.len(), rows * k)?;
        check_len("w", w.len(), cols * k)?;
        check_len("b", b.len(), cols)?;
        let groups = [(cols as u32).div_ceil(16), (rows as u32).div_ceil(16), 1];
        if groups[0] > MAX_GROUPS || groups[1] > MAX_GROUPS {
            return Err(GpuError::Validation(
                "matrix too large for one dispatch".to_owned(),
            ));
        }
        let params = FourU32([rows as u32, k as u32, cols as u32, 0]);
        self.run_once(
            &self.ops.linear,
            bytemuck::bytes_of(&params),
            &[x, w, b],
            rows * cols,
            groups,
        )
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
        let gx = (rows as u32).clamp(1, MAX_GROUPS);
        let params = NormParams {
            rows: rows as u32,
            cols: cols as u32,
            eps,
            rows_per_dispatch_x: gx,
            has_residual: u32::from(residual.is_some()),
            _pad: [0; 3],
        };
        let groups = [gx, (rows as u32).div_ceil(gx).max(1), 1];
        // Without a residual the binding is a one-float placeholder the kernel never reads.
        let residual = residual.unwrap_or(&[]);
        self.run_once(
            &self.ops.layer_norm,
            bytemuck::bytes_of(&params),
            &[x, residual, gamma, beta],
            rows * cols,
            groups,
        )
    }

    /// Exact GELU of every value. CPU twin: `bert::gelu`.
    pub fn gelu(&self, x: &[f32]) -> Result<Vec<f32>, GpuError> {
        self.activation(x, Activation::Gelu)
    }

    /// The FFN activation `act` of every value. CPU twins: `bert::gelu`,
    /// `bert::gelu_tanh`, ReLU.
    pub fn activation(&self, x: &[f32], act: Activation) -> Result<Vec<f32>, GpuError> {
        let groups = elementwise_groups(x.len());
        let params = FourU32([x.len() as u32, groups[0] * 256, act_code(act), 0]);
        self.run_once(
            &self.ops.gelu,
            bytemuck::bytes_of(&params),
            &[x],
            x.len(),
            groups,
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
        if rows as u32 > MAX_GROUPS {
            return Err(GpuError::Validation(
                "too many rows for one dispatch".to_owned(),
            ));
        }
        let params = FourU32([rows as u32, cols as u32, k as u32, 0]);
        let raw = self.run_once(
            &self.ops.top_k,
            bytemuck::bytes_of(&params),
            &[logits],
            rows * top_k_stride(k),
            [rows as u32, 1, 1],
        )?;
        Ok(raw
            .chunks_exact(top_k_stride(k))
            .map(|row| predictions_from_top_k(row, cols))
            .collect())
    }

    /// Raw scores `QKᵀ/√d` of every head: `q`, `k` are `(n × heads·d)`; returns
    /// `(heads × n × n)`. CPU twin: `SelfAttention::forward` (`scores`).
    pub fn attention_scores(
        &self,
        q: &[f32],
        k: &[f32],
        n: usize,
        heads: usize,
        d: usize,
    ) -> Result<Vec<f32>, GpuError> {
        check_len("q", q.len(), n * heads * d)?;
        check_len("k", k.len(), n * heads * d)?;
        let params = ScoreParams {
            n: n as u32,
            heads: heads as u32,
            d: d as u32,
            scale: 1.0 / (d.max(1) as f32).sqrt(),
        };
        let groups = [(n as u32).div_ceil(8), (n as u32).div_ceil(8), heads as u32];
        if groups.iter().any(|&g| g > MAX_GROUPS) {
            return Err(GpuError::Validation(
                "too many tokens or heads for one dispatch".to_owned(),
            ));
        }
        self.run_once(
            &self.ops.scores,
            bytemuck::bytes_of(&params),
            &[q, k],
            heads * n * n,
            groups,
        )
    }

    /// The heads' weighted sums of values side by side, `(n × heads·d)`; `weights` is
    /// `(heads × n × n)`, `v` is `(n × heads·d)`, heads in `ablated` give zeros.
    /// CPU twin: `SelfAttention::forward` (`merged`).
    pub fn attention_context(
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
        let params = FourU32([n as u32, heads as u32, d as u32, 0]);
        let groups = [
            ((heads * d) as u32).div_ceil(16),
            (n as u32).div_ceil(16),
            1,
        ];
        if groups.iter().any(|&g| g > MAX_GROUPS) {
            return Err(GpuError::Validation(
                "too many tokens for one dispatch".to_owned(),
            ));
        }
        self.run_once(
            &self.ops.context,
            bytemuck::bytes_of(&params),
            &[weights, v, &keep],
            n * heads * d,
            groups,
        )
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
        let params = FourU32([n as u32, hidden as u32, 0, 0]);
        let groups = [(hidden as u32).div_ceil(64), (n as u32).max(1), 1];
        self.run_once(
            &self.ops.embed,
            bytemuck::bytes_of(&params),
            &[word, position, segment, &ids_bits, &types_bits],
            4 * n * hidden,
            groups,
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
