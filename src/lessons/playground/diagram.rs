//! The overview: which model runs (built-in or a folder the learner opens), the
//! optional second sentence, and a diagram of the whole model whose blocks jump to the
//! step that shows them.

use egui::{Color32, RichText, Sense, Stroke, vec2};

use super::{Playground, View};
use crate::lessons::{Command, LessonContext, ViewSet};

/// Diagram blocks: label, the view that shows it, hover text.
const BLOCKS: [(&str, View, &str); 9] = [
    (
        "Tokens and ids",
        View::Overview,
        "WordPiece cuts your text; each piece becomes an id",
    ),
    (
        "Embeddings: token + position + segment",
        View::Embeddings,
        "Three table look-ups, added, then LayerNorm",
    ),
    (
        "Q, K, V",
        View::Qkv,
        "Three projections of every token's vector, per head",
    ),
    (
        "Scores QKᵀ/√d",
        View::Scores,
        "How well each query matches each key",
    ),
    (
        "Softmax weights",
        View::Weights,
        "Scores turned into weights that sum to 1",
    ),
    (
        "Weighted sum of V, output, Add & Norm",
        View::Context,
        "Mix the values, project, add the input back, normalise",
    ),
    (
        "Feed-forward network, Add & Norm",
        View::Ffn,
        "The same small network for every token",
    ),
    (
        "Hidden states",
        View::Hidden,
        "Each token's vector after the last layer",
    ),
    (
        "MLM head: predictions",
        View::Predictions,
        "Scores over the vocabulary for each position",
    ),
];

pub fn overview(ui: &mut egui::Ui, st: &mut Playground, cx: &LessonContext<'_>) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Model:");
        if ui
            .button("Built-in BERT")
            .on_hover_text(
                "4 layers, hidden size 128, 4 heads; trained here on the State of the Union corpus",
            )
            .clicked()
        {
            st.runner.use_builtin();
        }
        let busy = st.runner.dialog_open();
        if ui
            .add_enabled(!busy, egui::Button::new(crate::files::dialog::MODEL_BUTTON))
            .on_hover_text(crate::files::dialog::MODEL_HINT)
            .clicked()
        {
            st.runner.open_dialog(ui.ctx());
        }
        if crate::files::dialog::PATHS {
            // A checkbox, not a selectable label: it must look clickable before it is pointed at.
            ui.checkbox(&mut st.runner.typing_path, "type a path")
                .on_hover_text("Type the folder's path instead of choosing it in a dialog");
        }
        if st.runner.loading_model() {
            ui.spinner();
            ui.label("loading…");
        }
    });
    if let Some(note) = &st.runner.dialog_note {
        ui.colored_label(ui.visuals().warn_fg_color, note);
    }
    if crate::files::dialog::PATHS && st.runner.typing_path {
        ui.horizontal_wrapped(|ui| {
            let edit = ui.add(
                egui::TextEdit::singleline(&mut st.runner.folder)
                    .desired_width(280.0)
                    .hint_text("a Hugging Face BERT folder, e.g. bert-base-uncased"),
            );
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button("Open").clicked() || enter {
                let path = st.runner.folder.clone();
                st.runner.open_folder(&path);
            }
        });
    }
    ui.horizontal(|ui| {
        let label = ui
            .checkbox(&mut st.use_pair, "second sentence (segment B):")
            .on_hover_text(
                "BERT reads sentence pairs: [CLS] A [SEP] B [SEP], with segment ids 0 and 1",
            );
        ui.add_enabled(
            st.use_pair,
            egui::TextEdit::singleline(&mut st.pair)
                .desired_width(f32::INFINITY)
                .char_limit(crate::lessons::MAX_SENTENCE_CHARS),
        )
        .labelled_by(label.id);
    });
    ui.add_space(6.0);
    diagram(ui, st, View::Overview, cx);
    ui.add_space(6.0);
}

/// The model as a stack of blocks; `current` is highlighted, a click jumps to a view.
pub fn diagram(ui: &mut egui::Ui, st: &Playground, current: View, cx: &LessonContext<'_>) {
    let layers = st
        .runner
        .model
        .as_ref()
        .map_or(0, |m| m.model.config.num_hidden_layers);
    ui.label(
        RichText::new(
            "The model, from the input (top) to the predictions (bottom): click a block to see it",
        )
        .strong(),
    );
    let width = ui.available_width().min(420.0);
    for (i, (label, view, tip)) in BLOCKS.iter().enumerate() {
        let in_layer = (2..=6).contains(&i);
        let text = if i == 2 {
            format!("× {layers} layers: {label}")
        } else {
            label.to_string()
        };
        let indent = if in_layer { 24.0 } else { 0.0 };
        ui.horizontal(|ui| {
            ui.add_space(indent);
            let (rect, resp) = ui.allocate_exact_size(vec2(width - indent, 22.0), Sense::click());
            let selected = *view == current;
            let fill = if selected {
                ui.visuals().selection.bg_fill
            } else if in_layer {
                ui.visuals().faint_bg_color
            } else {
                ui.visuals().extreme_bg_color
            };
            let stroke = if resp.hovered() {
                Stroke::new(2.0, ui.visuals().strong_text_color())
            } else {
                Stroke::new(1.0, Color32::GRAY)
            };
            ui.painter()
                .rect(rect, 4.0, fill, stroke, egui::StrokeKind::Inside);
            ui.painter().text(
                rect.left_center() + vec2(8.0, 0.0),
                egui::Align2::LEFT_CENTER,
                &text,
                egui::FontId::proportional(13.0),
                ui.visuals().text_color(),
            );
            let description = text.clone();
            resp.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::Button, true, description.clone())
            });
            if resp.on_hover_text(*tip).clicked() {
                cx.send(Command::GoToView(view.name()));
            }
        });
    }
}
