//! What a heatmap says in words: the tab-separated text it copies for a spreadsheet,
//! the description a screen reader reads, and the hover text of one cell.

use super::Heatmap;

impl Heatmap<'_> {
    /// The matrix as text a spreadsheet pastes: a header of column labels, then one
    /// line per row with its label; empty cells for missing values.
    pub(super) fn tab_separated(&self) -> String {
        let mut out = String::new();
        if !self.col_labels.is_empty() {
            out.push('\t');
            out.push_str(&self.col_labels.join("\t"));
            out.push('\n');
        }
        for r in 0..self.rows {
            if let Some(label) = self.row_labels.get(r) {
                out.push_str(label);
                out.push('\t');
            }
            let cells: Vec<String> = (0..self.cols)
                .map(|c| {
                    let v = self.value(r, c);
                    if v.is_finite() {
                        v.to_string()
                    } else {
                        String::new()
                    }
                })
                .collect();
            out.push_str(&cells.join("\t"));
            out.push('\n');
        }
        out
    }

    /// What a screen reader says: title, shape and the first labels of each axis, and
    /// the numbers by row when they are printed in the cells (small matrices only).
    pub(super) fn accessible_description(&self, printed: bool) -> String {
        let list = |labels: &[String]| {
            let mut s = labels
                .iter()
                .take(24)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if labels.len() > 24 {
                s.push_str(", …");
            }
            s
        };
        let mut d = format!("{}: heatmap, {} × {}", self.title, self.rows, self.cols);
        if !self.row_labels.is_empty() {
            d.push_str(&format!("; rows: {}", list(self.row_labels)));
        }
        if !self.col_labels.is_empty() {
            d.push_str(&format!("; columns: {}", list(self.col_labels)));
        }
        if printed && self.rows * self.cols <= 400 {
            let rows: Vec<String> = (0..self.rows)
                .map(|r| {
                    let cells: Vec<String> = (0..self.cols)
                        .map(|c| format!("{:.2}", self.value(r, c)))
                        .collect();
                    format!("[{}]", cells.join(", "))
                })
                .collect();
            d.push_str(&format!("; values by row: {}", rows.join("; ")));
        }
        d
    }

    /// "row 'bank' → column 'money': 0.2312 attention weight" when the axes are labelled
    /// (the labels carry the one numbering a view uses, e.g. the token's position), else
    /// "row 4 → column 3: …" counting from 1.
    pub fn cell_description(&self, r: usize, c: usize) -> String {
        let name = |labels: &[String], i: usize| match labels.get(i) {
            Some(l) => format!("'{l}'"),
            None => (i + 1).to_string(),
        };
        format!(
            "row {} → column {}: {:.4} {}",
            name(self.row_labels, r),
            name(self.col_labels, c),
            self.value(r, c),
            self.unit
        )
        .trim_end()
        .to_owned()
    }
}
