"""PyTorch's CPU pre-training throughput on the same BERT shape and batch as
`llm-lens train-bert`, for the side-by-side in benches/compare_train_bert.sh.

    python benches/torch_train_bert.py --vocab 8000 --hidden 128 --layers 4 \
        --heads 4 --seq 128 --batch 32 --threads 2 --steps 20

Batches are random ids with BERT's masking pattern (15 % of positions scored,
one NSP label per pair): speed does not depend on the text. Prints one JSON line:
tokens/s over the timed steps (after two warm-up steps), MLM + NSP with AdamW.
"""
import argparse
import json
import time

import torch
from transformers import BertConfig, BertForPreTraining

p = argparse.ArgumentParser()
p.add_argument("--vocab", type=int, default=8000)
p.add_argument("--hidden", type=int, default=128)
p.add_argument("--layers", type=int, default=4)
p.add_argument("--heads", type=int, default=4)
p.add_argument("--seq", type=int, default=128)
p.add_argument("--batch", type=int, default=32)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--steps", type=int, default=20)
a = p.parse_args()

torch.manual_seed(0)
torch.set_num_threads(a.threads)
config = BertConfig(
    vocab_size=a.vocab,
    hidden_size=a.hidden,
    num_hidden_layers=a.layers,
    num_attention_heads=a.heads,
    intermediate_size=4 * a.hidden,
    max_position_embeddings=a.seq,
    hidden_dropout_prob=0.0,
    attention_probs_dropout_prob=0.0,
)
model = BertForPreTraining(config)
model.train()
opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)


def batch():
    ids = torch.randint(5, a.vocab, (a.batch, a.seq))
    ids[:, 0] = 2
    ids[:, a.seq // 2] = 3
    ids[:, -1] = 3
    types = torch.zeros_like(ids)
    types[:, a.seq // 2 + 1 :] = 1
    labels = torch.full_like(ids, -100)
    chosen = torch.rand(ids.shape) < 0.15
    labels[chosen] = ids[chosen]
    nsp = torch.randint(0, 2, (a.batch,))
    return ids, types, labels, nsp


def step():
    ids, types, labels, nsp = batch()
    out = model(input_ids=ids, token_type_ids=types, labels=labels, next_sentence_label=nsp)
    opt.zero_grad()
    out.loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()


for _ in range(2):
    step()
start = time.perf_counter()
for _ in range(a.steps):
    step()
secs = time.perf_counter() - start
print(json.dumps({
    "impl": "pytorch",
    "torch": torch.__version__,
    "threads": a.threads,
    "tokens_per_s": a.steps * a.batch * a.seq / secs,
    "steps": a.steps,
}))
