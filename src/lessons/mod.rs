//! One pane per lesson, in course order. A lesson is a sequence of steps; each step's
//! prose comes from `lessons/<id>.md` (see [`crate::prose`]) and names the live view that
//! the lesson draws next to it.

pub mod attention;
pub mod bert;
pub mod history;
pub mod job;
pub mod playground;
pub mod shared_views;
pub mod tokenisation;
pub mod word2vec;

use crate::compute::BackendStatus;

pub use crate::lesson_id::LessonId;

/// What every lesson may read while drawing.
pub struct LessonContext<'a> {
    /// The learner's sentence, shared by every lesson.
    pub sentence: &'a str,
    pub backend: &'a BackendStatus,
    /// Runs the transformer on the backend in use (workers clone it).
    pub engine: &'a std::sync::Arc<crate::compute::Engine>,
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
        Box::new(tokenisation::Tokenisation),
        Box::new(word2vec::Word2vec),
        Box::new(attention::Attention),
        Box::new(bert::Bert),
        Box::new(playground::Playground),
    ]
}
