//! Reading back a run's `log.csv` (one row per logged update) and `eval.csv` (one row
//! per held-out evaluation), as `train-bert` writes them: the lesson plots the built-in
//! model's run from the copies shipped beside it. Columns are found by name, so a log
//! with extra columns still reads; the reader is bounded in bytes and rows.

/// Largest log accepted, in bytes.
pub const MAX_LOG_BYTES: usize = 8 << 20;
/// Most rows read from one log.
pub const MAX_ROWS: usize = 200_000;

/// One logged update (averages over the updates since the previous row).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogRow {
    pub step: u64,
    pub tokens: u64,
    pub loss: f64,
    pub nsp_loss: f64,
    /// Fraction of the batches' masked positions guessed right.
    pub mlm_top1: f64,
    /// Fraction of pairs classified right (0 before NSP starts).
    pub nsp_acc: f64,
    pub elapsed_s: f64,
}

/// One evaluation on the held-out addresses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvalRow {
    pub step: u64,
    pub elapsed_s: f64,
    pub seq_len: usize,
    pub mlm_top1: f64,
    pub mlm_top5: f64,
    pub nsp_acc: f64,
}

/// Why a log could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LogError {
    #[error("the log is over {} MiB", MAX_LOG_BYTES >> 20)]
    TooLarge,
    #[error("the log has no column {0:?}")]
    MissingColumn(&'static str),
    #[error("line {0} of the log is not a row of numbers")]
    BadRow(usize),
    #[error("the log is empty")]
    Empty,
}

/// The header's column index of each of `names`.
fn columns<const N: usize>(header: &str, names: [&'static str; N]) -> Result<[usize; N], LogError> {
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    let mut out = [0; N];
    for (o, name) in out.iter_mut().zip(names) {
        *o = cols
            .iter()
            .position(|c| *c == name)
            .ok_or(LogError::MissingColumn(name))?;
    }
    Ok(out)
}

/// Every row's values at `idx`, parsed as f64.
fn rows<const N: usize>(text: &str, names: [&'static str; N]) -> Result<Vec<[f64; N]>, LogError> {
    if text.len() > MAX_LOG_BYTES {
        return Err(LogError::TooLarge);
    }
    let mut lines = text.lines();
    let header = lines.next().ok_or(LogError::Empty)?;
    let idx = columns(header, names)?;
    let mut out = Vec::new();
    for (i, line) in lines.enumerate().take(MAX_ROWS) {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').collect();
        let mut row = [0.0; N];
        for (v, &c) in row.iter_mut().zip(&idx) {
            *v = cells
                .get(c)
                .and_then(|s| s.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or(LogError::BadRow(i + 2))?;
        }
        out.push(row);
    }
    if out.is_empty() {
        return Err(LogError::Empty);
    }
    Ok(out)
}

/// Parses `log.csv`.
pub fn parse_log(text: &str) -> Result<Vec<LogRow>, LogError> {
    let names = [
        "step",
        "tokens",
        "loss",
        "nsp_loss",
        "mlm_top1",
        "nsp_acc",
        "elapsed_s",
    ];
    Ok(rows(text, names)?
        .into_iter()
        .map(|r| LogRow {
            step: r[0] as u64,
            tokens: r[1] as u64,
            loss: r[2],
            nsp_loss: r[3],
            mlm_top1: r[4],
            nsp_acc: r[5],
            elapsed_s: r[6],
        })
        .collect())
}

/// Parses `eval.csv`.
pub fn parse_eval(text: &str) -> Result<Vec<EvalRow>, LogError> {
    let names = [
        "step",
        "elapsed_s",
        "seq_len",
        "mlm_top1",
        "mlm_top5",
        "nsp_acc",
    ];
    Ok(rows(text, names)?
        .into_iter()
        .map(|r| EvalRow {
            step: r[0] as u64,
            elapsed_s: r[1],
            seq_len: r[2] as usize,
            mlm_top1: r[3],
            mlm_top5: r[4],
            nsp_acc: r[5],
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "step,tokens,loss,mlm_loss,nsp_loss,mlm_top1,nsp_acc,lr,grad_norm,tokens_per_s,elapsed_s\n\
        25,51132,8.98454,8.98454,0.00000,0.00028,0.00000,2.500e-5,1.8128,11151,4.8\n\
        50,102264,8.5,8.5,0.69,0.01,0.51,5.0e-5,1.7,11000,9.6\n";

    #[test]
    fn a_log_reads_by_column_name() {
        let rows = parse_log(LOG).expect("reads");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].step, 50);
        assert_eq!(rows[1].nsp_acc, 0.51);
        assert_eq!(rows[0].elapsed_s, 4.8);
        let eval = parse_eval(
            "step,tokens,elapsed_s,seq_len,mlm_top1,mlm_top5,mlm_loss,nsp_acc\n500,1,101.4,64,0.06,0.17,6.7,0.48\n",
        )
        .expect("reads");
        assert_eq!(eval[0].seq_len, 64);
        assert_eq!(eval[0].mlm_top5, 0.17);
    }

    #[test]
    fn bad_logs_say_why_without_quoting_them() {
        assert_eq!(parse_log(""), Err(LogError::Empty));
        assert_eq!(
            parse_log("step,tokens\n1,2\n"),
            Err(LogError::MissingColumn("loss"))
        );
        let bad = LOG.replace("9.6", "x".repeat(1000).as_str());
        let e = parse_log(&bad).expect_err("not a number");
        assert_eq!(e, LogError::BadRow(3));
        assert!(e.to_string().len() < 60);
        let huge = "a".repeat(MAX_LOG_BYTES + 1);
        assert_eq!(parse_log(&huge), Err(LogError::TooLarge));
    }
}
