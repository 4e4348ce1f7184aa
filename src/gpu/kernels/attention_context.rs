//! `attention_context.wgsl`: the heads' weighted sums of values side by side, an
//! ablated head giving zeros. CPU twin: `SelfAttention::forward` (`merged`).

use super::{KernelSpec, Launch, params};
use crate::gpu::GpuError;

pub const SOURCE: &str = include_str!("attention_context.wgsl");
/// Output columns (`heads · d`) along x, tokens along y.
pub const WORKGROUP_SIZE: [u32; 3] = [16, 16, 1];
/// `weights`, `v`, `keep`, then the output `merged`.
pub const STORAGE: usize = 4;

params! {
    /// `n` tokens, `heads` heads of width `d`.
    pub struct ContextParams {
        pub n: u32,
        pub heads: u32,
        pub d: u32,
        pub _pad: u32,
    }
}

pub const SPEC: KernelSpec =
    KernelSpec::new::<ContextParams>("attention_context.wgsl", SOURCE, STORAGE, WORKGROUP_SIZE);

/// `n` tokens, `heads` heads of width `d`.
pub(crate) fn launch(n: usize, heads: usize, d: usize) -> Result<Launch, GpuError> {
    let params = ContextParams {
        n: n as u32,
        heads: heads as u32,
        d: d as u32,
        _pad: 0,
    };
    let [wx, wy, _] = WORKGROUP_SIZE;
    Launch::checked(
        &params,
        [
            ((heads * d) as u32).div_ceil(wx),
            (n as u32).div_ceil(wy),
            1,
        ],
    )
}
