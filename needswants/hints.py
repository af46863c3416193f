"""Hints: patterns of the guideline's cases that single marker words miss, as classifier features.

Each hint is a regular expression over the lower-cased text ("I was told", a measured span
such as "three weeks", "should have", "would be nice", narration such as "I called"), named
after the case it points at in ``data/GUIDELINES.md``. A statement's hints become feature tokens
(``hint=told``; in a question also ``hint=told&q``); the classifier learns how much each counts.
Like the cues, hints never decide a label and were never used to label training data. They
were written once from the guideline, before any model error was looked at.

The patterns run once over a whole text, and each match counts for the statement it starts in.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

_NUMBER = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|few|couple of|many|\d+\+)"

#: hint name -> pattern, searched anywhere in the lower-cased text (straight apostrophes)
HINTS: dict[str, str] = {
    # expectations: norms, promises, measured waiting, benchmarks, rights
    "should": r"\bshould(?:n't| not)?\b",
    "should_have": r"\bshould(?:n't| not)? have\b|\bshould've\b",
    "supposed": r"\bsupposed to\b",
    "would": r"\bwould\b|'d\b",
    "told": r"\b(?:was|were|been|i am|i'm) (?:told|promised|assured|informed|advised|guaranteed)\b|\btold me\b"
            r"|\bpromised\b",
    "said_will": r"\b(?:said|stated|claimed|told \w+)(?: that)? (?:it|they|i|we|this|the \w+) (?:would|will|could)\b",
    "span": rf"\b{_NUMBER} (?:\w+ )?(?:business |working )?(?:days?|weeks?|months?|years?|hours?|minutes?)\b",
    "ago": r"\bago\b|\bsince\b|\bas of\b",
    "date": r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\bxx/xx|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d",
    "still": r"\bstill\b",
    "yet": r"\byet\b",
    "still_waiting": r"\bstill (?:waiting|no|not|haven|hasn|have not|has not|nothing)\b",
    "price": r"\$\s?\d|£\s?\d|€\s?\d|\bfor the price\b|\bpaid\b|\bpaying\b|\bpremium\b|\bsubscription\b|\bworth\b"
             r"|\bfree\b",
    "law": r"\blaw\b|\blegal\b|\billegal\b|\bviolat|\bfcra\b|\bfdcpa\b|\bstatute\b|\bsection \d|\brights?\b"
           r"|\bu\.?s\.?c\b|\bentitled\b",
    "norm": r"\bunacceptable\b|\bridiculous\b|\bshouldn|\bat least\b|\bby now\b|\bnormally\b|\busually\b"
            r"|\bas advertised\b|\bexpect|\bstandard\b|\breasonable\b|\bnever\b"
            r"|\bno (?:notice|explanation|response|reply|one)\b"
            r"|\bwithout (?:any |prior )?(?:notice|warning|explanation|consent|permission)\b",
    "hope": r"\bhop(?:e|ing|efully)\b|\btrust\b",
    "future": r"\bwill\b|'ll\b|\bgoing to\b|\bgonna\b",
    # wants: requests, suggestions, options, choices
    "please": r"\bplease\b|\bpls\b|\bplz\b",
    "can_you": r"\b(?:can|could|would|will) you\b",
    "suggest": r"\b(?:you|they|spotify|it|app|developers?|devs?) (?:should|need to|needs to|ought to|must) "
               r"(?:add|make|let|have|bring|include|allow|give|put|offer|fix|update|improve)\b"
               r"|\bshould (?:add|have an option|let|allow|bring)\b",
    "nice_if": r"\bwould be (?:nice|great|awesome|cool|good|better|helpful|amazing)\b|\bi wish\b"
               r"|\bwish (?:it|there|they|you)\b",
    "do_you_have": r"\bdo you (?:have|offer|sell|do|provide|support|accept)\b"
                   r"|\bis there (?:a|an|any) (?:option|way|version|setting)\b",
    "want": r"\b(?:i|we) (?:want|would like|'d like|would love|'d love|prefer|'d prefer|would prefer|'d rather"
            r"|would rather)\b",
    "want_know_help": r"\b(?:want|would like|'d like) (?:to know|to understand|help|some help|assistance)\b",
    "instead": r"\binstead\b|\brather than\b|\bnot a refund\b|\bor (?:a|an)\b",
    # needs: problems, what must happen, what the customer must find out
    "i_cant": r"\bi (?:can't|cannot|can not|cant|am unable|'m unable|couldn't|could not|am not able|'m not able)\b",
    "not_work": r"\b(?:doesn't|does not|isn't|is not|won't|wont|will not|didn't|did not|not|never) "
                r"(?:work|working|load|loading|open|opening|let|show|showing|arrive|arrived)\b",
    "know": r"\b(?:like|want|need|wanted|wish) to (?:know|understand|find out|see why)\b|\bcan you (?:tell|explain)\b",
    "need": r"\b(?:i|we) (?:need|have to|must|require|got to)\b|\bneeds? to be\b|\bis required\b",
    "it_needs": r"\b(?:it|app|this|the app) needs\b",
    "need_stop": r"\bneeds? to (?:stop|be fixed|work)\b",
    "my_thing": r"\bmy (?:money|refund|card|account|order|payment|transfer|package)\b",
    "remove": r"\b(?:remov|delet|correct|fix|cancel|close|refund|reimburs)\w*",
    # none: praise, thanks, greetings, narration
    "praise": r"\b(?:love|great|awesome|amazing|excellent|best|fantastic|perfect|wonderful|good app|nice app)\b",
    "thanks": r"\bthanks?\b|\bthank you\b|\bappreciate\b",
    "no_first": r"\bi (?:don't|do not|didn't|did not|haven't|have not|never)\b",
    "past_i": r"\bi (?:called|contacted|sent|emailed|spoke|tried|submitted|filed|paid|made|went|received|got|asked"
              r"|chased)\b",
    "redacted": r"\bx{2,}\b",
    "exclaim": r"!",
}
#: hint name -> whole words (maximal runs of word characters, as ``\w+`` finds them) one of which
#: every match of it holds: a quick test that lets most texts skip the pattern (tests check it). Of
#: a phrase's words the rarest is named ("my refund": "refund", not "my"), so fewer texts are searched
KEY_WORDS: dict[str, frozenset[str]] = {name: frozenset(words.split()) for name, words in {
    "should": "should shouldn",  # "shouldn't" holds the word "shouldn"
    "should_have": "should shouldn",
    "supposed": "supposed",
    "would": "would d",  # "i'd" holds the words "i" and "d"
    "told": "told promised assured informed advised guaranteed",
    "said_will": "said stated claimed told",
    "span": "day days week weeks month months year years hour hours minute minutes",
    "ago": "ago since as",
    "still": "still",
    "yet": "yet",
    "still_waiting": "still",
    "price": "price paid paying premium subscription worth free",  # "for the price" holds "price"
    "law": "law legal illegal fcra fdcpa statute section right rights u us usc entitled",
    "norm": "unacceptable ridiculous least now normally usually advertised standard reasonable never "
            "notice explanation response reply one without",  # "at least": "least", "no one": "one", ...
    "hope": "hope hoping hopefully trust",
    "future": "will ll going gonna",
    "please": "please pls plz",
    "can_you": "you",
    "suggest": "should need needs ought must",
    "nice_if": "would wish",
    "do_you_have": "you there",
    "want": "want would d prefer",
    "want_know_help": "know understand help assistance",
    "instead": "instead rather refund or",
    "i_cant": "can cannot cant am m couldn could",
    "not_work": "work working load loading open opening let show showing arrive arrived",
    "know": "know understand find see tell explain",
    "need": "need needs have must require required got",
    "it_needs": "needs",
    "need_stop": "need needs",
    "my_thing": "money refund card account order payment transfer package",
    "praise": "love great awesome amazing excellent best fantastic perfect wonderful good nice",
    "thanks": "thank thanks appreciate",
    "no_first": "don do didn did haven have never",
    "past_i": "called contacted sent emailed spoke tried submitted filed paid made went received got asked chased",
}.items()}
#: hint name -> strings one of which every match of it holds that its key words miss (a match holds
#: one of its key words or one of these); same use as the key words
ANCHORS: dict[str, tuple[str, ...]] = {
    "date": ("/", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    "price": ("$", "£", "€"),
    "law": ("violat",),
    "norm": ("shouldn", "expect"),
    "remove": ("remov", "delet", "correct", "fix", "cancel", "close", "refund", "reimburs"),
    "redacted": ("xx",),
    "exclaim": ("!",),
}
#: hint name -> pattern that must match where the statement starts
START_HINTS: dict[str, str] = {
    "greeting": r"(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b"
                r"|(?:regards|sincerely|best|cheers|kind regards)\b",
    "wh_question": r"(?:how|why|where|when|what|who|which)\b",
    "can_i": r"(?:can|could|may) i\b|is it possible\b|is there\b",
    "first_person": r"(?:i|we|my|our)\b",
    "third_person": r"(?:you|your|they|their|it|this|the)\b",
}
#: searched in the original case: a shouted word (not a redaction such as XXXX)
SHOUTING = re.compile(r"\b(?!X+\b)[A-Z]{4,}\b")
#: four capitals in a row, which every shouted word holds: a quick search for where shouting may
#: begin (the regex engine skips ahead to a capital; SHOUTING, which opens with assertions, cannot)
_CAPITALS = re.compile(r"[A-Z]{4}")

_WORD_START = re.compile(r"(?:^|\|)\\b")  # a "\b" that opens the pattern or one of its alternatives


def _fast(pattern: str) -> re.Pattern[str]:
    """``pattern`` without the ``\\b`` that opens each alternative. Python's regex engine skips
    ahead to a literal only when the pattern begins with one, and a leading ``\\b`` hides it;
    :func:`_first_match_start` then asks for the word boundary instead (at top level every
    alternative that begins with a word character begins with ``\\b``)."""
    top_level = re.sub(r"\(\?:[^()]*\)", lambda group: "#" * len(group.group()), pattern)  # hide groups
    cut = [m.end() - 2 for m in _WORD_START.finditer(top_level)]
    for at in reversed(cut):
        pattern = pattern[:at] + pattern[at + 2:]
    return re.compile(pattern)


@dataclass(frozen=True, eq=False)  # hashed by identity: each hint is one object
class _Hint:
    name: str
    pattern: re.Pattern[str]  # the fast form (see :func:`_fast`)


_HINTS = {name: _Hint(name, _fast(pattern)) for name, pattern in HINTS.items()}
_HINTS_BY_KEY_WORD: dict[str, list[_Hint]] = {}
for _name, _words in KEY_WORDS.items():
    for _word in _words:
        _HINTS_BY_KEY_WORD.setdefault(_word, []).append(_HINTS[_name])
_ANCHORED = [(_HINTS[name], anchors) for name, anchors in ANCHORS.items()]
_ALL_KEY_WORDS = frozenset(_HINTS_BY_KEY_WORD)
_ALWAYS = [hint for name, hint in _HINTS.items() if name not in KEY_WORDS and name not in ANCHORS]
_WORD = re.compile(r"\w+")
#: every start hint in one pattern, a named group each. Each start hint opens with words of its own
#: (each alternative is a word, then a word boundary or a space), so at most one matches where a
#: statement starts, and one match call finds which (tests check this against the separate patterns)
_START_PATTERN = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in START_HINTS.items()))
_ALL_NAMES = [*HINTS, *START_HINTS, "shouting"]
_TOKEN = {name: f"hint={name}" for name in _ALL_NAMES}  # hint name -> its feature token
_QUESTION_TOKEN = {name: f"hint={name}&q" for name in _ALL_NAMES}  # ... and its token in a question


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _first_match_start(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Where the first match of ``pattern`` at or after ``pos`` starts that begins a word when
    it begins with a word character (as ``\\b`` would ask); -1 when there is none."""
    while True:
        match = pattern.search(text, pos)
        if match is None:
            return -1
        at = match.start()
        if at == 0 or not _word_char(text[at]) or not _word_char(text[at - 1]):
            return at
        pos = at + 1


def normalise(text: str) -> str:
    """Lower case with straight apostrophes, the same length as ``text`` (so offsets hold)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters ("İ") lower to two: keep those as they are
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lowered.replace("’", "'").replace("‘", "'")


def _hints_that_may_occur(lowered: str) -> set[_Hint]:
    """The hints that can match in ``lowered``: those with one of their key words or anchors there
    (the others cannot, and most texts hold few). The text's words are looked up in the frozen set
    of all key words (its words need no set of their own), and a hint already in is not asked
    for its anchors."""
    present = _ALL_KEY_WORDS.intersection(_WORD.findall(lowered))
    found = {hint for word in present for hint in _HINTS_BY_KEY_WORD[word]}
    for hint, anchors in _ANCHORED:
        if hint not in found:
            for anchor in anchors:
                if anchor in lowered:
                    found.add(hint)
                    break
    found.update(_ALWAYS)
    return found


def _shouting_starts(text: str) -> list[int]:
    """Where each match of :data:`SHOUTING` in ``text`` starts. The search begins at the first
    four capitals (no match can start before them; the word boundary still sees the character
    before), so most texts, which hold none, cost one quick search."""
    first = _CAPITALS.search(text)
    if first is None:
        return []
    return [match.start() for match in SHOUTING.finditer(text, first.start())]


def statement_hints(text: str, ranges: Sequence[tuple[int, int]]) -> list[list[str]]:
    """The hint tokens of each statement of ``text`` (character ranges, sorted and disjoint)."""
    found: list[set[str]] = [set() for _ in ranges]
    if not ranges:
        return []
    starts = [start for start, _ in ranges]
    lowered = normalise(text)

    def credit(name: str, at: int) -> None:
        i = bisect.bisect_right(starts, at) - 1
        if i >= 0 and at < ranges[i][1]:
            found[i].add(name)

    for hint in _hints_that_may_occur(lowered):
        at = _first_match_start(hint.pattern, lowered, 0)
        while at >= 0:
            credit(hint.name, at)
            i = bisect.bisect_right(starts, at)  # the next statement: one match per statement is enough
            if i >= len(starts):
                break
            at = _first_match_start(hint.pattern, lowered, starts[i])
    for at in _shouting_starts(text):
        credit("shouting", at)
    out = []
    for (start, end), names in zip(ranges, found):
        opening = _START_PATTERN.match(lowered, start)
        if opening:
            names.add(opening.lastgroup)
        ordered = sorted(names)
        tokens = [_TOKEN[name] for name in ordered]
        if lowered[start:end].rstrip().endswith("?"):
            tokens += [_QUESTION_TOKEN[name] for name in ordered]
        out.append(tokens)
    return out
