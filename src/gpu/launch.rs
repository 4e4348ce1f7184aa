//! Each kernel's parameter block and workgroup count, in one place, so a single call
//! (`ops.rs`, the parity tests) and the whole forward pass (`forward.rs`) launch the
//! kernels the same way.

use super::GpuError;
use crate::model::bert::config::Activation;

/// Workgroups per dispatch axis that WebGPU always allows.
pub(crate) const MAX_GROUPS: u32 = 65_535;

/// Output tile edge of `linear.wgsl`: one workgroup computes a `TILE × TILE` block.
pub(crate) const LINEAR_TILE: u32 = 64;

/// A parameter block (padded to 32 bytes) and the workgroups to dispatch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Launch {
    pub params: [u8; 32],
    pub groups: [u32; 3],
}

fn block(words: [u32; 8]) -> [u8; 32] {
    bytemuck::cast(words)
}

fn checked(params: [u8; 32], groups: [u32; 3]) -> Result<Launch, GpuError> {
    if groups.iter().any(|&g| g > MAX_GROUPS) {
        return Err(GpuError::TooLarge(
            "too many workgroups for one dispatch".to_owned(),
        ));
    }
    Ok(Launch { params, groups })
}

/// Rows spread over two axes, one workgroup each.
fn row_groups(rows: usize) -> (u32, [u32; 3]) {
    let gx = (rows as u32).clamp(1, MAX_GROUPS);
    (gx, [gx, (rows as u32).div_ceil(gx).max(1), 1])
}

/// `linear.wgsl`: `(rows × k) · (cols × k)ᵀ + b`.
pub(crate) fn linear(rows: usize, k: usize, cols: usize) -> Result<Launch, GpuError> {
    checked(
        block([rows as u32, k as u32, cols as u32, 0, 0, 0, 0, 0]),
        [
            (cols as u32).div_ceil(LINEAR_TILE),
            (rows as u32).div_ceil(LINEAR_TILE),
            1,
        ],
    )
}

/// `layernorm.wgsl` over `rows` rows of `cols`, after adding a residual when `residual`.
pub(crate) fn layer_norm(rows: usize, cols: usize, eps: f32, residual: bool) -> Launch {
    let (gx, groups) = row_groups(rows);
    Launch {
        params: block([
            rows as u32,
            cols as u32,
            eps.to_bits(),
            gx,
            u32::from(residual),
            0,
            0,
            0,
        ]),
        groups,
    }
}

/// `softmax.wgsl` over `rows` rows of `cols`.
pub(crate) fn softmax(rows: usize, cols: usize, masked: bool) -> Launch {
    let (gx, groups) = row_groups(rows);
    Launch {
        params: block([rows as u32, cols as u32, u32::from(masked), gx, 0, 0, 0, 0]),
        groups,
    }
}

/// `gelu.wgsl` over `len` values.
pub(crate) fn activation(len: usize, act: Activation) -> Launch {
    let total = (len as u32).div_ceil(256).max(1);
    let gx = total.min(MAX_GROUPS);
    let code = match act {
        Activation::Gelu => 0,
        Activation::GeluNew => 1,
        Activation::Relu => 2,
    };
    Launch {
        params: block([len as u32, gx * 256, code, 0, 0, 0, 0, 0]),
        groups: [gx, total.div_ceil(gx), 1],
    }
}

/// `attention_scores.wgsl`: `n` tokens, `heads` heads of width `d`.
pub(crate) fn scores(n: usize, heads: usize, d: usize) -> Result<Launch, GpuError> {
    let scale = 1.0 / (d.max(1) as f32).sqrt();
    checked(
        block([
            n as u32,
            heads as u32,
            d as u32,
            scale.to_bits(),
            0,
            0,
            0,
            0,
        ]),
        [(n as u32).div_ceil(8), (n as u32).div_ceil(8), heads as u32],
    )
}

/// `attention_context.wgsl`: `n` tokens, `heads` heads of width `d`.
pub(crate) fn context(n: usize, heads: usize, d: usize) -> Result<Launch, GpuError> {
    checked(
        block([n as u32, heads as u32, d as u32, 0, 0, 0, 0, 0]),
        [
            ((heads * d) as u32).div_ceil(16),
            (n as u32).div_ceil(16),
            1,
        ],
    )
}

/// `embed.wgsl`: `n` tokens of width `hidden`.
pub(crate) fn embed(n: usize, hidden: usize) -> Launch {
    Launch {
        params: block([n as u32, hidden as u32, 0, 0, 0, 0, 0, 0]),
        groups: [(hidden as u32).div_ceil(64).max(1), (n as u32).max(1), 1],
    }
}

/// `mlm_topk.wgsl`: the `k` best of each of `rows` rows of `cols` logits.
pub(crate) fn top_k(rows: usize, cols: usize, k: usize) -> Result<Launch, GpuError> {
    checked(
        block([rows as u32, cols as u32, k as u32, 0, 0, 0, 0, 0]),
        [(rows as u32).max(1), 1, 1],
    )
}
