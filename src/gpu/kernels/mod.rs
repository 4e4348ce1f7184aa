//! The WGSL compute kernels, one module beside each shader: `<name>.rs` holds the Rust
//! mirror of `<name>.wgsl`'s `struct Params`, the workgroup size, the number of storage
//! bindings, the source (included once, here) and the launch that fills the parameters
//! and counts workgroups. `tests/wgsl.rs` checks every mirror against the shader with
//! naga, so a field added on one side only fails a test instead of shifting the others.
//!
//! Every kernel binds its parameters as a uniform at binding 0 and its storage buffers
//! at 1.., and its entry point is `main`.

pub mod attention_context;
pub mod attention_scores;
pub mod embed;
pub mod gelu;
pub mod layernorm;
pub mod linear;
pub mod linear_m32;
pub mod linear_split;
pub mod mlm_topk;
pub mod softmax;

use super::GpuError;

/// Workgroups per dispatch axis that WebGPU always allows.
pub(crate) const MAX_GROUPS: u32 = 65_535;

/// Bytes of the largest parameter block; every launch pads its block to this, so one
/// binding size fits every kernel (the forward pass packs them into one buffer).
pub const MAX_PARAM_BYTES: usize = 32;

/// One field of a parameter block: its name and type as WGSL spells them, and its byte
/// offset in the Rust struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamField {
    pub name: &'static str,
    pub ty: &'static str,
    pub offset: usize,
}

/// A kernel's parameter block: a `#[repr(C)]` plain-old-data mirror of its WGSL
/// `struct Params`, declared with `params!` so the field
/// list cannot drift from the struct.
pub trait Params: bytemuck::Pod {
    /// The fields in declaration order.
    const FIELDS: &'static [ParamField];
}

/// Declares a parameter block: the `#[repr(C)]` `Pod` struct, its [`Params`] field
/// table, and a compile-time check that it fits in [`MAX_PARAM_BYTES`].
macro_rules! params {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[repr(C)]
        #[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty ),*
        }

        impl $crate::gpu::kernels::Params for $name {
            const FIELDS: &'static [$crate::gpu::kernels::ParamField] = &[
                $( $crate::gpu::kernels::ParamField {
                    name: stringify!($field),
                    ty: stringify!($ty),
                    offset: std::mem::offset_of!($name, $field),
                } ),*
            ];
        }

        const _: () = assert!(
            size_of::<$name>() <= $crate::gpu::kernels::MAX_PARAM_BYTES,
            "a parameter block is larger than MAX_PARAM_BYTES"
        );
    };
}
pub(crate) use params;

/// What a test needs to hold a kernel's Rust side against its WGSL (and what
/// [`Kernel::new`](super::pipeline::Kernel::new) needs to build it).
#[derive(Debug, Clone, Copy)]
pub struct KernelSpec {
    /// The shader's file name, also the pipeline's label.
    pub file: &'static str,
    pub source: &'static str,
    /// Storage buffers at bindings 1..=`storage`, after the uniform parameters.
    pub storage: usize,
    /// The entry point's `@workgroup_size`, missing axes as 1.
    pub workgroup_size: [u32; 3],
    /// `size_of` the Rust parameter struct.
    pub params_size: usize,
    pub params_fields: &'static [ParamField],
    /// WGSL `const`s (all `u32`) that the Rust launch relies on too, with their values.
    pub shared_consts: &'static [(&'static str, u32)],
}

impl KernelSpec {
    /// The spec of a kernel whose parameters are `P`.
    pub(crate) const fn new<P: Params>(
        file: &'static str,
        source: &'static str,
        storage: usize,
        workgroup_size: [u32; 3],
    ) -> Self {
        Self {
            file,
            source,
            storage,
            workgroup_size,
            params_size: size_of::<P>(),
            params_fields: P::FIELDS,
            shared_consts: &[],
        }
    }
}

/// Every kernel, so tests can check each against its shader.
pub const ALL: &[KernelSpec] = &[
    attention_context::SPEC,
    attention_scores::SPEC,
    embed::SPEC,
    gelu::SPEC,
    layernorm::SPEC,
    linear::SPEC,
    linear_m32::SPEC,
    linear_split::SPEC,
    linear_split::SUM_SPEC,
    mlm_topk::SPEC,
    softmax::SPEC,
];

/// A parameter block (zero-padded to [`MAX_PARAM_BYTES`]) and the workgroups to
/// dispatch: the one form every kernel's launch takes, so a single call (`ops.rs`,
/// `softmax.rs`) and the whole forward pass (`forward.rs`) launch the same way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Launch {
    pub params: [u8; MAX_PARAM_BYTES],
    pub groups: [u32; 3],
}

impl Launch {
    /// `params` as bytes with `groups`, for a dispatch that cannot exceed
    /// [`MAX_GROUPS`] by construction.
    pub(crate) fn new<P: Params>(params: &P, groups: [u32; 3]) -> Self {
        let bytes = bytemuck::bytes_of(params);
        let mut block = [0u8; MAX_PARAM_BYTES];
        // `params!` asserts at compile time that every block fits.
        block[..bytes.len()].copy_from_slice(bytes);
        Self {
            params: block,
            groups,
        }
    }

    /// As [`Launch::new`], refusing more than [`MAX_GROUPS`] workgroups on any axis
    /// (WebGPU would reject the dispatch later, with a less helpful message).
    pub(crate) fn checked<P: Params>(params: &P, groups: [u32; 3]) -> Result<Self, GpuError> {
        if groups.iter().any(|&g| g > MAX_GROUPS) {
            return Err(GpuError::TooLarge(
                "too many workgroups for one dispatch".to_owned(),
            ));
        }
        Ok(Self::new(params, groups))
    }
}

/// One workgroup per row, rows spread over two axes (so more than [`MAX_GROUPS`] rows
/// still fit): the first axis's length, which the kernel needs to rebuild the row
/// index, and the groups.
pub(crate) fn row_groups(rows: usize) -> (u32, [u32; 3]) {
    let gx = (rows as u32).clamp(1, MAX_GROUPS);
    (gx, [gx, (rows as u32).div_ceil(gx).max(1), 1])
}
