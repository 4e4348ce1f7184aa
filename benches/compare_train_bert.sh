#!/usr/bin/env bash
# Pre-training throughput, llm-lens against PyTorch on the CPU: the same BERT shape
# (vocabulary 8,000, 4 layers, hidden 128, 4 heads, FFN 512), 128-token pairs,
# batch 32, MLM + NSP with AdamW, the same thread count. Runs alternate (Rust,
# PyTorch, Rust, ...) so both see the same machine state; prints each run's
# tokens/s and the ratio of the medians.
#
#   bash benches/compare_train_bert.sh [rounds=3] [threads=2] [steps=30]
#
# Needs a release build (cargo build --release) and a Python with torch and
# transformers (PYTHON=/path/to/python to choose it). Run it on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
threads=${2:-2}
steps=${3:-30}
python=${PYTHON:-python3}
bin=${LLM_LENS_BIN:-target/release/llm-lens}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rust=()
torch=()
for r in $(seq "$rounds"); do
  rm -rf "$tmp/run"
  "$bin" train-bert --out "$tmp/run" --steps "$((steps + 2))" --warmup 2 \
    --vocab-size 8000 --layers 4 --hidden 128 --heads 4 \
    --seq-len 128 --short-seq-len 128 --long-from 0 --nsp-from 0 --batch 32 \
    --threads "$threads" --log-every "$((steps + 2))" --eval-every 1000000 \
    --checkpoint-minutes 1000 2>/dev/null
  # The one log line covers every update (the first two included).
  r_tps=$(tail -1 "$tmp/run/log.csv" | cut -d, -f10)
  t_tps=$("$python" benches/torch_train_bert.py --vocab 8000 --hidden 128 --layers 4 \
    --heads 4 --seq 128 --batch 32 --threads "$threads" --steps "$steps" 2>/dev/null |
    "$python" -c 'import json,sys; print(round(json.load(sys.stdin)["tokens_per_s"]))')
  echo "round $r: llm-lens $r_tps tokens/s, pytorch $t_tps tokens/s"
  rust+=("$r_tps")
  torch+=("$t_tps")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rm_=$(median "${rust[@]}")
tm_=$(median "${torch[@]}")
echo "median: llm-lens $rm_ tokens/s, pytorch $tm_ tokens/s, ratio $(awk -v a="$rm_" -v b="$tm_" 'BEGIN {printf "%.2f", a / b}')"
