//! The second half of step "multi-head": the built-in model's heads for the selected
//! sentence, one layer at a time and side by side, with where each head puts its
//! weight on average and where it sends one chosen token; and a button into the
//! playground's full layers × heads grid. Nothing here says what a head does: the
//! model may be replaced, so the view measures and the learner looks.

use std::sync::Arc;

use ndarray::Axis;

use crate::command::Command;
use crate::job::Recompute;
use crate::lessons::cache_key::ArcKey;
use crate::lessons::{LessonContext, LessonId};
use crate::model::bert::pretrained::PretrainedBert;
use crate::model::bert::trace::Trace;
use crate::model::multi_head::{habits, top_key};

use super::multi_head::{Grid, side_by_side};
use super::qkv::model_index;

#[derive(Default)]
pub struct State {
    pub layer: usize,
    /// The token whose row is followed (`None`: *bank* if present, else the first word).
    pub follow: Option<usize>,
    /// The model's trace of the selected sentence.
    trace: Recompute<super::TraceKey, Result<Trace, String>>,
    /// The sentence `follow` was picked in (a new sentence goes back to the default).
    followed_in: String,
}

fn is_special(token: &str) -> bool {
    matches!(token, "[CLS]" | "[SEP]" | "[PAD]")
}

fn percent(v: f32) -> String {
    format!("{:.0} %", v * 100.0)
}

pub fn show(
    ui: &mut egui::Ui,
    state: &mut State,
    sentence: &str,
    cx: &LessonContext<'_>,
    bert: Option<&Arc<PretrainedBert>>,
) {
    ui.strong("The built-in model's heads");
    let Some(bert) = bert else {
        super::loading_notice(ui);
        return;
    };
    if state.followed_in != sentence {
        state.followed_in = sentence.to_owned();
        state.follow = None;
    }
    let key = (ArcKey::of(bert), sentence.to_owned());
    let Some(result) = state.trace.get(ui.ctx(), &key, super::run_model) else {
        super::loading_notice(ui);
        return;
    };
    let trace = match result {
        Ok(t) => t,
        Err(e) => {
            ui.colored_label(ui.visuals().warn_fg_color, e);
            return;
        }
    };
    let config = &bert.model.config;
    let layers = trace.layers.len();
    if layers == 0 || trace.is_empty() {
        ui.label("The model has nothing to show for this sentence.");
        return;
    }
    ui.horizontal(|ui| {
        let l = ui.label("layer");
        ui.add(model_index(&mut state.layer, layers - 1))
            .labelled_by(l.id);
        ui.label(format!("of 0–{}", layers - 1));
    });
    let layer = state.layer.min(layers - 1);
    let Some(weights) = trace.attention(layer) else {
        ui.label(format!("Layer {layer} was skipped."));
        return;
    };
    let (heads, n, _) = weights.dim();
    let head_dim = config.hidden_size / config.num_attention_heads.max(1);
    ui.label(format!(
        "The same layer with trained weights: d_model = {} split into {heads} heads of d_k = {head_dim}. Its tokeniser cut the sentence into {n} tokens ([CLS] and [SEP] included), so each head's weights are {n} × {n}; the concatenation is {n} × {} and W_O is {} × {}.",
        config.hidden_size, config.hidden_size, config.hidden_size, config.hidden_size
    ));
    let grids: Vec<Grid> = (0..heads)
        .map(|h| Grid {
            title: format!("layer {layer} head {h}"),
            values: weights.index_axis(Axis(0), h).iter().copied().collect(),
            rows: n,
            cols: n,
        })
        .collect();
    side_by_side(
        ui,
        &grids,
        &trace.tokens,
        &trace.tokens,
        "attention weight (row: the token reading)",
    );
    habits_table(ui, &mut state.follow, trace, layer);
    ui.add_space(6.0);
    if ui
        .button("Open the playground's attention grid ▶")
        .on_hover_text("Every layer and head at once, on the sentence in the box at the top")
        .clicked()
    {
        cx.send(Command::GoToLessonView(LessonId::Playground, "attention"));
    }
    ui.small("The playground reads the sentence in the box at the top, not a course sentence picked here.");
}

/// Per head of `layer`: the mean weight on [CLS]/[SEP], on the token itself, on the
/// one before and after, and where the followed token looks most.
fn habits_table(ui: &mut egui::Ui, chosen: &mut Option<usize>, trace: &Trace, layer: usize) {
    let Some(weights) = trace.attention(layer) else {
        return;
    };
    let n = trace.len();
    let special: Vec<bool> = trace.tokens.iter().map(|t| is_special(t)).collect();
    let default = trace
        .tokens
        .iter()
        .position(|t| t == "bank")
        .or_else(|| special.iter().position(|s| !s))
        .unwrap_or(0);
    let mut follow = chosen.unwrap_or(default).min(n.saturating_sub(1));
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        let l = ui.label("Follow the token");
        egui::ComboBox::from_id_salt("mh-follow")
            .selected_text(format!("{} (#{follow})", trace.tokens[follow]))
            .show_ui(ui, |ui| {
                for (i, t) in trace.tokens.iter().enumerate() {
                    ui.selectable_value(&mut follow, i, format!("{t} (#{i})"));
                }
            })
            .response
            .labelled_by(l.id);
    });
    *chosen = Some(follow);
    let followed = &trace.tokens[follow];
    ui.label("Where each head puts its weight, averaged over the rows:");
    egui::Grid::new("mh-habits")
        .striped(true)
        .num_columns(6)
        .show(ui, |ui| {
            ui.strong("head");
            ui.strong("[CLS]/[SEP]")
                .on_hover_text("Weight on the special tokens: many heads park attention there");
            ui.strong("itself");
            ui.strong("previous")
                .on_hover_text("Weight on the token just before");
            ui.strong("next")
                .on_hover_text("Weight on the token just after");
            ui.strong(format!("{followed} → most"))
                .on_hover_text("The token the followed token's row gives the most weight");
            ui.end_row();
            for (h, w) in weights.outer_iter().enumerate() {
                let hb = habits(w, &special);
                ui.label(format!("{h}"));
                ui.label(percent(hb.specials));
                ui.label(percent(hb.itself));
                ui.label(percent(hb.previous));
                ui.label(percent(hb.next));
                match top_key(w.row(follow)) {
                    Some((j, v)) => ui.label(format!("{} ({})", trace.tokens[j], percent(v))),
                    None => ui.label("—"),
                };
                ui.end_row();
            }
        });
}
