//! The command line. With no subcommand `llm-lens` opens the app; each subcommand lives
//! in its own file here and returns `Err(message)` for `main` to print as one line.

/// `println!` that never panics: when stdout is a closed pipe (`llm-lens trace … | head`),
/// output simply stops instead of aborting with "failed printing to stdout".
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

use crate::app::LensApp;
use crate::compute::{BackendChoice, Compute};
use crate::lesson_id::LessonId;
use crate::prose::ProseLibrary;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

pub mod bench;
pub mod bench_matmul;
pub mod bench_profile;
pub mod bpe_train;
pub mod fill_mask;
pub mod model_arg;
pub mod neighbours;
pub mod plot_run;
pub mod rnn_grad;
pub mod screenshot;
pub mod text_input;
pub mod tokenize;
pub mod trace;
pub mod train_bert;
pub mod word2vec;

#[derive(Debug, Parser)]
#[command(
    name = "llm-lens",
    version,
    about = "A desktop app that teaches how large language models work."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Read lesson prose from this folder (one <lesson>.md per lesson) instead of the built-in text.
    #[arg(long, value_name = "DIR")]
    pub lessons: Option<PathBuf>,
    /// Where the live transformer runs: a real GPU when there is one (auto), the CPU, or any GPU adapter.
    #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
    pub backend: BackendChoice,
    #[arg(long, help = format!("Open at this lesson: {}", LessonId::id_list()))]
    pub lesson: Option<String>,
    /// Open at this step of the lesson, counting from 1.
    #[arg(long, requires = "lesson")]
    pub step: Option<usize>,
    /// Start with this sentence instead of the remembered one.
    #[arg(long, allow_hyphen_values = true)]
    pub sentence: Option<String>,
    /// Measure frame times (600 frames after a warm-up), write them to FILE and close.
    #[arg(long, value_name = "FILE")]
    pub frame_log: Option<PathBuf>,
    /// With --frame-log: type TEXT into the sentence box while measuring, about 10
    /// characters a second, to measure frames and the live model's updates while typing.
    #[arg(long, value_name = "TEXT", requires = "frame_log")]
    pub frame_log_type: Option<String>,
    /// Show the live model panel beside the lessons (default: as last left, on at first).
    #[arg(long, value_enum, value_name = "on|off")]
    pub model_panel: Option<OnOff>,
}

/// A switch on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render one lesson step to a PNG without opening a window.
    Screenshot(screenshot::ScreenshotArgs),
    /// Tokenise text with any of the lesson's tokenisers and print ids, tokens and offsets.
    Tokenize(tokenize::TokenizeArgs),
    /// Train byte-level BPE on a text file and write its merges.
    BpeTrain(bpe_train::BpeTrainArgs),
    /// Run a BERT model folder on a sentence and print every tensor of its forward pass.
    Trace(trace::TraceArgs),
    /// Gradient norms through time of a vanilla RNN or an LSTM (vanishing/exploding gradients).
    RnnGrad(rnn_grad::RnnGradArgs),
    /// Train word2vec (skip-gram or CBOW) on the built-in corpus or a text file.
    Word2vec(word2vec::Word2vecArgs),
    /// Nearest neighbours of a word in a word2vec (text or binary) or GloVe file.
    Neighbours(neighbours::NeighboursArgs),
    /// Time the transformer's forward pass (with the full trace) and print median and p95.
    Bench(bench::BenchArgs),
    /// Print a BERT's best guesses for every [MASK] in a text.
    FillMask(fill_mask::FillMaskArgs),
    /// Score a BERT's masked-word guesses and NSP on the held-out addresses.
    EvalMlm(fill_mask::EvalMlmArgs),
    /// Plot a train-bert run's log.csv and eval.csv as PNG charts.
    PlotRun(plot_run::PlotRunArgs),
    /// Pre-train a small BERT (masked words + next sentence) and write a Hugging Face folder.
    TrainBert(train_bert::TrainBertArgs),
}

pub fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        None => run_app(cli),
        Some(Command::Screenshot(args)) => screenshot::run(&args),
        Some(Command::RnnGrad(args)) => rnn_grad::run(&args),
        Some(Command::Trace(args)) => trace::run(&args),
        Some(Command::Tokenize(args)) => tokenize::run(&args),
        Some(Command::BpeTrain(args)) => bpe_train::run(&args),
        Some(Command::Word2vec(args)) => word2vec::run(&args),
        Some(Command::Neighbours(args)) => neighbours::run(&args),
        Some(Command::Bench(args)) => bench::run(&args),
        Some(Command::TrainBert(args)) => train_bert::run(&args),
        Some(Command::FillMask(args)) => fill_mask::fill_mask(&args),
        Some(Command::EvalMlm(args)) => fill_mask::eval_mlm(&args),
        Some(Command::PlotRun(args)) => plot_run::run(&args),
    }
}

fn run_app(cli: Cli) -> Result<(), String> {
    let prose = ProseLibrary::from_dir_or_builtin(cli.lessons.as_deref());
    let backend = cli.backend;
    let start_at = match &cli.lesson {
        Some(id) => Some((LessonId::parse_arg(id)?, cli.step.unwrap_or(1))),
        None => None,
    };
    let frame_log = cli.frame_log.clone();
    let typing = cli.frame_log_type.clone().unwrap_or_default();
    let sentence = cli.sentence.clone();
    let notice = crate::settings_file::check("llm-lens");
    if let Some(n) = &notice {
        eprintln!("llm-lens: {n}");
    }
    let model_panel = cli.model_panel;
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("LLM Lens")
            .with_app_id("llm-lens")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 420.0]),
        ..Default::default()
    };
    eframe::run_native(
        "llm-lens",
        options,
        Box::new(move |cc| {
            let compute = Compute::start(backend, Some(cc.egui_ctx.clone()));
            let mut app = LensApp::from_storage(cc.storage, prose, compute);
            if let Some((lesson, step)) = start_at {
                app.set_lesson(lesson);
                app.set_step(step.saturating_sub(1));
            }
            if let Some(s) = sentence {
                app.set_sentence(&s);
            }
            if let Some(on) = model_panel {
                app.show_model_panel(on == OnOff::On);
            }
            app.frame_log = frame_log.map(|f| crate::frame_log::FrameLog::new(f).with_typing(&typing));
            Ok(Box::new(crate::panic_guard::Guarded::new(app, notice)))
        }),
    )
    .map_err(|e| format!("could not open the window ({e}). Without a display, `llm-lens screenshot` renders lessons to PNG."))
}
