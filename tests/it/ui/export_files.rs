//! Export writes files that other programs can read: a heatmap as PNG (decodes, right
//! size), SVG (an <svg> document with one rect per cell) and CSV (labelled rows), and a
//! chart as CSV.

use llm_lens::widgets::Scale;
use llm_lens::widgets::chart::{ChartSpec, Series, SeriesKind};
use llm_lens::widgets::export::{MatrixExport, save_chart_in, save_matrix_in};

#[test]
fn heatmaps_and_charts_export_to_valid_files() {
    let dir = std::env::temp_dir().join(format!("llm-lens-export-{}", std::process::id()));
    let labels: Vec<String> = ["[CLS]", "bank", "[SEP]"].map(str::to_owned).to_vec();
    let values = [0.5f32, 0.25, 0.25, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4];
    let m = MatrixExport {
        title: "layer 0 head 1 attention weights",
        values: &values,
        rows: 3,
        cols: 3,
        row_labels: &labels,
        col_labels: &labels,
        scale: Scale::Probability,
    };
    let png = save_matrix_in(&dir, &m, "png").expect("png");
    assert_eq!(
        png.file_name().and_then(|n| n.to_str()),
        Some("layer-0-head-1-attention-weights.png")
    );
    let img = image::open(&png).expect("the PNG decodes");
    assert_eq!((img.width(), img.height()), m.pixel_size());
    let svg =
        std::fs::read_to_string(save_matrix_in(&dir, &m, "svg").expect("svg")).expect("read svg");
    assert!(svg.contains("<svg"));
    assert!(svg.matches("<rect").count() >= 9, "one rect per cell");
    let csv =
        std::fs::read_to_string(save_matrix_in(&dir, &m, "csv").expect("csv")).expect("read csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0], "\"\",[CLS],bank,[SEP]");
    assert_eq!(lines[2], "bank,0.1,0.8,0.1");

    let spec = ChartSpec {
        title: "norms".to_owned(),
        x_label: "layer".to_owned(),
        y_label: "norm".to_owned(),
        log_y: false,
        series: vec![Series {
            name: "bank".to_owned(),
            points: vec![(0.0, 1.0), (1.0, 2.5)],
            kind: SeriesKind::Line,
            color: [10, 20, 30],
        }],
    };
    let csv = std::fs::read_to_string(save_chart_in(&dir, &spec, "csv").expect("chart csv"))
        .expect("read");
    assert_eq!(csv, "series,layer,norm\nbank,0,1\nbank,1,2.5\n");
    assert!(image::open(save_chart_in(&dir, &spec, "png").expect("chart png")).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}
