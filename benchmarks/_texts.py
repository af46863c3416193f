"""Benchmark texts: real customer text from the shared corpora (read-only, never labelled here)."""
from __future__ import annotations

import json
import random
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def customer_texts(seed: int = 0) -> list[str]:
    """App reviews, banking queries and complaint letters, shuffled."""
    texts = []
    for folder in ("app_reviews_is22", "banking77", "cfpb_complaints"):
        with (CORPORA / folder / "texts.jsonl").open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh]
    random.Random(seed).shuffle(texts)
    return texts
