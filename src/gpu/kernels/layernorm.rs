//! `layernorm.wgsl`: LayerNorm of every row, optionally after adding a residual.
//! CPU twins: `LayerNorm::forward`, `ResidualOutput::forward`.

use super::{KernelSpec, Launch, params, row_groups};

pub const SOURCE: &str = include_str!("layernorm.wgsl");
/// One workgroup per row; its threads stride over the row's columns.
pub const WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];
/// `x`, `residual`, `gamma`, `beta`, then the output `y`.
pub const STORAGE: usize = 5;

params! {
    pub struct LayerNormParams {
        pub rows: u32,
        pub cols: u32,
        pub eps: f32,
        /// Workgroups along x: row = `wg.x + wg.y · rows_per_dispatch_x`.
        pub rows_per_dispatch_x: u32,
        /// 1 when `residual` is added first; else its binding is never read.
        pub has_residual: u32,
        pub _pad0: u32,
        pub _pad1: u32,
        pub _pad2: u32,
    }
}

pub const SPEC: KernelSpec =
    KernelSpec::new::<LayerNormParams>("layernorm.wgsl", SOURCE, STORAGE, WORKGROUP_SIZE);

/// `rows` rows of `cols`, after adding a residual when `residual`.
pub(crate) fn launch(rows: usize, cols: usize, eps: f32, residual: bool) -> Launch {
    let (gx, groups) = row_groups(rows);
    let params = LayerNormParams {
        rows: rows as u32,
        cols: cols as u32,
        eps,
        rows_per_dispatch_x: gx,
        has_residual: u32::from(residual),
        _pad0: 0,
        _pad1: 0,
        _pad2: 0,
    };
    Launch::new(&params, groups)
}
