"""The lemma of a word, from spaCy's English lookup table.

spaCy keeps a lookup ``Table`` keyed by the *hash* of each word, not by the word, so a plain
``dict(table.items())`` can never be asked for ``"running"``. :class:`LemmaTable` hashes the
word the way spaCy does and remembers the answer, so the lemma view holds lemmas ("told" ->
"tell", "cards" -> "card") and not a second copy of the words.
"""
from __future__ import annotations

from collections.abc import ItemsView, Iterable, Mapping

from spacy.strings import hash_string

from .cache import WordCache


class LemmaTable:
    """``table.get(word, default)``: the lemma of a lower-case word, or ``default``."""

    def __init__(self, by_hash: Mapping[int, str]) -> None:
        self.by_hash = dict(by_hash)
        self._by_word = WordCache(self._lookup)
        self._lemma_or_word = WordCache(self._lemma_or_itself)

    def _lookup(self, word: str) -> str | None:
        return self.by_hash.get(hash_string(word))

    def _lemma_or_itself(self, word: str) -> str:
        return self.by_hash.get(hash_string(word), word)

    def get(self, word: str, default: str | None = None) -> str | None:
        lemma = self._by_word[word]
        return default if lemma is None else lemma

    def lemmas_of(self, words: Iterable[str]) -> tuple[str, ...]:
        """Each word's lemma, or the word itself when the table has none (``get(word, word)``
        for each word). Read from a cache by plain dict lookups: no Python call per word."""
        return tuple(map(self._lemma_or_word.__getitem__, words))

    def items(self) -> ItemsView[int, str]:
        """(word hash, lemma) pairs, as spaCy's ``Lookups`` stores them."""
        return self.by_hash.items()

    def __len__(self) -> int:
        return len(self.by_hash)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LemmaTable) and other.by_hash == self.by_hash

    def __reduce__(self) -> tuple:
        return type(self), (self.by_hash,)
