"""End-to-end throughput of `needswants label` against the library's own `pipe` on the same texts.

    python benchmarks/batch.py [--rows 100000]   # prints a Markdown table; writes benchmarks/out/batch.json
    python benchmarks/batch.py --memory-rows 1000000  # peak memory of the command on a 1M-row CSV

Builds a CSV of realistic multi-sentence tickets from real customer text (a greeting, two to
four customer texts, sometimes a quoted earlier reply and a signature), then times, in fresh
processes: `nw.pipe` over the ticket texts; the `label` command (read, clean, label, write
JSONL) with 1 and with 2 worker processes. Peak memory is the command's maximum RSS.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def make_tickets(path: Path, rows: int) -> None:
    sys.path.insert(0, str(HERE))
    from _texts import customer_texts

    texts = [t for t in customer_texts(seed=1) if len(t) < 1500]
    rng = random.Random(1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "subject", "body"])
        for n in range(rows):
            body = rng.choice(["Hi,", "Hello team,", "Dear Support,", ""]) + "\n\n"
            body += "\n\n".join(rng.sample(texts, rng.randint(2, 4)))
            if rng.random() < 0.3:
                body += "\n\nOn Mon, 3 Mar 2025, Support <help@example.com> wrote:\n> Thanks for reaching out.\n> We are on it."
            if rng.random() < 0.3:
                body += "\n\nSent from my iPhone"
            writer.writerow([f"T{n}", rng.choice(["Order", "Billing", "App", "Card"]), body])


def timed(code: str) -> dict:
    wrapped = (
        "import json, resource, time\n"
        "t = time.perf_counter()\n" + code +
        "\nprint(json.dumps({'seconds': time.perf_counter() - t, "
        "'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
    )
    out = subprocess.run([sys.executable, "-c", wrapped], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def command(source: Path, output: Path, n_process: int) -> dict:
    return command_on(source, output, ["--text-column", "body", "--id-column", "id", "--n-process", str(n_process)])


def memory_run(rows: int) -> None:
    """Peak RSS of `needswants label` on a CSV of ``rows`` short banking queries (flat if it streams)."""
    import itertools

    sys.path.insert(0, str(HERE))
    from _texts import CORPORA

    source = OUT / f"short_{rows}.csv"
    if not source.exists():
        texts = [json.loads(line)["text"] for line in (CORPORA / "banking77" / "texts.jsonl").open(encoding="utf-8")]
        with source.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "text"])
            writer.writerows([n, t] for n, t in zip(range(rows), itertools.cycle(texts)))
    run = command_on(source, OUT / "short_labelled.jsonl", ["--id-column", "id"])
    print(f"| {rows:,} rows (short queries) | {run['seconds']:.0f} s | {rows / run['seconds']:,.0f} rows/s | "
          f"{run['peak_mb']:.0f} MB peak RSS |")


def command_on(source: Path, output: Path, extra: list[str]) -> dict:
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-m", "needswants", "label", str(source),
                           "-o", str(output), "--force", "--quiet", *extra], capture_output=True, text=True, check=True)
    return {"seconds": time.perf_counter() - start, "peak_mb": int(done.stderr.strip().splitlines()[-1]) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--memory-rows", type=int, default=0)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    if args.memory_rows:
        memory_run(args.memory_rows)
        return
    source = OUT / f"tickets_{args.rows}.csv"
    if not source.exists():
        make_tickets(source, args.rows)
    pipe = timed(
        "import csv, sys\n"
        "csv.field_size_limit(sys.maxsize)\n"
        "import needswants\n"
        f"texts = [r['body'] for r in csv.DictReader(open({str(source)!r}, encoding='utf-8', newline=''))]\n"
        "nw = needswants.load()\n"
        "n = sum(len(r.statements) for r in nw.pipe(texts))\n"
    )
    one = command(source, OUT / "labelled_1.jsonl", 1)
    two = command(source, OUT / "labelled_2.jsonl", 2)
    result = {"rows": args.rows, "pipe": pipe, "label_1_process": one, "label_2_processes": two,
              "overhead": one["seconds"] / pipe["seconds"] - 1, "speedup_2_processes": one["seconds"] / two["seconds"]}
    (OUT / "batch.json").write_text(json.dumps(result, indent=2) + "\n")
    print("| run | seconds | rows/s | peak RSS |\n|---|---|---|---|")
    for name, r in [("`nw.pipe` on the raw ticket texts", pipe), ("`needswants label` (CSV in, JSONL out)", one),
                    ("`needswants label --n-process 2`", two)]:
        print(f"| {name} | {r['seconds']:.0f} | {args.rows / r['seconds']:,.0f} | {r['peak_mb']:.0f} MB |")
    print(f"\nReading, cleaning and writing add {result['overhead']:+.0%} to `pipe`; "
          f"2 processes run {result['speedup_2_processes']:.2f}x as fast as 1.")


if __name__ == "__main__":
    main()
