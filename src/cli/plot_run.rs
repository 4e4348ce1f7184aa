//! `llm-lens plot-run`: the three charts of a `train-bert` run (loss, masked-word and
//! next-sentence accuracy) from its `log.csv` and `eval.csv`, as PNGs, drawn by the
//! same code as the BERT lesson's pre-training step.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::lessons::bert::shipped_log::specs;
use crate::model::bert::train::log::{MAX_LOG_BYTES, parse_eval, parse_log};

#[derive(Debug, Args)]
pub struct PlotRunArgs {
    /// The run's folder (holding log.csv and eval.csv).
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// Where to write loss.png, mlm.png and nsp.png.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

fn read(path: &Path) -> Result<String, String> {
    crate::model::text::bounded::read_text(path, MAX_LOG_BYTES as u64)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

pub fn run(args: &PlotRunArgs) -> Result<(), String> {
    let log = parse_log(&read(&args.run.join("log.csv"))?).map_err(|e| format!("log.csv: {e}"))?;
    let eval =
        parse_eval(&read(&args.run.join("eval.csv"))?).map_err(|e| format!("eval.csv: {e}"))?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    for (spec, name) in specs(&log, &eval).iter().zip(["loss", "mlm", "nsp"]) {
        let path = args.out.join(format!("{name}.png"));
        spec.save_png(&path, 900, 320)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        crate::outln!("wrote {}", path.display());
    }
    Ok(())
}
