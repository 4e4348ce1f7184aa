//! `mlm_topk.wgsl`: the MLM head's `k` best predictions per row, without reading the
//! logits back. CPU twin: `bert::top_k_predictions`.

use super::{KernelSpec, Launch, params};
use crate::gpu::GpuError;

pub const SOURCE: &str = include_str!("mlm_topk.wgsl");
/// One workgroup per row; its threads stride over the row's logits.
pub const WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];
/// `logits`, then the output `out`.
pub const STORAGE: usize = 2;

params! {
    /// The `k` best of each of `rows` rows of `cols` logits.
    pub struct TopKParams {
        pub rows: u32,
        pub cols: u32,
        pub k: u32,
        pub _pad: u32,
    }
}

pub const SPEC: KernelSpec =
    KernelSpec::new::<TopKParams>("mlm_topk.wgsl", SOURCE, STORAGE, WORKGROUP_SIZE);

/// The `k` best of each of `rows` rows of `cols` logits: one workgroup per row.
pub(crate) fn launch(rows: usize, cols: usize, k: usize) -> Result<Launch, GpuError> {
    let params = TopKParams {
        rows: rows as u32,
        cols: cols as u32,
        k: k as u32,
        _pad: 0,
    };
    Launch::checked(&params, [(rows as u32).max(1), 1, 1])
}
