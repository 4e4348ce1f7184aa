//! `llm-lens screenshot`: renders a lesson step to a PNG offscreen (no window, no X
//! server). Teachers use it for slides.

use crate::app::Settings;
use crate::compute::{BackendChoice, Compute};
use crate::lessons::LessonId;
use crate::model::text::quote::quote;
use crate::prose::ProseLibrary;
use crate::screenshot::render_after;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ThemeChoice {
    Light,
    Dark,
}

#[derive(Debug, clap::Args)]
pub struct ScreenshotArgs {
    #[arg(long, help = format!("The lesson: {}", LessonId::id_list()))]
    pub lesson: String,
    /// The step to show, counting from 1.
    #[arg(long, default_value_t = 1, conflicts_with = "view")]
    pub step: usize,
    /// Show the first step that draws this view (the names are listed in an error message
    /// and in lessons/README.md) instead of --step.
    #[arg(long, value_name = "NAME")]
    pub view: Option<String>,
    /// Image size in pixels, WIDTHxHEIGHT.
    #[arg(long, default_value = "1280x800")]
    pub size: String,
    /// Where to write the PNG.
    #[arg(long)]
    pub out: PathBuf,
    /// The sentence the lessons work on (default: the app's default sentence).
    #[arg(long, allow_hyphen_values = true)]
    pub sentence: Option<String>,
    #[arg(long, value_enum, default_value_t = ThemeChoice::Light)]
    pub theme: ThemeChoice,
    /// Read lesson prose from this folder instead of the built-in text.
    #[arg(long, value_name = "DIR")]
    pub lessons: Option<PathBuf>,
    /// The compute backend shown in the status line.
    #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
    pub backend: BackendChoice,
    /// Render the classroom stage (presentation mode): large type, the prose cut to its
    /// first sentence, no side panels or status line.
    #[arg(long)]
    pub present: bool,
    /// Draw the live model panel beside the lesson.
    #[arg(long, value_enum, value_name = "on|off", default_value_t = super::OnOff::On)]
    pub model_panel: super::OnOff,
    /// Seconds to let background work (training, loading) finish before the picture.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub wait: f64,
}

/// Parses "1280x800"; each side 100–8192 pixels.
pub fn parse_size(s: &str) -> Result<[u32; 2], String> {
    let bad = || format!("--size must look like 1280x800 (got {})", quote(s));
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
    let lesson = LessonId::parse_arg(&args.lesson)?;
    let [w, h] = parse_size(&args.size)?;
    let wait = parse_wait(args.wait)?;
    check_png_path(&args.out)?;
    let prose = ProseLibrary::from_dir_or_builtin(args.lessons.as_deref());
    let count = prose.steps(lesson).len();
    let step = match &args.view {
        Some(view) => step_of_view(&prose, lesson, view)?,
        None if args.step == 0 || args.step > count => {
            return Err(format!(
                "lesson {} has {count} steps: --step must be 1–{count}",
                lesson.id()
            ));
        }
        None => args.step,
    };
    let mut settings = Settings {
        lesson,
        dark: args.theme == ThemeChoice::Dark,
        model_panel: args.model_panel == super::OnOff::On,
        presentation: args.present,
        ..Settings::default()
    };
    if let Some(s) = &args.sentence {
        settings.sentence = s.clone();
    }
    settings.steps.insert(lesson.id().to_owned(), step - 1);
    let compute = Compute::blocking(args.backend);
    let image = render_after(settings, prose, compute, [w, h], wait)?;
    image
        .save(&args.out)
        .map_err(|e| format!("could not write {}: {e}", args.out.display()))?;
    crate::outln!("wrote {} ({w}x{h})", args.out.display());
    Ok(())
}

/// `--wait` as a duration: 0–3600 seconds (NaN passed a clamp and panicked in
/// `Duration`, so it is refused here).
fn parse_wait(seconds: f64) -> Result<std::time::Duration, String> {
    if !(0.0..=3600.0).contains(&seconds) {
        return Err(format!("--wait must be 0–3600 seconds (got {seconds})"));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// Only PNG is written: any other name is refused before rendering, not after.
fn check_png_path(out: &std::path::Path) -> Result<(), String> {
    match out.extension() {
        Some(x) if x.eq_ignore_ascii_case("png") => Ok(()),
        _ => Err(format!(
            "--out {} must end in .png (screenshots are PNG only)",
            quote(&out.display().to_string())
        )),
    }
}

/// The first step (counting from 1) of `lesson` whose view is `view`.
fn step_of_view(prose: &ProseLibrary, lesson: LessonId, view: &str) -> Result<usize, String> {
    let names = crate::lessons::view_names(lesson);
    let shown = quote(view);
    if !names.contains(&view) {
        return Err(format!(
            "lesson {} has no view {shown}; its views are: {}",
            lesson.id(),
            names.join(", ")
        ));
    }
    prose
        .steps(lesson)
        .iter()
        .position(|s| s.view.as_deref() == Some(view))
        .map(|i| i + 1)
        .ok_or_else(|| format!("no step of lesson {} shows the view {shown}", lesson.id()))
}
