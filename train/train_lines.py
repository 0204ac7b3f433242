#!/usr/bin/env python3
"""Train the newsclean line classifier on the dev benchmark, cross-validated over pages.

    python3 train/train_lines.py [--bench ../shared/bench/dev] [--folds 5] [--write-model]

Steps (all features come from Rust: `newsclean features`, the function inference uses):
  1. export pass-1 features of every live line of every dev page;
  2. label each line by matching it to the page's ground truth (token trigrams);
  3. k-fold cross-validation over pages (a page is never scored by a model that saw it):
     pass 1 -> out-of-fold probabilities -> `newsclean features --p1` -> pass-2 features ->
     pass 2 -> out-of-fold probabilities;
  4. end-to-end cross-validation: for each fold, the Rust binary cleans that fold's pages with
     the model trained on the other folds; the merged outputs are scored with score.py;
  5. with --write-model, train both passes on all pages and write
     crates/segment/model/line-model.json.

Training never runs at product run time; the product reads the JSON model in Rust.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import lightgbm as lgb
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / 'target' / 'release' / 'newsclean'
MODEL_PATH = ROOT / 'crates' / 'segment' / 'model' / 'line-model.json'
TOKEN = re.compile(r'\w+')
EXCLUDES = ['--exclude', '*.truth.txt', '--exclude', '*.md', '--exclude', '*.jsonl']

PARAMS = dict(
    objective='binary', learning_rate=0.08, num_leaves=31, min_child_samples=40,
    feature_fraction=0.8, bagging_fraction=0.8, bagging_freq=1, lambda_l2=1.0,
    seed=7, deterministic=True, force_row_wise=True, num_threads=2, verbose=-1,
)
N_ROUNDS = 160


def log(msg: str) -> None:
    print(f'[{time.strftime("%H:%M:%S")}] {msg}', file=sys.stderr, flush=True)


def newsclean(*args: str) -> None:
    subprocess.run([str(BIN), *args], check=True)


def load_tsv(path: Path):
    with path.open(encoding='utf-8') as f:
        header = f.readline().rstrip('\n').split('\t')
        meta = [line.rstrip('\n').split('\t', 4)[:4] for line in f]
    names = header[4:]
    x = np.loadtxt(path, delimiter='\t', skiprows=1, usecols=range(4, 4 + len(names)),
                   dtype=np.float32, comments=None, quotechar=None, ndmin=2)
    return names, meta, x


def fold_of(doc: str, k: int) -> int:
    return int(hashlib.md5(doc.encode()).hexdigest(), 16) % k


def trigrams(tokens):
    return [tuple(tokens[i:i + 3]) for i in range(len(tokens) - 2)]


def label(meta, bench: Path, manifest) -> np.ndarray:
    """1 when the line is article body text according to the truth, else 0."""
    y = np.zeros(len(meta), dtype=np.int8)
    by_doc = {}
    for r, (doc, _line, _kind, _text) in enumerate(meta):
        by_doc.setdefault(doc, []).append(r)
    for doc, rows in by_doc.items():
        truth_path = bench / f'{doc}.truth.txt'
        if not truth_path.exists():
            continue
        lines = [l for l in truth_path.read_text(encoding='utf-8', errors='replace').splitlines() if l.strip()]
        if manifest.get(doc, {}).get('has_title') and lines:
            lines = lines[1:]
        tokens = TOKEN.findall('\n'.join(lines))
        grams = set(trigrams(tokens))
        whole = {tuple(TOKEN.findall(l)) for l in lines}
        for r in rows:
            toks = TOKEN.findall(meta[r][3])
            if len(toks) >= 3:
                g = trigrams(toks)
                y[r] = sum(1 for t in g if t in grams) / len(g) >= 0.6
            elif toks:
                y[r] = tuple(toks) in whole
    return y


def train(x, y, rounds=N_ROUNDS):
    return lgb.train(PARAMS, lgb.Dataset(x, label=y, free_raw_data=False), num_boost_round=rounds)


def flatten(node):
    f, t, l, r, v = [], [], [], [], []

    def visit(n):
        if 'leaf_value' in n:
            v.append(n['leaf_value'])
            return -len(v)
        assert n['decision_type'] == '<=', n['decision_type']
        idx = len(f)
        f.append(n['split_feature'])
        t.append(n['threshold'])
        l.append(0)
        r.append(0)
        l[idx] = visit(n['left_child'])
        r[idx] = visit(n['right_child'])
        return idx

    visit(node)
    return {'f': f, 't': t, 'l': l, 'r': r, 'v': v}


def forest(booster):
    return {'trees': [flatten(t['tree_structure']) for t in booster.dump_model()['tree_info']]}


def model_json(b1, b2, names1, names2, threshold, meta):
    return {'format': 'newsclean-line-model-1', 'trained': meta, 'features': names1, 'features_2': names2,
            'threshold': threshold, 'pass1': forest(b1), 'pass2': forest(b2)}


def write_p1(path: Path, meta, p1):
    with path.open('w') as f:
        for (doc, line, _k, _t), p in zip(meta, p1):
            f.write(f'{doc}\t{line}\t{float(p):.7g}\n')


def load_scorer():
    spec = importlib.util.spec_from_file_location('score', ROOT.parent / 'shared' / 'bench' / 'score.py')
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--bench', type=Path, default=ROOT.parent / 'shared' / 'bench' / 'dev')
    ap.add_argument('--folds', type=int, default=5)
    ap.add_argument('--work', type=Path, default=ROOT / 'train' / 'work')
    ap.add_argument('--write-model', action='store_true')
    ap.add_argument('--skip-e2e', action='store_true')
    args = ap.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    if not BIN.exists():
        subprocess.run(['cargo', 'build', '--release'], cwd=ROOT, check=True)
    manifest = {}
    for ln in (args.bench / 'manifest.jsonl').read_text().splitlines():
        if ln.strip():
            rec = json.loads(ln)
            manifest[rec['id']] = rec

    log('exporting pass-1 features')
    newsclean('features', str(args.bench), *EXCLUDES, '-o', str(work / 'f1.tsv'), '-q')
    names1, meta, x1 = load_tsv(work / 'f1.tsv')
    keep = np.array([m[0] in manifest for m in meta])
    meta = [m for m, k in zip(meta, keep) if k]
    x1 = x1[keep]
    y = label(meta, args.bench, manifest)
    docs = sorted({m[0] for m in meta})
    folds = np.array([fold_of(m[0], args.folds) for m in meta])
    log(f'{len(docs)} pages, {len(meta)} live lines, {y.mean():.3f} positive, {x1.shape[1]} features')

    log('pass 1, cross-validated')
    p1 = np.zeros(len(meta), dtype=np.float64)
    fold_models = []
    for k in range(args.folds):
        b = train(x1[folds != k], y[folds != k])
        p1[folds == k] = b.predict(x1[folds == k])
        fold_models.append([b, None])
    write_p1(work / 'p1_oof.tsv', meta, p1)
    newsclean('features', str(args.bench), *EXCLUDES, '-o', str(work / 'f2.tsv'), '--p1', str(work / 'p1_oof.tsv'), '-q')
    names2, meta2, x2 = load_tsv(work / 'f2.tsv')
    assert [m[:2] for m in meta2 if m[0] in manifest] == [m[:2] for m in meta]
    x2 = x2[np.array([m[0] in manifest for m in meta2])]

    log('pass 2, cross-validated')
    p2 = np.zeros(len(meta), dtype=np.float64)
    for k in range(args.folds):
        b = train(x2[folds != k], y[folds != k])
        p2[folds == k] = b.predict(x2[folds == k])
        fold_models[k][1] = b
    for name, p in (('pass 1', p1), ('pass 2', p2)):
        pred = p >= 0.5
        tp = (pred & (y == 1)).sum()
        prec = tp / max(pred.sum(), 1)
        rec = tp / max((y == 1).sum(), 1)
        log(f'{name} line-level (cv): P {prec:.3f} R {rec:.3f} F1 {2 * prec * rec / (prec + rec):.3f}')

    threshold = 0.5
    summary = {'pages': len(docs), 'lines': len(meta), 'folds': args.folds, 'rounds': N_ROUNDS,
               'params': {k: v for k, v in PARAMS.items() if k not in ('num_threads', 'verbose')}}
    if not args.skip_e2e:
        log('end-to-end cross-validation through the Rust binary')
        out = work / 'cv_out'
        shutil.rmtree(out, ignore_errors=True)
        for k in range(args.folds):
            fold_dir = work / f'fold{k}'
            shutil.rmtree(fold_dir, ignore_errors=True)
            fold_dir.mkdir()
            for doc in docs:
                if fold_of(doc, args.folds) == k:
                    os.symlink(args.bench / f'{doc}.txt', fold_dir / f'{doc}.txt')
            model_path = work / f'model-fold{k}.json'
            b1, b2 = fold_models[k]
            model_path.write_text(json.dumps(model_json(b1, b2, names1, names2, threshold, {'fold': k})))
            newsclean('run', str(fold_dir), '--line-model', str(model_path), '-f', 'text', '-o', str(out), '-q')
        res = subprocess.run([sys.executable, str(ROOT.parent / 'shared' / 'bench' / 'score.py'), str(args.bench), str(out),
                              '--json', str(work / 'cv_score.json'), '--n-bootstrap', '200'],
                             check=True, capture_output=True, text=True)
        print(res.stdout)
        summary['cv'] = json.loads((work / 'cv_score.json').read_text())['summary']

    if args.write_model:
        log('training on all pages')
        b1 = train(x1, y)
        # Pass 2 learns from out-of-fold pass-1 probabilities, as it will see at run time on new pages.
        b2 = train(x2, y)
        MODEL_PATH.write_text(json.dumps(model_json(b1, b2, names1, names2, threshold, summary), separators=(',', ':')))
        log(f'wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size} bytes)')


if __name__ == '__main__':
    main()
