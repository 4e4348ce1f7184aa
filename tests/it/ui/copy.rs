//! Copying results out: a heatmap's right-click menu puts its numbers on the clipboard
//! as tab-separated text (the token strip's menu is tested beside the widget).

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use llm_lens::widgets::heatmap::Heatmap;

#[test]
fn a_heatmap_copies_its_numbers_tab_separated() {
    let rows = vec!["the".to_string(), "bank".to_string()];
    let cols = vec!["a".to_string(), "b".to_string()];
    let mut h = Harness::new_ui(move |ui| {
        Heatmap::new("weights", &[0.25, 0.75, 1.0, f32::NAN], 2, 2)
            .labels(&rows, &cols)
            .show(ui);
    });
    h.get_by_label_contains("weights: heatmap")
        .click_secondary();
    h.run();
    h.get_by_label("Copy the numbers (tab-separated)").click();
    h.step();
    let copied = h
        .output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .expect("the numbers are copied");
    assert_eq!(copied, "\ta\tb\nthe\t0.25\t0.75\nbank\t1\t\n");
}
