"""Speed and memory of `nw.pipe`, beside spaCy's bare tokenizer + sentencizer on the same texts.

    python benchmarks/speed.py                   # prints a Markdown table; writes benchmarks/out/speed.json
    python benchmarks/speed.py --model accurate  # the same for the accurate model: out/speed_accurate.json

Single process, this machine. Both sides first label the same 2,000 other texts (warm-up), then
label the measured texts, which are new to both, taking turns chunk by chunk (each going first
in every other chunk); the share of bare is the ratio of the two total times on the same texts.
The texts are chosen (enough for 20,000 statements) by a needswants in a child process, so the
timed one has seen none of them.
Statements/s over sentences/s, the unit of earlier versions, is printed beside it. Peak memory and start-up time are measured
in fresh processes.
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MIN_STATEMENTS = 20_000
WARM_TEXTS = 2_000  # both sides label these first, so neither meets the language for the first time
CHUNK_TEXTS = 500


def child(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=HERE)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="default", help="a shipped model's name or a model folder")
    model = parser.parse_args().model
    sys.path.insert(0, str(HERE))
    import spacy

    import needswants
    from _texts import customer_texts

    texts = customer_texts()
    warm, texts = texts[:WARM_TEXTS], texts[WARM_TEXTS:]
    # take texts until they hold at least MIN_STATEMENTS statements, counted in a child process, so
    # the timed instance is this process's first and meets them for the first time, as bare spaCy does
    counted = child(
        "import json, sys\n"
        f"sys.path.insert(0, {str(HERE)!r})\n"
        "from _texts import customer_texts\n"
        "import needswants\n"
        f"texts, count = customer_texts()[{WARM_TEXTS}:], 0\n"
        f"for n, result in enumerate(needswants.load({model!r}).pipe(texts), 1):\n"
        "    count += len(result.statements)\n"
        f"    if count >= {MIN_STATEMENTS}:\n"
        "        break\n"
        "print(json.dumps({'texts': n}))"
    )
    chosen = texts[:counted["texts"]]
    bare = spacy.blank("en")
    bare.add_pipe("sentencizer")
    nw = needswants.load(model)
    list(bare.pipe(warm))
    list(nw.pipe(warm))

    # both label each chunk in turn, so a busy spell on this shared machine slows both alike
    count_units = {"bare": lambda chunk: sum(len(list(doc.sents)) for doc in bare.pipe(chunk)),
                   "nw": lambda chunk: sum(len(r.statements) for r in nw.pipe(chunk))}
    seconds, units = {"bare": 0.0, "nw": 0.0}, {"bare": 0, "nw": 0}  # units: sentences, statements
    for n, first in enumerate(range(0, len(chosen), CHUNK_TEXTS)):
        chunk = chosen[first:first + CHUNK_TEXTS]
        for side in (("bare", "nw") if n % 2 == 0 else ("nw", "bare")):  # neither always goes first
            start = time.perf_counter()
            units[side] += count_units[side](chunk)
            seconds[side] += time.perf_counter() - start
    bare_seconds, nw_seconds = seconds["bare"], seconds["nw"]
    sentences, statements = units["bare"], units["nw"]

    # fresh processes: time to the first labelled statement, and peak memory over the run
    first = child(
        "import time; t = time.perf_counter()\n"
        "import needswants\n"
        f"nw = needswants.load({model!r}); r = nw('I was told it would arrive Monday.')\n"
        "import json; print(json.dumps({'seconds': time.perf_counter() - t}))"
    )
    peak = child(
        "import json, resource, sys\n"
        f"sys.path.insert(0, {str(HERE)!r})\n"
        "from _texts import customer_texts\n"
        "import needswants\n"
        f"texts = customer_texts()[{WARM_TEXTS}:{WARM_TEXTS} + {len(chosen)}]\n"
        f"nw = needswants.load({model!r})\n"
        "n = sum(len(r.statements) for r in nw.pipe(texts))\n"
        "print(json.dumps({'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'n': n}))"
    )
    result = {
        "model": model,
        "texts": len(chosen),
        "statements": statements,
        "bare_sentences": sentences,
        "bare_sentences_per_s": sentences / bare_seconds,
        "needswants_statements_per_s": statements / nw_seconds,
        "bare_seconds": bare_seconds,
        "needswants_seconds": nw_seconds,
        "texts_per_s": {"bare": len(chosen) / bare_seconds, "needswants": len(chosen) / nw_seconds},
        # the share of bare's speed on the same texts (texts/s over texts/s)
        "ratio_to_bare": bare_seconds / nw_seconds,
        # the unit of earlier versions: statements/s over sentences/s (a text has more statements
        # than sentences, so this reads higher)
        "statements_per_s_over_sentences_per_s": (statements / nw_seconds) / (sentences / bare_seconds),
        "import_to_first_statement_s": first["seconds"],
        "peak_rss_mb": peak["peak_mb"],
        "machine": f"{platform.machine()}, {platform.python_version()}, "
                   f"{len(__import__('os').sched_getaffinity(0))} cores",
    }
    (HERE / "out").mkdir(exist_ok=True)
    name = "speed.json" if model == "default" else f"speed_{Path(model).name}.json"
    (HERE / "out" / name).write_text(json.dumps(result, indent=2) + "\n")
    print(f"| measure | value |\n|---|---|\n"
          f"| texts / statements | {result['texts']:,} / {result['statements']:,} |\n"
          f"| spaCy tokenizer + sentencizer | {result['texts_per_s']['bare']:,.0f} texts/s "
          f"({result['bare_sentences_per_s']:,.0f} sentences/s) |\n"
          f"| `nw.pipe` (1 process) | {result['texts_per_s']['needswants']:,.0f} texts/s "
          f"({result['needswants_statements_per_s']:,.0f} statements/s) |\n"
          f"| share of bare's speed on the same texts | **{result['ratio_to_bare']:.0%}** "
          f"(statements/s over sentences/s: {result['statements_per_s_over_sentences_per_s']:.0%}) |\n"
          f"| `import needswants` to first labelled statement | {result['import_to_first_statement_s']:.2f} s |\n"
          f"| peak memory (RSS) labelling all {result['statements']:,} statements | {result['peak_rss_mb']:.0f} MB |")


if __name__ == "__main__":
    main()
