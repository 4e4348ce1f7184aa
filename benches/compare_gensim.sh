#!/usr/bin/env bash
# Side-by-side word2vec benchmark: gensim (benches/gensim_w2v.py) and
# `llm-lens word2vec` (release), same corpus, tokenisation and settings
# (dim 100, window 5, negative 5, min_count 5, sample 1e-3), run back to back.
#
#   PYTHON=/path/to/venv/bin/python bash benches/compare_gensim.sh > bench.jsonl
#
# Speed: 1 epoch, 1 and 2 threads, both architectures. Quality: 5 epochs,
# skip-gram, neighbours of oil, school, germany from both.
set -euo pipefail
PY=${PYTHON:-python3}
BIN=target/release/llm-lens
cargo build --release --quiet
OUT=$(mktemp -d)
for model in skipgram cbow; do
  for t in 1 2; do
    "$PY" benches/gensim_w2v.py --model "$model" --epochs 1 --workers "$t" --words ""
    "$BIN" word2vec --model "$model" --epochs 1 --threads "$t" --json 2>/dev/null
  done
done
"$PY" benches/gensim_w2v.py --model skipgram --epochs 5 --workers 2
"$BIN" word2vec --model skipgram --epochs 5 --threads 2 --json --out "$OUT/sg5.txt" 2>/dev/null
for w in oil school germany; do
  "$BIN" neighbours --vectors "$OUT/sg5.txt" --word "$w" -k 10 --json
done
rm -rf "$OUT"
