//! One pane per lesson, in course order. A lesson is a sequence of steps; each step's
//! prose comes from `lessons/<id>.md` (see [`crate::prose`]) and names the live view that
//! the lesson draws next to it.
//!
//! # Adding a lesson
//! The self-attention ([`attention`]) and BERT ([`bert`]) lessons are the smallest
//! examples; copy one of them.
//! 1. Add its id to [`LessonId`] (`src/lesson_id.rs`): variant, `ALL`, `id`, `title` and
//!    `builtin_prose`, and write `lessons/<id>.md` (steps separated by `---`, each with a
//!    `## Title` and a `<!-- view: NAME -->` line).
//! 2. Make `src/lessons/<id>/`: `view.rs` declares the views with [`views!`] (one name per
//!    view, the names the prose uses), `mod.rs` holds the lesson struct, which owns all of
//!    the lesson's state, and its [`Lesson`] impl (an exhaustive `match` over the views),
//!    and each view that is more than a few lines gets a file of its own.
//! 3. Register it in [`new_lesson`]; the registry test checks the order against
//!    [`LessonId::ALL`] and that every step's view exists.
//! 4. List its views in `lessons/README.md` (a test compares that table with the code).
//! 5. Slow work goes through [`crate::job`], never a thread of its own; requests to the
//!    shell (another lesson, another step) go through [`LessonContext::send`].

pub mod attention;
pub mod bert;
pub mod cache_key;
pub mod history;
pub mod model_panel;
pub mod model_slot;
pub mod on_arrival;
pub mod playground;
pub mod shared_views;
pub mod tokenisation;
pub mod word2vec;

use std::any::Any;
use std::cell::RefCell;
use std::sync::Arc;

pub use crate::command::Command;
use crate::compute::{BackendStatus, Engine};
pub use crate::lesson_id::LessonId;

/// The sentence every lesson starts with: "bank" is ambiguous, which later lessons use.
pub const DEFAULT_SENTENCE: &str = "I withdrew money from the bank.";
/// Longer input is cut here (with a notice) so a 100,000-character paste stays fluid.
pub const MAX_SENTENCE_CHARS: usize = 2_000;

/// What every lesson may read while drawing, and the queue through which it asks the
/// shell for something (the shell runs the commands after the frame's lesson is drawn).
pub struct LessonContext<'a> {
    /// The learner's sentence, shared by every lesson.
    pub sentence: &'a str,
    pub backend: &'a BackendStatus,
    /// Runs the transformer on the backend in use (workers clone it).
    pub engine: &'a Arc<Engine>,
    pub presentation: bool,
    /// Frames must not depend on the clock (snapshot tests): leave out measured timings.
    pub reproducible: bool,
    commands: RefCell<Vec<Command>>,
}

impl<'a> LessonContext<'a> {
    pub fn new(sentence: &'a str, backend: &'a BackendStatus, engine: &'a Arc<Engine>) -> Self {
        Self {
            sentence,
            backend,
            engine,
            presentation: false,
            reproducible: false,
            commands: RefCell::new(Vec::new()),
        }
    }

    /// Asks the shell to do `command` once the lesson has drawn.
    pub fn send(&self, command: Command) {
        self.commands.borrow_mut().push(command);
    }

    /// The commands sent this frame, in order.
    pub fn into_commands(self) -> Vec<Command> {
        self.commands.into_inner()
    }
}

/// A lesson's views: an enum declared with [`views!`].
pub trait ViewSet: Copy + Eq + std::str::FromStr + 'static {
    /// Every view, in lesson order.
    const ALL: &'static [Self];
    /// The names the prose uses, in the order of [`ViewSet::ALL`].
    const NAMES: &'static [&'static str];
    fn name(self) -> &'static str;
}

/// Declares a lesson's views as an enum with [`ViewSet`] and `FromStr`, so each name is
/// written once: `views! { pub enum View { Timeline = "timeline", ... } }`.
macro_rules! views {
    ($(#[$meta:meta])* $vis:vis enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $crate::lessons::ViewSet for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            const NAMES: &'static [&'static str] = &[$($text),+];
            fn name(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::lessons::UnknownView;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    _ => Err($crate::lessons::UnknownView),
                }
            }
        }
    };
}
pub(crate) use views;

/// A view name that the lesson does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownView;

/// A lesson pane, written against its own typed views.
pub trait Lesson: Any {
    const ID: LessonId;
    type View: ViewSet;

    /// Draws `view` for the current step.
    fn show(&mut self, ui: &mut egui::Ui, view: Self::View, cx: &LessonContext<'_>);

    /// Called every frame for every lesson, shown or not, so background work (a training
    /// run the learner left running) keeps draining its results instead of piling them up.
    fn background(&mut self, _ctx: &egui::Context) {}

    /// Word vectors of the lesson's own that the live model panel may set beside the
    /// model's embeddings: `(where they come from, vectors)`. Only word2vec has some.
    fn companion_vectors(&self) -> Option<Companion> {
        None
    }
}

/// A lesson's word vectors, named by where they come from.
pub type Companion = (String, Arc<crate::model::word2vec::Embeddings>);

/// What the shell sees of a lesson: views by name, as the prose names them. Every
/// [`Lesson`] is one.
pub trait Pane: Any {
    fn id(&self) -> LessonId;
    /// The names a step's `<!-- view: NAME -->` may use.
    fn views(&self) -> &'static [&'static str];
    /// Draws the view called `name`; `Err` if the lesson has none of that name.
    fn show_named(
        &mut self,
        ui: &mut egui::Ui,
        name: &str,
        cx: &LessonContext<'_>,
    ) -> Result<(), UnknownView>;
    fn background(&mut self, ctx: &egui::Context);
    fn companion_vectors(&self) -> Option<Companion>;
}

impl<L: Lesson> Pane for L {
    fn id(&self) -> LessonId {
        L::ID
    }

    fn views(&self) -> &'static [&'static str] {
        L::View::NAMES
    }

    fn show_named(
        &mut self,
        ui: &mut egui::Ui,
        name: &str,
        cx: &LessonContext<'_>,
    ) -> Result<(), UnknownView> {
        let view = name.parse::<L::View>().map_err(|_| UnknownView)?;
        self.show(ui, view, cx);
        Ok(())
    }

    fn background(&mut self, ctx: &egui::Context) {
        Lesson::background(self, ctx);
    }

    fn companion_vectors(&self) -> Option<Companion> {
        Lesson::companion_vectors(self)
    }
}

/// A new pane for `id`, with its state at defaults.
pub fn new_lesson(id: LessonId) -> Box<dyn Pane> {
    match id {
        LessonId::History => Box::new(history::History::default()),
        LessonId::Tokenisation => Box::new(tokenisation::Tokenisation::default()),
        LessonId::Word2vec => Box::new(word2vec::Word2vec::default()),
        LessonId::Attention => Box::new(attention::Attention::default()),
        LessonId::Bert => Box::new(bert::Bert::default()),
        LessonId::Playground => Box::new(playground::Playground::default()),
    }
}

/// Every lesson pane, in course order ([`LessonId::ALL`]).
pub fn all_lessons() -> Vec<Box<dyn Pane>> {
    LessonId::ALL.into_iter().map(new_lesson).collect()
}

/// The view names of lesson `id`, for the command line's help and errors.
pub fn view_names(id: LessonId) -> &'static [&'static str] {
    fn names<L: Lesson>() -> &'static [&'static str] {
        L::View::NAMES
    }
    match id {
        LessonId::History => names::<history::History>(),
        LessonId::Tokenisation => names::<tokenisation::Tokenisation>(),
        LessonId::Word2vec => names::<word2vec::Word2vec>(),
        LessonId::Attention => names::<attention::Attention>(),
        LessonId::Bert => names::<bert::Bert>(),
        LessonId::Playground => names::<playground::Playground>(),
    }
}
