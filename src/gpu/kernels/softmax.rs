//! `softmax.wgsl`: row-wise masked softmax, in place.
//! CPU twin: `crate::model::numerics::softmax::softmax_rows_masked`; runner: `gpu::softmax`.

use super::{KernelSpec, Launch, params, row_groups};

pub const SOURCE: &str = include_str!("softmax.wgsl");
/// One workgroup per row; its threads stride over the row's columns.
pub const WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];
/// `values` (read and written in place), then `mask`: unlike the other kernels the
/// writable buffer comes first, so `gpu::softmax` builds its own layout.
pub const STORAGE: usize = 2;

params! {
    pub struct SoftmaxParams {
        pub rows: u32,
        pub cols: u32,
        /// 0: every column counts; else `mask[c] == 0` marks padding.
        pub use_mask: u32,
        /// Workgroups along x: row = `wg.x + wg.y · rows_per_dispatch_x`.
        pub rows_per_dispatch_x: u32,
    }
}

pub const SPEC: KernelSpec =
    KernelSpec::new::<SoftmaxParams>("softmax.wgsl", SOURCE, STORAGE, WORKGROUP_SIZE);

/// `rows` rows of `cols`, honouring the mask when `masked`.
pub(crate) fn launch(rows: usize, cols: usize, masked: bool) -> Launch {
    let (gx, groups) = row_groups(rows);
    let params = SoftmaxParams {
        rows: rows as u32,
        cols: cols as u32,
        use_mask: u32::from(masked),
        rows_per_dispatch_x: gx,
    };
    Launch::new(&params, groups)
}
