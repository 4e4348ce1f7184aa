//! `rnn-grad` argument handling and output shape.

use clap::Parser;
use llm_lens::cli::rnn_grad::{RnnGradArgs, render};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: RnnGradArgs,
}

fn parse(extra: &[&str]) -> RnnGradArgs {
    let mut argv = vec!["llm-lens"];
    argv.extend_from_slice(extra);
    Cli::try_parse_from(argv).unwrap().args
}

#[test]
fn rnn_cli_prints_both_series_with_one_entry_per_step() {
    for cell in ["rnn", "lstm"] {
        let args = parse(&[
            "--cell", cell, "--hidden", "8", "--steps", "12", "--scale", "0.9", "--json",
        ]);
        let (text, overflowed) = render(&args).unwrap();
        assert!(!overflowed);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["grad_norms"].as_array().unwrap().len(), 12);
        assert_eq!(v["jacobian_norms"].as_array().unwrap().len(), 12);
        assert!(
            (v["grad_norms"][11].as_f64().unwrap() - 1.0).abs() < 1e-9,
            "last step is the unit readout"
        );
    }
}

#[test]
fn rnn_cli_rejects_out_of_range_values_with_clear_messages() {
    let err = |a: &[&str]| render(&parse(a)).unwrap_err();
    assert!(err(&["--steps", "0"]).contains("--steps"));
    assert!(err(&["--steps", "1001"]).contains("1000"));
    assert!(err(&["--hidden", "513"]).contains("--hidden"));
    assert!(err(&["--scale", "11"]).contains("scale"));
    assert!(err(&["--clip=-1"]).contains("clip"));
    assert!(err(&["--scale=-0.5"]).contains("scale"));
    assert!(Cli::try_parse_from(["llm-lens", "--activation", "gelu"]).is_err());
}
