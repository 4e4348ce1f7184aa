//! The linear product `y = x·Wᵀ + b` on the GPU in its three tilings (64×64, 32×64,
//! 32×64 split along K; [`Tile::for_shape`] picks one by shape): the kernels a
//! dispatch of each tiling runs, a one-shot call per tiling for the parity tests, and
//! the kernel timing `bench --matmul` prints.

use eframe::egui_wgpu::wgpu;

use super::kernels::linear::Tile;
use super::kernels::linear_split;
use super::ops::{Ops, check_len};
use super::pipeline::{Kernel, buffer_with, params_buffer};
use super::{GpuContext, GpuError};

impl Ops {
    /// The kernel of `tile` (split-K's first half).
    pub(crate) fn linear_kernel(&self, tile: Tile) -> &Kernel {
        match tile {
            Tile::Square64 => &self.linear,
            Tile::Rows32 => &self.linear_m32,
            Tile::SplitK => &self.linear_split,
        }
    }
}

impl GpuContext {
    /// `x·Wᵀ + b`: `x` is `(rows × k)`, `w` is `(cols × k)`, `b` is `(cols)`;
    /// returns `(rows × cols)`, with the tiling the forward pass picks for this shape.
    /// CPU twin: `Linear::forward`.
    pub fn linear(
        &self,
        x: &[f32],
        rows: usize,
        k: usize,
        w: &[f32],
        cols: usize,
        b: &[f32],
    ) -> Result<Vec<f32>, GpuError> {
        let tile = Tile::for_shape(rows, k, cols);
        self.linear_tiled(tile, x, rows, k, w, cols, b)
    }

    /// As [`GpuContext::linear`] with the tiling `tile` (each has a parity test).
    #[allow(clippy::too_many_arguments)]
    pub fn linear_tiled(
        &self,
        tile: Tile,
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
        let launch = tile.launch(rows, k, cols)?;
        if tile != Tile::SplitK {
            let kernel = self.ops.linear_kernel(tile);
            return self.launch(kernel, launch, &[x, w, b], rows * cols);
        }
        // `(slices × rows × cols)` partials, then their sum.
        let slices = linear_split::slices(k);
        let parts = self.launch(
            &self.ops.linear_split,
            launch,
            &[x, w],
            slices * rows * cols,
        )?;
        self.launch(
            &self.ops.linear_split_sum,
            linear_split::launch_sum(rows, k, cols),
            &[&parts, b],
            rows * cols,
        )
    }

    /// Kernel throughput of the `tile` tiling on `(rows × k) · (cols × k)ᵀ`: `reps`
    /// products recorded into one submission on buffers already on the device, timed
    /// from submit to completion. Returns seconds per product (for `bench --matmul`).
    pub fn time_linear(
        &self,
        tile: Tile,
        rows: usize,
        k: usize,
        cols: usize,
        reps: usize,
    ) -> Result<f64, GpuError> {
        let launch = tile.launch(rows, k, cols)?;
        let sum = linear_split::launch_sum(rows, k, cols);
        let device = &self.device;
        let filled = |len: usize, label: &str| {
            let data: Vec<f32> = (0..len).map(|i| ((i % 7) as f32 - 3.0) * 0.01).collect();
            buffer_with(device, label, &data, wgpu::BufferUsages::STORAGE)
        };
        let empty = |values: usize, label: &str| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: (values * 4).max(4) as u64,
                usage: wgpu::BufferUsages::STORAGE,
                mapped_at_creation: false,
            })
        };
        // Buffers and bind groups inside error scopes: a size the device cannot hold is
        // an error here, not a lost device later.
        let dispatches = self.scoped(|| {
            let params = params_buffer(device, &launch.params);
            let (x, w, b) = (
                filled(rows * k, "x"),
                filled(cols * k, "w"),
                filled(cols, "b"),
            );
            let y = empty(rows * cols, "y");
            let kernel = self.ops.linear_kernel(tile);
            let bind = |kernel: &Kernel, buffers: &[&wgpu::Buffer]| {
                kernel.bind(device, params.as_entire_binding(), buffers)
            };
            Ok(if tile == Tile::SplitK {
                let parts = empty(linear_split::slices(k) * rows * cols, "partials");
                let sum_kernel = &self.ops.linear_split_sum;
                vec![
                    (kernel, bind(kernel, &[&x, &w, &parts]), launch.groups),
                    (sum_kernel, bind(sum_kernel, &[&parts, &b, &y]), sum.groups),
                ]
            } else {
                vec![(kernel, bind(kernel, &[&x, &w, &b, &y]), launch.groups)]
            })
        })?;
        let record = |reps: usize| {
            let mut encoder = device.create_command_encoder(&Default::default());
            {
                let mut pass = encoder.begin_compute_pass(&Default::default());
                for _ in 0..reps {
                    for (kernel, bind, [gx, gy, gz]) in &dispatches {
                        pass.set_pipeline(&kernel.pipeline);
                        pass.set_bind_group(0, bind, &[]);
                        pass.dispatch_workgroups(*gx, *gy, *gz);
                    }
                }
            }
            encoder.finish()
        };
        // One warm-up product compiles and pages everything in.
        let warm = self.scoped(|| Ok(self.queue.submit([record(1)])))?;
        self.wait(warm)?;
        let commands = record(reps.max(1));
        let start = std::time::Instant::now();
        let done = self.queue.submit([commands]);
        self.wait(done)?;
        Ok(start.elapsed().as_secs_f64() / reps.max(1) as f64)
    }
}
