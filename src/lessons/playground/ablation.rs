//! Intervention: switch off attention heads (their output becomes zero) or whole layers
//! (their output equals their input) and see every view change. Compared with the same
//! input without ablation, it shows how far each token's hidden state moved.

use egui::RichText;

use super::{Playground, matrix, token_labels};
use crate::model::bert::trace::Trace;
use crate::widgets::Scale;

pub fn show(ui: &mut egui::Ui, st: &mut Playground, trace: &Trace) {
    let Some(m) = st.runner.model.clone() else {
        return;
    };
    let (layers, heads) = (
        m.model.config.num_hidden_layers,
        m.model.config.num_attention_heads,
    );
    ui.label("Tick a head to zero its output, or a layer to skip it. Every other step of the lesson then shows the changed model.");
    egui::Grid::new("ablation-grid")
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            ui.strong("skip layer");
            for h in 0..heads {
                ui.strong(format!("head {h}"));
            }
            ui.end_row();
            for l in 0..layers {
                ui.label(format!("layer {l}"));
                let mut skip = st.ablation.skip_layers.contains(&l);
                if ui
                    .checkbox(&mut skip, "")
                    .on_hover_text(format!("Skip layer {l}: its output equals its input"))
                    .changed()
                {
                    if skip {
                        st.ablation.skip_layers.insert(l);
                    } else {
                        st.ablation.skip_layers.remove(&l);
                    }
                }
                for h in 0..heads {
                    let mut off = st.ablation.heads.contains(&(l, h));
                    if ui
                        .checkbox(&mut off, "")
                        .on_hover_text(format!("Zero the output of layer {l}, head {h}"))
                        .changed()
                    {
                        if off {
                            st.ablation.heads.insert((l, h));
                        } else {
                            st.ablation.heads.remove(&(l, h));
                        }
                    }
                }
                ui.end_row();
            }
        });
    if ui.button("Switch everything back on").clicked() {
        st.ablation = Default::default();
    }
    let off = st.ablation.heads.len();
    let skipped = st.ablation.skip_layers.len();
    ui.label(format!("{off} head(s) zeroed, {skipped} layer(s) skipped."));

    let Some(base) = st.runner.baseline_for(trace) else {
        if off + skipped > 0 {
            ui.label(RichText::new("Computing the model without ablation for comparison…").weak());
        }
        return;
    };
    if off + skipped == 0 {
        ui.label(RichText::new("Switch something off to compare with the full model.").weak());
        return;
    }
    // ((layers + 1) × tokens): distance between the ablated and full hidden states.
    let a = trace.hidden_states();
    let b = base.hidden_states();
    let n = trace.len();
    let mut values = Vec::with_capacity(a.len() * n);
    for (ha, hb) in a.iter().zip(&b) {
        for t in 0..n {
            let d: f32 = ha
                .row(t)
                .iter()
                .zip(hb.row(t).iter())
                .map(|(x, y)| (x - y) * (x - y))
                .sum::<f32>()
                .sqrt();
            values.push(d);
        }
    }
    let rows: Vec<String> = (0..a.len())
        .map(|l| {
            if l == 0 {
                "embeddings".to_owned()
            } else {
                format!("after layer {l}")
            }
        })
        .collect();
    let labels = token_labels(trace);
    matrix(
        ui,
        "how far each hidden state moved",
        &values,
        a.len(),
        n,
        &rows,
        &labels,
        Scale::sequential_for(&values),
        "distance to the full model",
    );
    if let (Some(ma), Some(mb)) = (&trace.mlm, &base.mlm) {
        for i in (0..n).filter(|&i| trace.tokens[i] == "[MASK]") {
            let name = |id: u32| m.model.tokenizer.id_to_token(id).unwrap_or("?").to_owned();
            if let (Some(pa), Some(pb)) = (ma.top_k[i].first(), mb.top_k[i].first()) {
                ui.label(format!(
                    "[MASK] at position {i}: full model says {:?} ({:.0} %), ablated model says {:?} ({:.0} %).",
                    name(pb.id),
                    pb.prob * 100.0,
                    name(pa.id),
                    pa.prob * 100.0
                ));
            }
        }
    }
}
