"""A bounded cache of per-word results: words repeat a lot, so each is worked out once."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

WORD_CACHE_SIZE = 200_000


class WordCache(dict):
    """word -> ``compute(word)``, computed on first use (``cache[word]``); emptied when it grows
    past :data:`WORD_CACHE_SIZE`, and pickled empty (``compute`` must pickle)."""

    def __init__(self, compute: Callable[[str], Any]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, word: str) -> Any:
        if len(self) >= WORD_CACHE_SIZE:
            self.clear()
        value = self[word] = self.compute(word)
        return value

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.compute,)
