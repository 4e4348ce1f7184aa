"""Loads a folder written by `llm-lens train-bert` with PyTorch's
BertForPreTraining and prints, as `llm-lens fill-mask --json` does, the top-k
guesses for every [MASK], plus P(IsNext) for a pair, so the two can be compared.

    python benches/torch_check_export.py DIR "text with [MASK]" [second sentence]

Needs `pip install torch transformers`. The check in the issue note: the same
tokens and probabilities within 1e-4 (see compare_export.sh).
"""
import json
import sys

import torch
from transformers import BertForPreTraining, BertTokenizer

model_dir, text = sys.argv[1], sys.argv[2]
pair = sys.argv[3] if len(sys.argv) > 3 else None
tok = BertTokenizer(f"{model_dir}/vocab.txt", do_lower_case=True)
model = BertForPreTraining.from_pretrained(model_dir).eval()
enc = tok(text, pair, return_tensors="pt")
with torch.no_grad():
    out = model(**enc)
probs = out.prediction_logits[0].softmax(-1)
masks = (enc["input_ids"][0] == tok.mask_token_id).nonzero().flatten().tolist()
blanks = []
for at in masks:
    p, ids = probs[at].topk(5)
    blanks.append([{"token": tok.convert_ids_to_tokens(int(i)), "prob": float(q)} for q, i in zip(p, ids)])
is_next = float(out.seq_relationship_logits[0].softmax(-1)[0])
print(json.dumps({"blanks": blanks, "is_next": is_next}))
