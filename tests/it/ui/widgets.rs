//! The reusable widgets: heatmap hover via AccessKit, token strip, chart export.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use llm_lens::widgets::chart::{ChartSpec, PALETTE, Series, SeriesKind};
use llm_lens::widgets::{Heatmap, Scale, TokenChip, token_strip};

#[test]
fn heatmap_hover_reports_row_column_and_value() {
    let rows = vec!["I".to_owned(), "bank".to_owned()];
    let cols = vec!["money".to_owned(), "river".to_owned(), "the".to_owned()];
    let values = vec![0.1, 0.2, 0.7, 0.6, 0.3, 0.1];
    let mut hovered = None;
    let mut h = Harness::builder()
        .with_context_setup(llm_lens::widgets::fonts::install)
        .with_size([500.0, 300.0])
        .build_ui(|ui| {
            let r = Heatmap::new("attention", &values, 2, 3)
                .labels(&rows, &cols)
                .unit("weight")
                .max_cell(40.0)
                .show(ui);
            if r.hovered.is_some() {
                hovered = r.hovered;
            }
        });
    h.run_steps(2);
    let rect = h.get_by_label_contains("attention: heatmap, 2 × 3").rect();
    // Bottom-left cell: row 2 ('bank'), column 1 ('money').
    let cell = egui::pos2(rect.right() - 3.0 * 40.0 + 5.0, rect.bottom() - 5.0);
    h.hover_at(cell);
    // Tooltips wait half a second of stillness before they appear.
    h.run_steps(60);
    h.get_by_label_contains("row 'bank' → column 'money': 0.6000 weight");
    drop(h);
    assert_eq!(hovered, Some((1, 0)));
}

#[test]
fn token_strip_exposes_ids_to_accessibility() {
    let chips = vec![
        TokenChip::new("with", Some(2007)),
        TokenChip::new("##drew", Some(9638)).with_detail("bytes 6..10"),
    ];
    let mut h = Harness::builder()
        .with_context_setup(llm_lens::widgets::fonts::install)
        .with_size([400.0, 100.0])
        .build_ui(|ui| {
            token_strip(ui, &chips, false);
        });
    h.run_steps(2);
    h.get_by_label_contains("id 9638");
    h.get_by_label_contains("bytes 6..10");
}

fn spec() -> ChartSpec {
    ChartSpec {
        title: "gradient norm".into(),
        x_label: "time step".into(),
        y_label: "‖∂L/∂h‖".into(),
        log_y: true,
        series: vec![
            Series {
                name: "scale 0.9".into(),
                points: (0..50).map(|t| (t as f64, 0.9f64.powi(50 - t))).collect(),
                kind: SeriesKind::Line,
                color: PALETTE[0],
            },
            Series {
                name: "samples".into(),
                points: vec![(1.0, 0.5), (2.0, f64::NAN), (3.0, -1.0)],
                kind: SeriesKind::Scatter,
                color: PALETTE[1],
            },
        ],
    }
}

#[test]
fn chart_exports_valid_png_and_svg() {
    let dir = std::env::temp_dir().join(format!("llm-lens-chart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("c.png");
    let svg = dir.join("c.svg");
    spec().save_png(&png, 640, 400).expect("png");
    spec().save_svg(&svg, 640, 400).expect("svg");
    let img = image::open(&png).expect("valid PNG").to_rgb8();
    assert_eq!(img.dimensions(), (640, 400));
    let blue = img.pixels().filter(|p| p.0 == PALETTE[0]).count();
    assert!(blue > 50, "the line is drawn ({blue} pixels)");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.contains("time step") && text.contains("(log scale)"));
    let _ = std::fs::remove_dir_all(dir);

    let empty = ChartSpec {
        series: vec![],
        ..spec()
    };
    assert!(
        empty.render_rgb(100, 100, false).is_err(),
        "nothing to plot is an error, not a panic"
    );
}

#[test]
fn chart_view_shows_in_egui() {
    let spec = spec();
    let mut view = llm_lens::widgets::chart::ChartView::default();
    let mut h = Harness::builder()
        .with_context_setup(llm_lens::widgets::fonts::install)
        .with_size([700.0, 450.0])
        .build_ui(|ui| {
            view.show(ui, &spec, egui::vec2(640.0, 400.0));
        });
    h.run_steps(2);
    h.get_by_label("chart: gradient norm");
    let _ = Scale::Probability;
}
