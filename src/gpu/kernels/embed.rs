//! `embed.wgsl`: the token, position and segment rows and their sum.
//! CPU twin: `Embeddings::forward`.

use super::{KernelSpec, Launch, params};

pub const SOURCE: &str = include_str!("embed.wgsl");
/// Columns along x; one row of workgroups per token.
pub const WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];
/// `word`, `position`, `segment`, `ids`, `type_ids`, then the output `parts`.
pub const STORAGE: usize = 6;

params! {
    /// `n` tokens of width `hidden`.
    pub struct EmbedParams {
        pub n: u32,
        pub hidden: u32,
        pub _pad0: u32,
        pub _pad1: u32,
    }
}

pub const SPEC: KernelSpec =
    KernelSpec::new::<EmbedParams>("embed.wgsl", SOURCE, STORAGE, WORKGROUP_SIZE);

/// `n` tokens of width `hidden`.
pub(crate) fn launch(n: usize, hidden: usize) -> Launch {
    let params = EmbedParams {
        n: n as u32,
        hidden: hidden as u32,
        _pad0: 0,
        _pad1: 0,
    };
    Launch::new(
        &params,
        [
            (hidden as u32).div_ceil(WORKGROUP_SIZE[0]).max(1),
            (n as u32).max(1),
            1,
        ],
    )
}
