#!/usr/bin/env bash
# Every check that needs a real GPU, in one run, for a session lent a GPU machine:
#   1. parity: `llm-lens trace --backend gpu` against `--backend cpu` on the built-in
#      model (and MiniLM when .cache/minilm is there), largest difference printed
#      (absolute, relative above 1; the goal is 1e-4);
#   2. forward pass at each trace level (full; hidden-and-attention, what PyTorch
#      copies back below; predictions), with the bytes each level reads back: tiny at
#      seq 128, BERT-base's shape at 128 and 512, on the GPU; the CPU once for scale;
#   3. the per-kernel profile (timestamp queries, or the line saying there are none)
#      of tiny and BERT-base's shape at 128 tokens;
#   4. the matmul kernels' GFLOP/s, every tiling: square 2048 and 4096, and BERT-base's
#      products at 128 tokens (M×K×N: Q/K/V and output 128x768x768, FFN up
#      128x768x3072, FFN down 128x3072x768, MLM decoder 128x768x30522) and at 32;
#   5. PyTorch on the same GPU (benches/torch_forward_cuda.py), when it has CUDA.
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
LEVELS="full hidden-and-attention predictions"
if [ "${QUICK:-0}" = 1 ]; then
  SEQS="8"; BASE_SEQS=""; PROFILE_SEQ=8; RUNS=3
  MATMUL="128 8x48x96 32x64x130"
else
  SEQS="128"; BASE_SEQS="128 512"; PROFILE_SEQ=128; RUNS=50
  MATMUL="2048 4096 128x768x768 128x768x3072 128x3072x768 128x768x30522 32x768x768 32x768x3072"
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

echo "== forward pass at each trace level (median and p95 of $RUNS; readback per level)"
bench() { "$BIN" bench --model "$1" --seq "$2" --runs "$RUNS" --backend "$3" --detail "$4"; }
for seq in $SEQS; do
  for level in $LEVELS; do bench tiny "$seq" gpu "$level"; done
  bench tiny "$seq" cpu full
done
for seq in $BASE_SEQS; do
  for level in $LEVELS; do bench bert-base-shape "$seq" gpu "$level"; done
done
# The CPU runs BERT-base's shape once, for scale (a few hundred ms a pass).
for seq in $BASE_SEQS; do
  "$BIN" bench --model bert-base-shape --seq "$seq" --runs 3 --warmup 1 --backend cpu
  break
done

echo "== per-kernel profile at $PROFILE_SEQ tokens (hidden-and-attention read back)"
for model in tiny bert-base-shape; do
  [ "${QUICK:-0}" = 1 ] && [ "$model" != tiny ] && continue
  "$BIN" bench --model "$model" --seq "$PROFILE_SEQ" --runs "$RUNS" --backend gpu \
    --detail hidden-and-attention --profile
done

echo "== matmul kernels, every tiling (M×K×N)"
for shape in $MATMUL; do
  "$BIN" bench --matmul "$shape" --runs "$RUNS"
done

echo "== PyTorch on the same GPU"
"$PY" benches/torch_forward_cuda.py --runs "$RUNS" || echo "  (PyTorch not run)"
echo "== the script took ${SECONDS}s"
