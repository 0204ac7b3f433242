#!/usr/bin/env python3
"""Checks that newsclean's Parquet output loads, as it is, in pyarrow, pandas and DuckDB.

Usage: scripts/check_parquet.py [--install] FILE.parquet [FILE.parquet ...]

pyarrow is required (with --install, missing packages are pip-installed: pyarrow, pandas,
duckdb); without it the check is skipped with exit code 0, so CI without Python packages passes.
pandas and DuckDB are checked when installed. Exit code 1 when a file does not load or its
columns are not of the documented types.
"""

import importlib
import subprocess
import sys


def try_import(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def main(argv):
    install = "--install" in argv
    paths = [a for a in argv if a != "--install"]
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if install:
        missing = [p for p in ("pyarrow", "pandas", "duckdb") if try_import(p) is None]
        if missing:
            subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=False)
    pa = try_import("pyarrow")
    pq = try_import("pyarrow.parquet") if pa else None
    if pq is None:
        print("check_parquet: skipped: pyarrow is not installed (pip install pyarrow, or --install)")
        return 0
    pd = try_import("pandas")
    duckdb = try_import("duckdb")

    failures = []
    for path in paths:
        table = pq.read_table(path)
        meta = pq.ParquetFile(path).metadata
        codecs = {
            meta.row_group(g).column(c).compression
            for g in range(meta.num_row_groups)
            for c in range(meta.num_columns)
        }
        print(
            f"{path}: pyarrow: {table.num_rows} rows, {meta.num_row_groups} row groups, "
            f"codecs {sorted(codecs)}, created by {meta.created_by!r}"
        )
        schema = table.schema
        expected = {
            "id": pa.string(),
            "site": pa.string(),
            "title": pa.string(),
            "text": pa.string(),
            "n_words": pa.int64(),
            "summary": pa.list_(pa.string()),
            "related": pa.list_(pa.string()),
        }
        for name, typ in expected.items():
            if name in schema.names and schema.field(name).type != typ:
                failures.append(f"{path}: column {name} is {schema.field(name).type}, expected {typ}")
        if "sections" in schema.names:
            sections = schema.field("sections").type
            if not pa.types.is_list(sections) or not pa.types.is_struct(sections.value_type):
                failures.append(f"{path}: sections is {sections}, expected list<struct<...>>")
            else:
                names = [sections.value_type.field(i).name for i in range(sections.value_type.num_fields)]
                if names[:2] != ["heading", "paragraphs"]:
                    failures.append(f"{path}: sections fields are {names}")
        if table.num_rows and "id" in schema.names:
            ids = table.column("id").to_pylist()
            if len(set(ids)) != len(ids):
                # Not an error: two input roots can hold the same relative path.
                print(f"{path}: note: {len(ids) - len(set(ids))} repeated ids")
        if codecs - {"ZSTD"}:
            failures.append(f"{path}: codecs {sorted(codecs)}, expected ZSTD only")

        if pd is not None:
            frame = pd.read_parquet(path)
            print(f"{path}: pandas: {frame.shape[0]} rows x {frame.shape[1]} columns; dtypes: "
                  + ", ".join(f"{c}={t}" for c, t in list(frame.dtypes.items())[:6]) + ", ...")
            if frame.shape[0] != table.num_rows:
                failures.append(f"{path}: pandas read {frame.shape[0]} rows, pyarrow {table.num_rows}")
        else:
            print(f"{path}: pandas: not installed, skipped")

        if duckdb is not None:
            con = duckdb.connect()
            n = con.execute("SELECT count(*) FROM read_parquet(?)", [path]).fetchone()[0]
            detail = ""
            if "sections" in schema.names:
                n_paragraphs = con.execute(
                    "SELECT coalesce(sum(len(s.paragraphs)), 0) FROM "
                    "(SELECT unnest(sections) AS s FROM read_parquet(?))",
                    [path],
                ).fetchone()[0]
                detail = f", {n_paragraphs} paragraphs via unnest(sections)"
            print(f"{path}: duckdb: {n} rows{detail}")
            if n != table.num_rows:
                failures.append(f"{path}: duckdb read {n} rows, pyarrow {table.num_rows}")
        else:
            print(f"{path}: duckdb: not installed, skipped")

    for failure in failures:
        print(f"check_parquet: FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
