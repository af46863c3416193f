"""Cut candidate statements (sentences) from the shared corpora for human reading.

This only *selects and cuts* text; it never assigns a label. Labels are given by
reading each statement against data/GUIDELINES.md (see data/README.md).

Run from the repository root:
    python data/tools/make_candidates.py ../shared/corpora data/annotation             # round 1
    python data/tools/make_candidates.py ../shared/corpora data/annotation --round N   # round N, 2 to 13

Round 1 draws 9 banking queries per intent, 40 reviews per app and 200 letters; round 2 draws
records never used in round 1 into *_c/*_d; rounds 3 to 11 draw records no earlier round used
into the batches that FRESH_ROUNDS names, with the sizes it gives (data/README.md has the table).
Rounds 7 to 10 took no letters; round 11 took every letter still unused. Round 12 also took up to
two more random sentences of every letter read before (more_letters), and round 13 every review of
more than 60 words still unused, all its sentences (long_reviews).
Each round excludes only what earlier rounds drew (ROUND_BATCHES), so any round can be cut again
and gives the same files; existing batches are only rewritten with --force.
"""
from __future__ import annotations

import json
import random
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import spacy

SEED = 20261123
# Used only to *oversample* complaint sentences likely to hold expectations, which
# are rare elsewhere; every sampled sentence is still read and labelled by a person.
EXPECTATION_HINTS = re.compile(
    r"\b(told|promis|should|supposed|expect|assur|guarantee|still|weeks|months|by now|never|"
    r"agreed|advertis|at least|as of|yet|stated|informed)\w*",
    re.I,
)


def sentences(nlp, text: str):
    doc = nlp(text)
    for sent in doc.sents:
        span = sent.text.strip()
        if not span or not re.search(r"\w", span):
            continue
        start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
        yield start, start + len(span), span


def add_sentences(batch: list[dict], nlp, corpus: str, row: dict, spans=None) -> None:
    """Append the sentences of one record (or the chosen ``spans`` of it) as candidates."""
    for start, end, span in spans if spans is not None else sentences(nlp, row["text"]):
        batch.append({"cid": None, "source": f"{corpus}:{row['id']}", "start": start, "end": end, "text": span})


def letter_sentences(nlp, rng: random.Random, row: dict, hinted_n: int, total_n: int) -> list:
    """Up to ``total_n`` sentences (3-60 words) of a letter, ``hinted_n`` of them with expectation hints."""
    sents = [s for s in sentences(nlp, row["text"]) if 3 <= len(s[2].split()) <= 60]
    hinted = [s for s in sents if EXPECTATION_HINTS.search(s[2])]
    chosen = rng.sample(hinted, min(hinted_n, len(hinted)))
    rest = [s for s in sents if s not in chosen]
    chosen += rng.sample(rest, min(total_n - len(chosen), len(rest)))
    return sorted(chosen)


def read(path: Path):
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@dataclass(frozen=True)
class FreshRound:
    """One round of :func:`fresh_round`: its batch names per corpus and how many records each draws."""

    banking: tuple[str, ...]
    reviews: tuple[str, ...]
    letters: tuple[str, ...]
    sizes: tuple[int, int, int]  # banking queries, reviews, letters
    # more sentences of letters that earlier rounds already drew from: batch names, sentences per letter
    more_letters: tuple[str, ...] = ()
    more_per_letter: int = 0
    # reviews of more than 60 words (every sentence): batch names, how many reviews
    long_reviews: tuple[str, ...] = ()
    n_long_reviews: int = 0

    def __post_init__(self) -> None:
        if self.more_per_letter and not self.more_letters:
            raise ValueError(f"{self.more_per_letter} more sentences per letter but no batch to put them in")
        if self.n_long_reviews and not self.long_reviews:
            raise ValueError(f"{self.n_long_reviews} long reviews but no batch to put them in")
        for corpus, names, size in zip(("banking", "reviews", "letters"), (self.banking, self.reviews, self.letters),
                                       self.sizes):
            if size and not names:
                raise ValueError(f"{size} {corpus} records but no batch to put them in")

    @property
    def batches(self) -> tuple[str, ...]:
        more = tuple(n for n in self.more_letters if n not in self.letters)
        return self.banking + self.reviews + self.letters + more + self.long_reviews


#: rounds 3 onwards (the batch letters do not tell rounds apart: complaints_d is round 2)
FRESH_ROUNDS: dict[int, FreshRound] = {
    3: FreshRound(("banking_d",), ("reviews_d", "reviews_e"), ("complaints_e", "complaints_f"), (150, 300, 200)),
    4: FreshRound(("banking_e",), ("reviews_f", "reviews_g"), ("complaints_g", "complaints_h"), (150, 300, 200)),
    5: FreshRound(("banking_f",), ("reviews_h", "reviews_i"), ("complaints_i", "complaints_j"), (100, 400, 200)),
    6: FreshRound(("banking_g",), ("reviews_j", "reviews_k", "reviews_l", "reviews_m"),
                  ("complaints_k", "complaints_l"), (300, 1000, 200)),
    7: FreshRound(("banking_h",), ("reviews_n", "reviews_o", "reviews_p", "reviews_q"), (), (200, 1200, 0)),
    8: FreshRound(("banking_i",), ("reviews_r", "reviews_s", "reviews_t", "reviews_u"), (), (300, 1200, 0)),
    9: FreshRound(("banking_j",), ("reviews_v", "reviews_w", "reviews_x", "reviews_y"), (), (300, 1200, 0)),
    10: FreshRound(("banking_k",), ("reviews_z", "reviews_za", "reviews_zb", "reviews_zc"), (), (300, 1200, 0)),
    11: FreshRound(("banking_l",), ("reviews_zd", "reviews_ze", "reviews_zf", "reviews_zg"),
                   ("complaints_m", "complaints_n"), (300, 1200, 300)),
    # the last reviews, and up to two more sentences of every letter read before (the 35 letters still unused
    # have no sentence of 3-60 words, so they give no candidate)
    12: FreshRound(("banking_m",), ("reviews_zh", "reviews_zi"), ("complaints_o",), (500, 764, 35),
                   more_letters=("complaints_o", "complaints_p", "complaints_q", "complaints_r", "complaints_s",
                                 "complaints_t"), more_per_letter=2),
    # every review of more than 60 words, all its sentences (nearer a whole support message)
    13: FreshRound(("banking_n",), (), (), (500, 0, 0),
                   long_reviews=("reviews_zj", "reviews_zk", "reviews_zl", "reviews_zm", "reviews_zn", "reviews_zo"),
                   n_long_reviews=640),
}

#: the batches each round wrote
ROUND_BATCHES: dict[int, tuple[str, ...]] = {
    1: ("banking_a", "banking_b", "reviews_a", "reviews_b", "complaints_a", "complaints_b"),
    2: ("banking_c", "reviews_c", "complaints_c", "complaints_d"),
    **{number: spec.batches for number, spec in FRESH_ROUNDS.items()},
}


def used_sources(out: Path, before_round: int) -> set[str]:
    """The records the batches of rounds before ``before_round`` drew, so a round is reproduced
    exactly whatever later rounds have since written to ``out``."""
    used = set()
    for round_number, names in ROUND_BATCHES.items():
        if round_number < before_round:
            for name in names:
                path = out / f"{name}.candidates.jsonl"
                used |= {json.loads(line)["source"] for line in path.open(encoding="utf-8")}
    return used


def used_spans(out: Path, before_round: int, corpus: str) -> dict[str, list[tuple[int, int]]]:
    """The (start, end) of every sentence of ``corpus`` that a batch of the rounds before ``before_round``
    drew, by record."""
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for round_number, names in ROUND_BATCHES.items():
        if round_number < before_round:
            for name in names:
                for line in (out / f"{name}.candidates.jsonl").open(encoding="utf-8"):
                    row = json.loads(line)
                    if row["source"].startswith(f"{corpus}:"):
                        spans[row["source"]].append((row["start"], row["end"]))
    return spans


def more_letter_sentences(nlp, rng: random.Random, row: dict, drawn: list[tuple[int, int]], n: int) -> list:
    """Up to ``n`` sentences (3-60 words, chosen at random, no hints) of a letter that overlap none of ``drawn``."""
    sents = [s for s in sentences(nlp, row["text"]) if 3 <= len(s[2].split()) <= 60
             and not any(start < s[1] and s[0] < end for start, end in drawn)]
    return sorted(rng.sample(sents, min(n, len(sents))))


def unused_of(corpora: Path, corpus: str, used: set[str]) -> list[dict]:
    """The records of one corpus (its folder name) that no batch in ``used`` drew, in corpus order."""
    return [r for r in read(corpora / corpus / "texts.jsonl") if f"{corpus}:{r['id']}" not in used]


def unused_records(corpora: Path, used: set[str]) -> tuple[list[dict], list[dict], list[dict]]:
    """The banking queries, reviews (of 3-60 words) and complaint letters that no batch in ``used``
    drew, in corpus order."""
    reviews = [r for r in unused_of(corpora, "app_reviews_is22", used) if 3 <= len(r["text"].split()) <= 60]
    return unused_of(corpora, "banking77", used), reviews, unused_of(corpora, "cfpb_complaints", used)


def round_two(corpora: Path, out: Path) -> dict[str, list[dict]]:
    """More real text: 400 banking queries, 200 reviews, 220 complaint letters, none used before."""
    rng = random.Random(SEED + 2)
    used = used_sources(out, 2)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    batches: dict[str, list[dict]] = defaultdict(list)
    banking, reviews, letters = unused_records(corpora, used)
    for row in rng.sample(banking, 400):
        add_sentences(batches["banking_c"], nlp, "banking77", row)
    for row in rng.sample(reviews, 200):
        add_sentences(batches["reviews_c"], nlp, "app_reviews_is22", row)
    for i, row in enumerate(rng.sample(letters, 220)):
        batch = "complaints_c" if i % 2 == 0 else "complaints_d"
        add_sentences(batches[batch], nlp, "cfpb_complaints", row, letter_sentences(nlp, rng, row, 2, 3))
    return batches


def fresh_round(corpora: Path, out: Path, round_number: int) -> dict[str, list[dict]]:
    """Real text closer to whole tickets: banking queries, reviews and letters that no earlier round used,
    and, where the round asks, more sentences of letters read before and long reviews.

    New complaint letters give up to 3 sentences each, only 1 of them chosen for expectation hints
    (round 1 took 3 of 4, round 2 2 of 3), so the batch is nearer a letter's own mix; the further
    sentences of letters read before are chosen at random, with no hints.
    :data:`FRESH_ROUNDS` gives each round's batch names (one for banking, one or more for reviews, none
    or more for letters; records are dealt to them in turn) and sizes; the letters are capped at
    those left unused.
    """
    rng = random.Random(SEED + round_number)
    used = used_sources(out, round_number)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    batches: dict[str, list[dict]] = defaultdict(list)
    banking, reviews, letters = unused_records(corpora, used)
    spec = FRESH_ROUNDS[round_number]
    n_banking, n_reviews, n_letters = spec.sizes
    for row in rng.sample(banking, n_banking):
        add_sentences(batches[spec.banking[0]], nlp, "banking77", row)
    for i, row in enumerate(rng.sample(reviews, n_reviews)):
        add_sentences(batches[spec.reviews[i % len(spec.reviews)]], nlp, "app_reviews_is22", row)
    for i, row in enumerate(rng.sample(letters, min(n_letters, len(letters)))):
        add_sentences(batches[spec.letters[i % len(spec.letters)]], nlp, "cfpb_complaints", row,
                      letter_sentences(nlp, rng, row, 1, 3))
    if spec.n_long_reviews:
        long_reviews = [r for r in unused_of(corpora, "app_reviews_is22", used) if len(r["text"].split()) > 60]
        for i, row in enumerate(rng.sample(long_reviews, min(spec.n_long_reviews, len(long_reviews)))):
            add_sentences(batches[spec.long_reviews[i % len(spec.long_reviews)]], nlp, "app_reviews_is22", row)
    if spec.more_per_letter:
        drawn = used_spans(out, round_number, "cfpb_complaints")
        read_letters = [r for r in read(corpora / "cfpb_complaints" / "texts.jsonl")
                        if f"cfpb_complaints:{r['id']}" in drawn]
        for i, row in enumerate(read_letters):
            chosen = more_letter_sentences(nlp, rng, row, drawn[f"cfpb_complaints:{row['id']}"], spec.more_per_letter)
            add_sentences(batches[spec.more_letters[i % len(spec.more_letters)]], nlp, "cfpb_complaints", row, chosen)
    return batches


def round_one(corpora: Path) -> dict[str, list[dict]]:
    rng = random.Random(SEED)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    batches: dict[str, list[dict]] = defaultdict(list)

    # banking77: ~9 queries per intent, so every intent is represented.
    by_intent = defaultdict(list)
    for row in read(corpora / "banking77" / "texts.jsonl"):
        by_intent[row["intent"]].append(row)
    for i, intent in enumerate(sorted(by_intent)):
        batch = "banking_a" if i < len(by_intent) // 2 else "banking_b"
        for row in rng.sample(by_intent[intent], 9):
            add_sentences(batches[batch], nlp, "banking77", row)

    # app reviews: whole reviews of up to 60 words, 40 per app, every sentence kept.
    by_app = defaultdict(list)
    for row in read(corpora / "app_reviews_is22" / "texts.jsonl"):
        if 3 <= len(row["text"].split()) <= 60:
            by_app[row["app"]].append(row)
    apps = sorted(by_app)
    for i, app in enumerate(apps):
        batch = "reviews_a" if i % 2 == 0 else "reviews_b"
        for row in rng.sample(by_app[app], 40):
            add_sentences(batches[batch], nlp, "app_reviews_is22", row)

    # complaint letters: 200 letters, up to 4 sentences each (<= 60 words),
    # 3 of them oversampled for expectation hints, 1 at random.
    letters = read(corpora / "cfpb_complaints" / "texts.jsonl")
    for i, row in enumerate(rng.sample(letters, 200)):
        batch = "complaints_a" if i % 2 == 0 else "complaints_b"
        add_sentences(batches[batch], nlp, "cfpb_complaints", row, letter_sentences(nlp, rng, row, 3, 4))
    return batches


def write(batches: dict[str, list[dict]], out: Path, force: bool = False) -> None:
    """Write each batch's candidates; an existing batch is kept unless ``force`` (its readings
    point at its candidates by cid, so rewriting it could move them onto other sentences)."""
    out.mkdir(parents=True, exist_ok=True)
    existing = [name for name in batches if (out / f"{name}.candidates.jsonl").exists()]
    if existing and not force:
        sys.exit(f"{', '.join(existing)} already exist in {out}; add --force to write them again")
    for name, rows in batches.items():
        with (out / f"{name}.candidates.jsonl").open("w", encoding="utf-8") as fh:
            for n, row in enumerate(rows):
                row["cid"] = f"{name}-{n:04d}"
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(name, len(rows))


if __name__ == "__main__":
    corpora, out, force = Path(sys.argv[1]), Path(sys.argv[2]), "--force" in sys.argv
    chosen = sys.argv[sys.argv.index("--round") + 1] if "--round" in sys.argv else "1"
    if chosen == "1":
        write(round_one(corpora), out, force)
    elif chosen == "2":
        write(round_two(corpora, out), out, force)
    elif chosen.isdigit() and int(chosen) in FRESH_ROUNDS:
        write(fresh_round(corpora, out, int(chosen)), out, force)
    else:
        sys.exit(f"--round {chosen}: there are rounds 1 to {max(ROUND_BATCHES)}")
