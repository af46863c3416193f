"""Marker words ("cues") for each label, for negation and for the expectation's level.

The cues are matched with a spaCy ``PhraseMatcher`` on the tokens' ``NORM`` (lower case, with
curly apostrophes and contractions normalised: "can’t" matches "can't" and "cannot"). They give the
classifier features (it learns how much each cue counts) and give the output its ``cue``,
``explicit``, ``negated``, ``level`` hints and the anchor of ``target``. They never decide a
label on their own, and they were never used to label training data.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .segment import TokenTable

# "explicit": the label's own marker words (data/GUIDELINES.md, rule 1).
# "implicit": words that often signal the label by function (rule 3).
CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "need": {
        "explicit": (
            "need", "needs", "needed", "needing", "i need", "we need", "have to", "has to", "had to",
            "got to", "gotta", "must", "require", "requires", "required", "requirement", "necessary",
            "essential", "urgently need", "it's essential", "mandatory",
        ),
        "implicit": (
            "can't", "cannot", "can not", "cant", "unable to", "not able to", "won't", "wont", "doesn't work",
            "does not work", "not working", "isn't working", "stopped working", "broken", "stuck",
            "crash", "crashes", "crashed", "crashing", "error", "fails", "failed", "failing", "bug",
            "glitch", "freezes", "frozen", "keeps", "so that i can", "so i can", "in order to",
            "help", "help me", "please help", "fix", "fix this", "how do i", "how can i", "how to",
            "how long", "why", "why is", "why was", "why did", "where is", "where's", "when will",
            "what happened", "what do i do", "what should i do", "is there a way", "wrong", "missing",
            "lost", "declined", "charged twice", "deadline", "urgent", "asap", "by friday", "problem",
            "issue", "not received", "haven't received", "hasn't arrived", "locked out", "log in",
            "login", "reset", "explain", "i'd like to know", "i would like to know", "want to know",
            "not showing", "disappeared", "incorrect", "not mine", "dispute",
        ),
    },
    "want": {
        "explicit": (
            "want", "wants", "wanted", "i want", "would like", "i'd like", "id like", "i would like",
            "we'd like", "i'd love", "would love", "love to", "i'd prefer", "prefer", "preferably",
            "rather", "i'd rather", "would rather", "wish", "i wish", "looking for", "i'm looking for",
            "would be great", "would be nice", "it would be great if",
            "it would be nice if", "please add", "can you add", "could you add", "can you make",
            "could you make", "should add", "should make", "should let", "should have an option",
        ),
        "implicit": (
            "add", "option", "feature", "instead", "instead of", "rather than", "not a refund",
            "replacement", "upgrade", "dark mode", "do you have", "do you offer", "do you sell",
            "do you do", "can i get", "can i have", "could i get", "is it possible to get",
            "is there an option", "in blue", "in black", "in white", "please bring back", "bring back",
            "allow", "let us", "let me", "support for", "more", "suggestion", "suggest", "request",
            "choose", "choice", "switch to", "cancel", "change my", "order", "buy", "hoping to", "i hope to",
        ),
    },
    "expectation": {
        "explicit": (
            "expect", "expected", "expecting", "expectation", "i expect", "assume", "assumed",
            "supposed to", "was supposed to", "should", "shouldn't", "should not", "should have",
            "should've", "ought to", "promised", "promise", "promises", "i was told", "was told",
            "were told", "told me", "they told me", "assured", "guaranteed", "guarantee", "as advertised",
            "advertised", "by now", "at least", "at the very least", "for the price", "normally",
            "usually", "i trust", "trust",
            "counting on", "i'm counting on", "stated", "agreed",
        ),
        "implicit": (
            "still", "yet", "weeks", "days", "months", "hours", "week", "month", "again", "as usual",
            "unacceptable", "ridiculous", "outrageous", "worth", "not worth", "for a premium",
            "premium", "paid for", "paying for", "still waiting", "waiting", "been waiting", "never",
            "no response", "no reply", "no one", "nobody", "ever since", "as promised", "said",
            "per the", "according to", "the law", "by law", "violation", "in accordance", "policy",
            "standard", "deserve", "reasonable", "on time", "late", "delay", "delayed", "ago",
            "i'd hope", "i would hope", "i hope", "hope", "hopefully",  # hope is not a marker (GUIDELINES 5)
        ),
    },
}

NEGATIONS: tuple[str, ...] = (
    "not", "n't", "no", "never", "none", "nothing", "nobody", "neither", "nor", "without",
    "cannot", "cant", "dont", "didnt", "doesnt", "wont", "isnt", "havent", "hasnt", "no longer",
)

LEVEL_CUES: dict[str, tuple[str, ...]] = {
    "desired": (
        "hope", "hoping", "hopefully", "i'd hope", "i would hope", "ideally", "ideal", "i trust",
        "would be nice", "would appreciate", "i'd appreciate", "wish", "counting on", "looking forward",
    ),
    "adequate": (
        "at least", "at the very least", "the least", "minimum", "bare minimum", "acceptable",
        "unacceptable", "reasonable", "should", "shouldn't", "should have", "by now", "for the price",
        "ridiculous", "still", "deserve", "worth", "by law", "the law", "required by", "basic",
    ),
    "predicted": (
        "expect", "expected", "expecting", "i expect", "will", "'ll", "going to", "told", "was told",
        "promised", "promise", "supposed to", "guaranteed", "said", "assured", "usually", "as usual",
        "again", "probably", "assume", "advertised", "as advertised",
    ),
}


@dataclass(frozen=True, slots=True)
class CueMatch:
    """One matched marker inside a statement: its kind (e.g. ``need``), class and character span."""

    kind: str  # a label, "negation", or "level:<level>"
    strength: str  # "explicit", "implicit" or "" (negation and level)
    phrase: str
    start: int  # character offsets into the Doc's text
    end: int


class CueMatcher:
    """Find every cue of a Doc with one ``PhraseMatcher`` pass."""

    def __init__(self, nlp: Language) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        tokenizer = nlp.tokenizer
        groups: dict[str, tuple[str, ...]] = {}
        for label, strengths in CUES.items():
            for strength, phrases in strengths.items():
                groups[f"{label}|{strength}"] = phrases
        groups["negation|"] = NEGATIONS
        for level, phrases in LEVEL_CUES.items():
            groups[f"level:{level}|"] = phrases
        for key, phrases in groups.items():
            self.matcher.add(key, [tokenizer(p) for p in sorted(set(phrases))])
        self._vocab = nlp.vocab
        self._keys: dict[int, tuple[str, str]] = {}

    def __call__(self, doc: Doc, table: TokenTable | None = None) -> list[CueMatch]:
        """All cues of ``doc``, sorted by position (longest first where two start together).

        ``table`` (the Doc's :class:`~needswants.segment.TokenTable`) saves re-reading the tokens."""
        matches = self.matcher(doc)
        if not matches:
            return []
        table = table or TokenTable.of(doc)
        found = []
        for match_id, start, end in matches:
            kind, strength = self._kind_and_strength(match_id)
            start_char, end_char = table.start_char(start), table.end_char(end)
            found.append(CueMatch(kind, strength, table.text[start_char:end_char].lower(), start_char, end_char))
        found.sort(key=lambda m: (m.start, -m.end))
        return found

    def _kind_and_strength(self, match_id: int) -> tuple[str, str]:
        """``("need", "explicit")`` for the match key ``"need|explicit"`` (split once per key)."""
        split = self._keys.get(match_id)
        if split is None:
            kind, strength = self._vocab.strings[match_id].split("|")
            split = self._keys[match_id] = (kind, strength)
        return split
