"""Peer for the BPE training benchmark: SentencePiece trains a BPE vocabulary of
8,000 on the same corpus, one thread, and prints its wall time as JSON.

    python benches/sentencepiece_bpe.py [--corpus assets/corpus/sotu.txt.gz]

Run it back to back with `llm-lens bpe-train --corpus <unpacked corpus>
--vocab-size 8000 --out /tmp/m.txt` (or `cargo bench --bench tok -- train`) and
compare the two times from the same session.
"""

import argparse
import gzip
import json
import os
import tempfile
import time

import sentencepiece as spm


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="assets/corpus/sotu.txt.gz")
    ap.add_argument("--vocab-size", type=int, default=8000)
    a = ap.parse_args()
    opener = gzip.open if a.corpus.endswith(".gz") else open
    with opener(a.corpus, "rt", encoding="utf-8") as f:
        lines = [l for l in f.read().splitlines() if l.strip() and not l.startswith("#doc")]
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "corpus.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        start = time.perf_counter()
        spm.SentencePieceTrainer.train(
            input=path,
            model_prefix=os.path.join(d, "m"),
            model_type="bpe",
            vocab_size=a.vocab_size,
            num_threads=1,
            max_sentence_length=1 << 20,
            minloglevel=2,
        )
        secs = time.perf_counter() - start
    print(json.dumps({"peer": "sentencepiece", "version": spm.__version__,
                      "vocab_size": a.vocab_size, "seconds": secs}))


if __name__ == "__main__":
    main()
