"""PyTorch side of benches/forward.rs: same shapes, one thread, hidden states and
attentions returned (the equivalent of recording the Trace).

    python benches/torch_forward.py [.cache/minilm]
"""
import statistics
import sys
import time

import torch
from transformers import BertConfig, BertModel

torch.set_num_threads(1)


def ids(n: int) -> torch.Tensor:
    row = [101] + [1000 + (i * 7919) % 29000 for i in range(1, n - 1)] + [102]
    return torch.tensor([row])


def measure(name: str, model: BertModel, n: int, runs: int = 100) -> None:
    x = ids(n)
    with torch.inference_mode():
        for _ in range(5):
            model(input_ids=x, output_hidden_states=True, output_attentions=True)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            model(input_ids=x, output_hidden_states=True, output_attentions=True)
            times.append(time.perf_counter() - t0)
    print(f"{name}: median {statistics.median(times) * 1e3:.2f} ms, min {min(times) * 1e3:.2f} ms")


def main() -> None:
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    tiny = BertConfig(
        vocab_size=30522, hidden_size=128, num_hidden_layers=4, num_attention_heads=4,
        intermediate_size=512, max_position_embeddings=512, type_vocab_size=2,
    )
    tiny._attn_implementation = "eager"
    torch.manual_seed(42)
    model = BertModel(tiny, add_pooling_layer=False).eval()
    measure("tiny_L4_H128_A4_seq64", model, 64)
    if len(sys.argv) > 1:
        minilm = BertModel.from_pretrained(sys.argv[1], add_pooling_layer=False, attn_implementation="eager").eval()
        for n in (32, 128):
            measure(f"minilm_L6_H384_seq{n}", minilm, n)


if __name__ == "__main__":
    main()
