//! One pane per lesson, in course order. A lesson is a sequence of steps; each step's
//! prose comes from `lessons/<id>.md` (see [`crate::prose`]) and names the live view that
//! the lesson draws next to it.

pub mod attention;
pub mod bert;
pub mod history;
pub mod playground;
pub mod shared_views;
pub mod tokenisation;
pub mod word2vec;

use crate::compute::BackendStatus;

/// The lessons, in course order. The ids are used by the command line and the tests.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum LessonId {
    #[default]
    History,
    Tokenisation,
    Word2vec,
    Attention,
    Bert,
    Playground,
}

impl LessonId {
    pub const ALL: [LessonId; 6] = [
        Self::History,
        Self::Tokenisation,
        Self::Word2vec,
        Self::Attention,
        Self::Bert,
        Self::Playground,
    ];

    /// The stable id: `history`, `tokenisation`, `word2vec`, `attention`, `bert`, `playground`.
    pub fn id(self) -> &'static str {
        match self {
            Self::History => "history",
            Self::Tokenisation => "tokenisation",
            Self::Word2vec => "word2vec",
            Self::Attention => "attention",
            Self::Bert => "bert",
            Self::Playground => "playground",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::History => "History & RNNs",
            Self::Tokenisation => "Tokenisation",
            Self::Word2vec => "Word embeddings (word2vec)",
            Self::Attention => "Self-attention",
            Self::Bert => "BERT",
            Self::Playground => "Transformer playground",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.id() == id)
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }

    /// The built-in prose, embedded at compile time.
    pub fn builtin_prose(self) -> &'static str {
        match self {
            Self::History => include_str!("../../lessons/history.md"),
            Self::Tokenisation => include_str!("../../lessons/tokenisation.md"),
            Self::Word2vec => include_str!("../../lessons/word2vec.md"),
            Self::Attention => include_str!("../../lessons/attention.md"),
            Self::Bert => include_str!("../../lessons/bert.md"),
            Self::Playground => include_str!("../../lessons/playground.md"),
        }
    }
}

/// What every lesson may read while drawing.
pub struct LessonContext<'a> {
    /// The learner's sentence, shared by every lesson.
    pub sentence: &'a str,
    pub backend: &'a BackendStatus,
    pub presentation: bool,
}

/// A lesson pane: it draws the live view a step names.
pub trait Lesson {
    fn id(&self) -> LessonId;

    /// The views this lesson can draw (a step's `<!-- view: NAME -->` must name one).
    fn views(&self) -> &'static [&'static str];

    /// Draws view `name` for the current step.
    fn view(&mut self, ui: &mut egui::Ui, name: &str, cx: &LessonContext<'_>);

    /// Called every frame for every lesson, shown or not, so background work (a training
    /// run the learner left running) keeps draining its results instead of piling them up.
    fn background(&mut self, _ctx: &egui::Context) {}
}

/// Every lesson pane, in course order.
pub fn all_lessons() -> Vec<Box<dyn Lesson>> {
    vec![
        Box::new(history::History),
        Box::new(tokenisation::Tokenisation::default()),
        Box::new(word2vec::Word2vec),
        Box::new(attention::Attention),
        Box::new(bert::Bert),
        Box::new(playground::Playground),
    ]
}
