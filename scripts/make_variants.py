#!/usr/bin/env python3
"""Packs a directory of text pages as compressed archives, for throughput runs on archives.

    python3 scripts/make_variants.py CORPUS_DIR OUT_DIR [--shards 20]

OUT_DIR/jsonl_zst/part-NNN.jsonl.zst   the pages as {"id", "text"} JSON lines, zstd (level 3),
                                       in SHARDS shards (needs the `zstd` command)
OUT_DIR/warc_gz/part-NNN.warc.gz       the pages as WARC `conversion` records (text/plain), each
                                       record its own gzip member as in Common Crawl's WET files

Pages are taken in sorted order; the same input gives the same bytes.
"""
import argparse
import gzip
import json
import shutil
import subprocess
import uuid
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument('src', type=Path)
ap.add_argument('out', type=Path)
ap.add_argument('--shards', type=int, default=20)
a = ap.parse_args()

names = sorted(p.name for p in a.src.iterdir() if p.suffix == '.txt')
for d in ('jsonl_zst', 'warc_gz'):
    shutil.rmtree(a.out / d, ignore_errors=True)
    (a.out / d).mkdir(parents=True)

per_shard = -(-len(names) // a.shards)
for s in range(a.shards):
    part = names[s * per_shard:(s + 1) * per_shard]
    if not part:
        break
    jsonl = a.out / 'jsonl_zst' / f'part-{s:03d}.jsonl'
    with open(jsonl, 'w', encoding='utf-8') as out:
        for name in part:
            text = (a.src / name).read_text(encoding='utf-8')
            out.write(json.dumps({'id': name[:-4], 'text': text}, ensure_ascii=False) + '\n')
    subprocess.run(['zstd', '-q', '-f', '--rm', '-3', str(jsonl), '-o', f'{jsonl}.zst'], check=True)
    with open(a.out / 'warc_gz' / f'part-{s:03d}.warc.gz', 'wb') as out:
        for name in part:
            body = (a.src / name).read_bytes()
            record_id = uuid.uuid5(uuid.NAMESPACE_URL, name)
            header = (
                'WARC/1.0\r\nWARC-Type: conversion\r\n'
                f'WARC-Target-URI: http://pages.example/{name[:-4]}\r\n'
                f'WARC-Record-ID: <urn:uuid:{record_id}>\r\n'
                'WARC-Date: 2024-01-01T00:00:00Z\r\nContent-Type: text/plain\r\n'
                f'Content-Length: {len(body)}\r\n\r\n'
            ).encode()
            out.write(gzip.compress(header + body + b'\r\n\r\n', mtime=0))
print(f'{len(names)} pages in {a.shards} shards under {a.out}')
