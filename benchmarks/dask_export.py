"""Rows per second of `needswants label --scheduler local:N` against the single-process command.

    python benchmarks/dask_export.py [--rows 40000] [--files 8]   # Markdown table; writes benchmarks/out/dask.json

Builds the realistic tickets of `batch.py`, split into ``--files`` CSV files (a partitioned export),
then times, each as a fresh `needswants label` process on this machine: the single-process command
over one CSV of all rows; and `--scheduler local:1` and `local:2` over the glob of the split files
(one Dask task per file). The Dask times include starting the local cluster and loading the model
in each worker, which a long-running cluster pays once.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from batch import OUT, command_on, make_tickets

csv.field_size_limit(sys.maxsize)


def split_export(source: Path, folder: Path, files: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with source.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    size = -(-len(body) // files)
    for index in range(files):
        with (folder / f"tickets-{index:03d}.csv").open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(body[index * size:(index + 1) * size])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--files", type=int, default=8)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    source = OUT / f"tickets_{args.rows}.csv"
    if not source.exists():
        make_tickets(source, args.rows)
    folder = OUT / f"tickets_{args.rows}_in_{args.files}"
    if not folder.exists():
        split_export(source, folder, args.files)
    columns = ["--text-column", "body", "--id-column", "id"]
    single = command_on(source, OUT / "dask_single.jsonl", columns)
    runs = {n: command_on(Path(folder / "*.csv"), OUT / f"dask_local_{n}", [*columns, "--format", "jsonl",
                                                                           "--scheduler", f"local:{n}"])
            for n in (1, 2)}
    result = {"rows": args.rows, "files": args.files, "single_process": single,
              "local_1": runs[1], "local_2": runs[2],
              "overhead_1_worker": runs[1]["seconds"] / single["seconds"] - 1,
              "speedup_2_workers": runs[1]["seconds"] / runs[2]["seconds"]}
    (OUT / "dask.json").write_text(json.dumps(result, indent=2) + "\n")
    print("| run | seconds | rows/s |\n|---|---|---|")
    for name, r in [("`needswants label` (one process, one CSV)", single),
                    (f"`--scheduler local:1` ({args.files} CSV files)", runs[1]),
                    (f"`--scheduler local:2` ({args.files} CSV files)", runs[2])]:
        print(f"| {name} | {r['seconds']:.1f} | {args.rows / r['seconds']:,.0f} |")
    print(f"\nOne Dask worker takes {result['overhead_1_worker']:+.0%} against the single-process command; "
          f"two workers run {result['speedup_2_workers']:.2f}x as fast as one.")


if __name__ == "__main__":
    main()
