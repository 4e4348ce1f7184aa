//! `llm-lens screenshot`: renders a lesson step offscreen (no window, no X server) with
//! the same `LensApp::ui` the window uses. Teachers use it for slides; tests use it to look.

use crate::app::{LensApp, Settings};
use crate::compute::{BackendChoice, Compute};
use crate::lessons::LessonId;
use crate::prose::ProseLibrary;
use eframe::egui_wgpu;
use egui_kittest::Harness;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ThemeChoice {
    Light,
    Dark,
}

#[derive(Debug, clap::Args)]
pub struct ScreenshotArgs {
    /// history, tokenisation, word2vec, attention, bert or playground.
    #[arg(long)]
    pub lesson: String,
    /// The step to show, counting from 1.
    #[arg(long, default_value_t = 1)]
    pub step: usize,
    /// Image size in pixels, WIDTHxHEIGHT.
    #[arg(long, default_value = "1280x800")]
    pub size: String,
    /// Where to write the PNG.
    #[arg(long)]
    pub out: PathBuf,
    /// The sentence the lessons work on (default: the app's default sentence).
    #[arg(long)]
    pub sentence: Option<String>,
    #[arg(long, value_enum, default_value_t = ThemeChoice::Light)]
    pub theme: ThemeChoice,
    /// Read lesson prose from this folder instead of the built-in text.
    #[arg(long, value_name = "DIR")]
    pub lessons: Option<PathBuf>,
    /// The compute backend shown in the status line.
    #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
    pub backend: BackendChoice,
    /// Seconds to let background work (training, loading) finish before the picture.
    #[arg(long, default_value_t = 0.0)]
    pub wait: f64,
}

/// Parses "1280x800"; each side 100–8192 pixels.
pub fn parse_size(s: &str) -> Result<[u32; 2], String> {
    let bad = || format!("--size must look like 1280x800 (got {s:?})");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    if !(100..=8192).contains(&w) || !(100..=8192).contains(&h) {
        return Err(format!(
            "--size {w}x{h} is out of range: each side must be 100–8192 pixels"
        ));
    }
    Ok([w, h])
}

pub fn run(args: &ScreenshotArgs) -> Result<(), String> {
    let lesson = LessonId::from_id(&args.lesson).ok_or_else(|| {
        let ids: Vec<&str> = LessonId::ALL.iter().map(|l| l.id()).collect();
        format!(
            "unknown lesson {:?}; choose one of: {}",
            args.lesson,
            ids.join(", ")
        )
    })?;
    let [w, h] = parse_size(&args.size)?;
    let prose = crate::cli::prose_from(args.lessons.as_deref());
    let count = prose.steps(lesson).len();
    if args.step == 0 || args.step > count {
        return Err(format!(
            "lesson {} has {count} steps: --step must be 1–{count}",
            lesson.id()
        ));
    }
    let mut settings = Settings {
        lesson,
        dark: args.theme == ThemeChoice::Dark,
        ..Settings::default()
    };
    if let Some(s) = &args.sentence {
        settings.sentence = s.clone();
    }
    settings.steps.insert(lesson.id().to_owned(), args.step - 1);
    let compute = Compute::blocking(args.backend);
    let wait = std::time::Duration::from_secs_f64(args.wait.clamp(0.0, 3600.0));
    let image = render_after(settings, prose, compute, [w, h], wait)?;
    image
        .save(&args.out)
        .map_err(|e| format!("could not write {}: {e}", args.out.display()))?;
    crate::outln!("wrote {} ({w}x{h})", args.out.display());
    Ok(())
}

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

/// As [`render_after`], calling `setup` with the harness's context before the first
/// frame (tests use it to give a lesson a small corpus); otherwise the same picture
/// the `screenshot` command takes.
pub fn render_with(
    settings: Settings,
    prose: ProseLibrary,
    compute: Compute,
    size: [u32; 2],
    wait: std::time::Duration,
    setup: impl FnOnce(&egui::Context),
) -> Result<image::RgbaImage, String> {
    let renderer = offscreen_renderer()?;
    let theme = if settings.dark {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    };
    let app = LensApp::new(settings, prose, compute);
    let mut harness = Harness::builder()
        .with_size([size[0] as f32, size[1] as f32])
        .with_pixels_per_point(1.0)
        .with_theme(theme)
        // The learner's text may hold characters no bundled font has: draw boxes, not panic.
        .allow_missing_glyphs()
        .renderer(renderer)
        .build_ui_state(|ui, app: &mut LensApp| app.ui(ui), app);
    setup(&harness.ctx);
    // A few frames let panels settle and the theme and zoom take effect.
    harness.run_steps(4);
    let start = std::time::Instant::now();
    while start.elapsed() < wait && harness.ctx.has_requested_repaint() {
        std::thread::sleep(std::time::Duration::from_millis(100));
        harness.run_steps(1);
    }
    harness.run_steps(2);
    harness.render()
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
