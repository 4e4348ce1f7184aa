//! `attention_scores.wgsl`: every head's raw scores `QKᵀ/√d`, one thread per
//! (key, query, head). CPU twin: `SelfAttention::forward` (`scores`).

use super::{KernelSpec, Launch, params};
use crate::gpu::GpuError;

pub const SOURCE: &str = include_str!("attention_scores.wgsl");
/// Keys along x, queries along y, heads along z.
pub const WORKGROUP_SIZE: [u32; 3] = [8, 8, 1];
/// `q`, `k`, then the output `scores`.
pub const STORAGE: usize = 3;

params! {
    /// `n` tokens, `heads` heads of width `d`.
    pub struct ScoresParams {
        pub n: u32,
        pub heads: u32,
        pub d: u32,
        /// `1/√d`.
        pub scale: f32,
    }
}

pub const SPEC: KernelSpec =
    KernelSpec::new::<ScoresParams>("attention_scores.wgsl", SOURCE, STORAGE, WORKGROUP_SIZE);

/// `n` tokens, `heads` heads of width `d`.
pub(crate) fn launch(n: usize, heads: usize, d: usize) -> Result<Launch, GpuError> {
    let params = ScoresParams {
        n: n as u32,
        heads: heads as u32,
        d: d as u32,
        scale: 1.0 / (d.max(1) as f32).sqrt(),
    };
    let [wx, wy, _] = WORKGROUP_SIZE;
    Launch::checked(
        &params,
        [
            (n as u32).div_ceil(wx),
            (n as u32).div_ceil(wy),
            heads as u32,
        ],
    )
}
