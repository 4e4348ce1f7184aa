"""PyTorch's side of `llm-lens bench --backend gpu` on an NVIDIA GPU: the issue's
reference setting (eager fp32, TF32 off, batch 1, every hidden state and attention
copied to the host), run in the same session as ours so the ratio is fair.

    python benches/torch_forward_cuda.py [--runs 50]

Prints one line per shape: tiny (L4 H128 A4) at seq 128, BERT-base's shape at 128
and 512, with random weights (no download).
"""

import argparse
import statistics
import time

import torch
from transformers import BertConfig, BertModel


def config(layers: int, hidden: int, heads: int, ffn: int) -> BertConfig:
    c = BertConfig(
        vocab_size=30522, hidden_size=hidden, num_hidden_layers=layers,
        num_attention_heads=heads, intermediate_size=ffn,
        max_position_embeddings=512, type_vocab_size=2,
    )
    c._attn_implementation = "eager"
    return c


def measure(name: str, model: BertModel, seq: int, runs: int) -> None:
    row = [101] + [1000 + (i * 7919) % 29000 for i in range(1, seq - 1)] + [102]
    x = torch.tensor([row], device="cuda")

    def once():
        out = model(input_ids=x, output_hidden_states=True, output_attentions=True)
        # The trace: every tensor on the host, as our readback does.
        return [t.cpu() for t in out.hidden_states] + [a.cpu() for a in out.attentions]

    with torch.inference_mode():
        for _ in range(5):
            once()
        torch.cuda.synchronize()
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            once()
            torch.cuda.synchronize()
            times.append(time.perf_counter() - t0)
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"torch {name} seq {seq}: median {statistics.median(times) * 1e3:.3f} ms, p95 {p95 * 1e3:.3f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    a = ap.parse_args()
    if not torch.cuda.is_available():
        print("torch: no CUDA device; nothing measured")
        return
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name(0)}, fp32, TF32 off")
    tiny = BertModel(config(4, 128, 4, 512)).cuda().eval()
    measure("tiny", tiny, 128, a.runs)
    base = BertModel(config(12, 768, 12, 3072)).cuda().eval()
    measure("bert-base-shape", base, 128, a.runs)
    measure("bert-base-shape", base, 512, a.runs)


if __name__ == "__main__":
    main()
