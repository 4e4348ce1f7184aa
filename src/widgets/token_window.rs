//! A window of consecutive tokens for heatmaps too long to label: with 72 tokens a score
//! matrix's cells shrink to a few pixels and most labels must go, so instead the learner
//! sees (and scrolls) a window of tokens that keeps every label readable, or asks for
//! all of them at once.

use std::ops::Range;

/// Cells narrower than this drop labels (the heatmap's label font is 12 px).
pub const MIN_LABELLED_CELL: f32 = 14.0;

/// Rows past this many are no longer kept tall enough for their labels.
pub const MAX_LABELLED_ROWS: usize = 48;

/// What the learner chose, kept per window id across frames (and steps).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct State {
    row_start: usize,
    col_start: usize,
    all: bool,
    /// The pinned row last frame: a newly pinned row outside the window moves it there.
    last_pinned: Option<usize>,
}

/// The part of a `(rows × cols)` token matrix to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub rows: Range<usize>,
    pub cols: Range<usize>,
}

/// How many tokens fit across `width` points with labelled cells (at least 8).
pub fn tokens_that_fit(width: f32) -> usize {
    ((width / MIN_LABELLED_CELL).floor() as usize).max(8)
}

/// Draws the window's controls when the matrix is too long to label and returns the
/// part to draw; returns `None` (and draws nothing) when everything fits.
///
/// `cols_are_tokens`: the columns are the same tokens as the rows (scores, weights,
/// cosines), so they get a window too; otherwise only the rows are windowed.
/// `width`: the room for the cells, labels excluded. `pinned`: the pinned token row.
pub fn show(
    ui: &mut egui::Ui,
    id: egui::Id,
    rows: usize,
    cols: usize,
    cols_are_tokens: bool,
    width: f32,
    pinned: Option<usize>,
) -> Option<Window> {
    let fit = tokens_that_fit(width).min(MAX_LABELLED_ROWS);
    let long_rows = rows > MAX_LABELLED_ROWS || (cols_are_tokens && rows > fit);
    let long_cols = cols_are_tokens && cols > fit;
    if !long_rows && !long_cols {
        return None;
    }
    let mut state: State = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let row_len = if cols_are_tokens {
        fit
    } else {
        MAX_LABELLED_ROWS.min(fit.max(32))
    };
    let row_len = row_len.min(rows);
    let col_len = if long_cols { fit.min(cols) } else { cols };
    let newly_pinned = pinned.filter(|&p| state.last_pinned != Some(p) && p < rows);
    if let Some(p) = newly_pinned
        && !(state.row_start..state.row_start + row_len).contains(&p)
    {
        state.row_start = p.saturating_sub(row_len / 2);
    }
    state.last_pinned = pinned;
    state.row_start = state.row_start.min(rows - row_len);
    state.col_start = state.col_start.min(cols - col_len);
    ui.horizontal_wrapped(|ui| {
        ui.checkbox(&mut state.all, format!("all {rows} tokens"))
            .on_hover_text("Draw every token at once: the cells get small and only some labels fit; the tooltip still names every cell.");
        if state.all {
            return;
        }
        ui.label(format!("rows {}–{} of {rows}", state.row_start, state.row_start + row_len - 1));
        ui.add(egui::Slider::new(&mut state.row_start, 0..=rows - row_len).show_value(false))
            .on_hover_text("Slide the window of rows (by token position) so every label stays readable.");
        if long_cols {
            ui.label(format!("columns {}–{}", state.col_start, state.col_start + col_len - 1));
            ui.add(egui::Slider::new(&mut state.col_start, 0..=cols - col_len).show_value(false))
                .on_hover_text("Slide the window of columns (the tokens attended to).");
        }
    });
    ui.data_mut(|d| d.insert_temp(id, state));
    (!state.all).then(|| Window {
        rows: state.row_start..state.row_start + row_len,
        cols: state.col_start..state.col_start + col_len,
    })
}

/// The sub-matrix of a row-major `(rows × cols)` matrix: `(window.rows × window.cols)`.
pub fn slice(values: &[f32], cols: usize, window: &Window) -> Vec<f32> {
    let mut out = Vec::with_capacity(window.rows.len() * window.cols.len());
    for r in window.rows.clone() {
        for c in window.cols.clone() {
            out.push(values.get(r * cols + c).copied().unwrap_or(f32::NAN));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_takes_the_window_row_by_row() {
        // (3 × 4): value = 10·row + col.
        let m: Vec<f32> = (0..3)
            .flat_map(|r| (0..4).map(move |c| (10 * r + c) as f32))
            .collect();
        let w = Window {
            rows: 1..3,
            cols: 2..4,
        };
        assert_eq!(slice(&m, 4, &w), vec![12.0, 13.0, 22.0, 23.0]);
    }

    #[test]
    fn short_enough_matrices_get_no_window() {
        let ctx = egui::Context::default();
        let mut got = Some(Window {
            rows: 0..0,
            cols: 0..0,
        });
        let mut out = ctx.run_ui(egui::RawInput::default(), |ui| {
            got = show(ui, egui::Id::unique("t"), 20, 20, true, 600.0, None);
        });
        out.textures_delta.clear();
        assert_eq!(got, None);
    }

    #[test]
    fn a_long_square_matrix_gets_a_labelled_window_that_follows_a_pin() {
        let ctx = egui::Context::default();
        let frame = |pinned| {
            let mut got = None;
            let mut out = ctx.run_ui(egui::RawInput::default(), |ui| {
                got = show(ui, egui::Id::unique("t"), 72, 72, true, 600.0, pinned);
            });
            out.textures_delta.clear();
            got
        };
        let w = frame(None).expect("72 tokens do not fit in 600 points");
        assert_eq!(w.rows, 0..42);
        assert_eq!(w.cols, 0..42);
        assert!(600.0 / w.cols.len() as f32 >= MIN_LABELLED_CELL);
        // Pinning token 60 moves the rows' window onto it.
        let w = frame(Some(60)).expect("still windowed");
        assert!(w.rows.contains(&60), "{w:?}");
        assert_eq!(w.rows.end, 72);
    }
}
