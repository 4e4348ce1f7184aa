#!/usr/bin/env python3
"""gensim's Word2Vec on the shipped corpus, tokenised exactly as llm-lens does.

Peer for `llm-lens word2vec` (see benches/compare_gensim.sh). Prints one JSON
line with the timing and the nearest neighbours of a few words.

    python3 benches/gensim_w2v.py --model skipgram --epochs 1 --workers 1
"""
import argparse
import gzip
import json
import re
import time

from gensim.models import Word2Vec

# Same rule as src/model/text/corpus.rs `words`: runs of letters/digits, inner
# apostrophes kept, lower-cased. Paragraph (line) = sentence, headers skipped.
WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def paragraphs(path):
    opener = gzip.open if path.endswith(".gz") else open
    out = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#doc\t"):
                continue
            toks = [w.lower() for w in WORD.findall(line)]
            if toks:
                out.append(toks)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="assets/corpus/sotu.txt.gz")
    ap.add_argument("--model", choices=["skipgram", "cbow"], default="skipgram")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--words", default="oil,school,germany")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    paras = paragraphs(a.corpus)
    model = Word2Vec(
        vector_size=a.dim, window=5, negative=5, hs=0, min_count=5, sample=1e-3,
        alpha=0.025, min_alpha=0.0001, sg=1 if a.model == "skipgram" else 0,
        workers=a.workers, seed=a.seed,
    )
    model.build_vocab(paras)
    t, cpu = time.perf_counter(), time.process_time()
    effective, raw = model.train(paras, total_examples=model.corpus_count, epochs=a.epochs)
    dt, cpu = time.perf_counter() - t, time.process_time() - cpu
    result = {
        "peer": "gensim",
        "model": a.model,
        "workers": a.workers,
        "epochs": a.epochs,
        "raw_words_in_corpus": sum(map(len, paras)),
        "vocab": len(model.wv),
        "seconds": dt,
        "words_per_sec": raw / dt,
        "effective_words_per_sec": effective / dt,
        "train_cpu_seconds": cpu,
        "effective_words_per_cpu_sec": effective / cpu,
        "neighbours": {
            w: [(n, round(s, 3)) for n, s in model.wv.most_similar(w, topn=10)]
            for w in a.words.split(",") if w in model.wv
        },
    }
    if a.out:
        model.wv.save_word2vec_format(a.out)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
