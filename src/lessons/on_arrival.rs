//! Steps that would open blank start their work when the learner arrives (history's
//! recall run, word2vec's training). What they share: one start per visit policy (a
//! first visit starts it, a finished one is not redone) and telling that the learner
//! left, from the frame the step was last drawn in. What to do on leaving (cancel,
//! pause) stays with each step.

/// The bookkeeping of work started on arrival.
#[derive(Debug, Default)]
pub struct OnArrival {
    /// A start on arrival was made (and not forgotten since).
    tried: bool,
    /// The frame the step was last drawn in.
    shown_frame: u64,
}

impl OnArrival {
    /// Call when the step is drawn. Returns true when the work should start now: the
    /// step has nothing to show (`idle`) and no start on arrival was made yet.
    pub fn shown(&mut self, ctx: &egui::Context, idle: bool) -> bool {
        self.shown_frame = ctx.cumulative_frame_nr();
        let start = idle && !self.tried;
        self.tried |= start;
        start
    }

    /// The step was not drawn in the last frame: the learner is elsewhere.
    pub fn away(&self, ctx: &egui::Context) -> bool {
        ctx.cumulative_frame_nr() > self.shown_frame + 1
    }

    /// The next visit may start the work again (it was stopped before it ended).
    pub fn forget(&mut self) {
        self.tried = false;
    }
}
