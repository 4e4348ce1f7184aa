//! `gelu.wgsl`: the FFN's activation, element-wise (exact GELU, its tanh form, ReLU).
//! CPU twins: `bert::gelu`, `bert::gelu_tanh`, ReLU.

use super::{KernelSpec, Launch, MAX_GROUPS, params};
use crate::model::bert::config::Activation;

pub const SOURCE: &str = include_str!("gelu.wgsl");
/// One thread per value.
pub const WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];
/// `x`, then the output `y`.
pub const STORAGE: usize = 2;

params! {
    pub struct GeluParams {
        pub len: u32,
        /// Threads per row of workgroups: value = `gid.x + gid.y · per_row`.
        pub per_row: u32,
        /// 0 exact GELU, 1 tanh GELU, 2 ReLU.
        pub act: u32,
        pub _pad: u32,
    }
}

pub const SPEC: KernelSpec =
    KernelSpec::new::<GeluParams>("gelu.wgsl", SOURCE, STORAGE, WORKGROUP_SIZE);

/// `act` over `len` values, the workgroups folded into two axes past [`MAX_GROUPS`].
pub(crate) fn launch(len: usize, act: Activation) -> Launch {
    let width = WORKGROUP_SIZE[0];
    let total = (len as u32).div_ceil(width).max(1);
    let gx = total.min(MAX_GROUPS);
    let params = GeluParams {
        len: len as u32,
        per_row: gx * width,
        act: match act {
            Activation::Gelu => 0,
            Activation::GeluNew => 1,
            Activation::Relu => 2,
        },
        _pad: 0,
    };
    Launch::new(&params, [gx, total.div_ceil(gx), 1])
}
