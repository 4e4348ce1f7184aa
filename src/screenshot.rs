//! Offscreen rendering: a lesson step drawn without a window or an X server, by the
//! same `LensApp::ui` the window uses. The `screenshot` command and the snapshot tests
//! both take their pictures here.

use crate::app::{LensApp, Settings};
use crate::compute::Compute;
use crate::prose::ProseLibrary;
use eframe::egui_wgpu;
use egui_kittest::Harness;

/// Renders the app with `settings` at `size` logical pixels (pixels-per-point 1).
pub fn render(
    settings: Settings,
    prose: ProseLibrary,
    compute: Compute,
    size: [u32; 2],
) -> Result<image::RgbaImage, String> {
    render_after(settings, prose, compute, size, std::time::Duration::ZERO)
}

/// As [`render`], first stepping frames for up to `wait` while the app keeps asking
/// for repaints (background work still running).
pub fn render_after(
    settings: Settings,
    prose: ProseLibrary,
    compute: Compute,
    size: [u32; 2],
    wait: std::time::Duration,
) -> Result<image::RgbaImage, String> {
    render_with(settings, prose, compute, size, wait, |_| {})
}

/// As [`render_after`], calling `setup` on the app before the first frame (tests use it
/// to give a lesson a small corpus); otherwise the same picture the `screenshot`
/// command takes.
pub fn render_with(
    settings: Settings,
    prose: ProseLibrary,
    compute: Compute,
    size: [u32; 2],
    wait: std::time::Duration,
    setup: impl FnOnce(&mut LensApp),
) -> Result<image::RgbaImage, String> {
    let size = egui::vec2(size[0] as f32, size[1] as f32);
    let mut harness = settled_harness(settings, prose, compute, size, wait, setup, LensApp::ui)?;
    harness.render()
}

/// Renders only the current step's live view ([`LensApp::view_ui`]), `width` logical
/// pixels wide and as tall as its content, after `setup` and up to `wait` for background
/// work. The snapshot tests of single views take their pictures here.
pub fn render_view(
    settings: Settings,
    prose: ProseLibrary,
    compute: Compute,
    width: u32,
    wait: std::time::Duration,
    setup: impl FnOnce(&mut LensApp),
) -> Result<image::RgbaImage, String> {
    let width = width as f32;
    let size = egui::vec2(width, 4000.0);
    let mut harness = settled_harness(
        settings,
        prose,
        compute,
        size,
        wait,
        setup,
        LensApp::view_ui,
    )?;
    // The view laid out at `width`, cut to what it drew (plus the harness's margin).
    let drawn = harness
        .state()
        .view_size()
        .unwrap_or(egui::vec2(width, 100.0));
    let height = (drawn.y + 16.0).ceil().clamp(16.0, 8000.0);
    harness.set_size(egui::vec2(width, height));
    harness.run_steps(2);
    harness.render()
}

/// An offscreen harness drawing `draw` at `size`, after `setup`, a few frames for the
/// panels, theme and zoom to settle, and up to `wait` while background work still asks
/// for frames.
fn settled_harness(
    settings: Settings,
    prose: ProseLibrary,
    compute: Compute,
    size: egui::Vec2,
    wait: std::time::Duration,
    setup: impl FnOnce(&mut LensApp),
    draw: fn(&mut LensApp, &mut egui::Ui),
) -> Result<Harness<'static, LensApp>, String> {
    let renderer = offscreen_renderer()?;
    let theme = if settings.dark {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    };
    let mut app = LensApp::new(settings, prose, compute);
    setup(&mut app);
    let mut harness = Harness::builder()
        .with_size(size)
        .with_pixels_per_point(1.0)
        .with_theme(theme)
        // The learner's text may hold characters no bundled font has: draw boxes, not panic.
        .allow_missing_glyphs()
        // The accessibility assertion is for tests (their own harness keeps it): in the
        // shipped `screenshot` it turned one unlabelled box into a panic.
        .with_accessibility_check(false)
        .renderer(renderer)
        .build_ui_state(move |ui, app: &mut LensApp| draw(app, ui), app);
    harness.run_steps(4);
    let start = std::time::Instant::now();
    while start.elapsed() < wait && harness.ctx.has_requested_repaint() {
        std::thread::sleep(std::time::Duration::from_millis(100));
        harness.run_steps(1);
    }
    harness.run_steps(2);
    Ok(harness)
}

/// A wgpu renderer for offscreen frames. Errors (no adapter at all) become a message
/// instead of the panic egui_kittest would raise.
pub fn offscreen_renderer() -> Result<egui_kittest::wgpu::WgpuTestRenderer, String> {
    let setup = egui_kittest::wgpu::default_wgpu_setup();
    let instance = pollster::block_on(setup.new_instance());
    let config = egui_wgpu::WgpuConfiguration {
        wgpu_setup: setup,
        ..Default::default()
    };
    let state = pollster::block_on(egui_wgpu::RenderState::create(&config, &instance, None, egui_wgpu::RendererOptions::PREDICTABLE))
        .map_err(|e| format!("no graphics adapter to render with ({e}); on Linux install mesa-vulkan-drivers for a software one"))?;
    Ok(egui_kittest::wgpu::WgpuTestRenderer::from_render_state(
        state,
    ))
}
