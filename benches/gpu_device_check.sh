#!/usr/bin/env bash
# Every check that needs a real GPU, in one run, for a session lent a GPU machine:
#   1. parity: `llm-lens trace --backend gpu` against `--backend cpu` on the built-in
#      model (and MiniLM when .cache/minilm is there), largest difference printed
#      (absolute, relative above 1; the goal is 1e-4);
#   2. forward pass with the full trace read back: tiny at seq 128, BERT-base's shape
#      at 128 and 512, on the GPU and the CPU, with the adapter's name;
#   3. the matmul kernel's GFLOP/s at 2048 and 4096;
#   4. PyTorch on the same GPU (benches/torch_forward_cuda.py), when it has CUDA.
#
#   BIN=path/to/release/llm-lens OUT=folder bash benches/gpu_device_check.sh
#
# QUICK=1 shrinks every size so the script itself can be tried on lavapipe.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/llm-lens}
OUT=${OUT:-/tmp/llm-lens-gpu-check}
PY=${PYTHON:-python3}
mkdir -p "$OUT"
if [ "${QUICK:-0}" = 1 ]; then
  SEQS="8"; BASE_SEQS=""; MATMUL="128"; RUNS=3
else
  SEQS="128"; BASE_SEQS="128 512"; MATMUL="2048 4096"; RUNS=50
fi
TEXT="The president asked congress for money to build the bank by the river."

# Largest difference between two trace JSON files' hidden states and attentions.
compare() {
  "$PY" - "$1" "$2" <<'PYEOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def diff(x, y):
    if isinstance(x, list):
        return max((diff(p, q) for p, q in zip(x, y)), default=0.0)
    if isinstance(x, (int, float)) and isinstance(y, (int, float)):
        return abs(x - y) / max(1.0, abs(y))
    return 0.0
d = max(diff(a[k], b[k]) for k in ("hidden_states", "attentions"))
same = a["tokens"] == b["tokens"]
verdict = "ok" if d <= 1e-4 and same else "FAILED"
print(f"  {verdict}: largest difference {d:.3g}, tokens equal: {same}; "
      f"{a.get('backend')} ({a.get('adapter') or a.get('note') or ''}) vs {b.get('backend')}")
PYEOF
}

echo "== parity: trace --backend gpu vs cpu"
for model in assets/models/*/ .cache/minilm/; do
  [ -f "$model/config.json" ] || continue
  echo "$model"
  "$BIN" trace --model "$model" --text "$TEXT" --backend gpu --json > "$OUT/gpu.json" &&
    "$BIN" trace --model "$model" --text "$TEXT" --backend cpu --json > "$OUT/cpu.json" &&
    compare "$OUT/gpu.json" "$OUT/cpu.json"
done
rm -f "$OUT/gpu.json" "$OUT/cpu.json"

echo "== forward pass with the trace read back (median and p95 of $RUNS)"
bench() { "$BIN" bench --model "$1" --seq "$2" --runs "$RUNS" --backend "$3"; }
for seq in $SEQS; do
  bench tiny "$seq" gpu
  bench tiny "$seq" cpu
done
for seq in $BASE_SEQS; do
  bench bert-base-shape "$seq" gpu
done
# The CPU runs BERT-base's shape once, for scale (a few hundred ms a pass).
for seq in $BASE_SEQS; do
  "$BIN" bench --model bert-base-shape --seq "$seq" --runs 3 --warmup 1 --backend cpu
  break
done

echo "== matmul kernel"
for n in $MATMUL; do
  "$BIN" bench --matmul "$n" --runs "$RUNS"
done

echo "== PyTorch on the same GPU"
"$PY" benches/torch_forward_cuda.py --runs "$RUNS" || echo "  (PyTorch not run)"
