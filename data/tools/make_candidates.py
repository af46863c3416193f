"""Cut candidate statements (sentences) from the shared corpora for human reading.

This only *selects and cuts* text; it never assigns a label. Labels are given by
reading each statement against data/GUIDELINES.md (see data/README.md).

Run from the repository root:
    python data/tools/make_candidates.py ../shared/corpora data/annotation          # round 1
    python data/tools/make_candidates.py ../shared/corpora data/annotation --round 2  # round 2
    python data/tools/make_candidates.py ../shared/corpora data/annotation --round 3  # round 3
    python data/tools/make_candidates.py ../shared/corpora data/annotation --round 4  # round 4
    python data/tools/make_candidates.py ../shared/corpora data/annotation --round 5  # round 5
    python data/tools/make_candidates.py ../shared/corpora data/annotation --round 6  # round 6
    python data/tools/make_candidates.py ../shared/corpora data/annotation --round 7  # round 7
    python data/tools/make_candidates.py ../shared/corpora data/annotation --round 8  # round 8
    python data/tools/make_candidates.py ../shared/corpora data/annotation --round 9  # round 9
    python data/tools/make_candidates.py ../shared/corpora data/annotation --round 10  # round 10
    python data/tools/make_candidates.py ../shared/corpora data/annotation --round 11  # round 11

Round 2 draws new records (never one already used in round 1) into batches named *_c, *_d;
round 3 draws records used in neither into *_d (banking), *_d/*_e (reviews), *_e/*_f (letters);
round 4, the same way, into *_e (banking), *_f/*_g (reviews), *_g/*_h (letters);
round 5 into *_f (100 banking queries), *_h/*_i (400 reviews), *_i/*_j (200 letters);
round 6 into banking_g (300 queries), reviews_j to reviews_m (1,000 reviews) and complaints_k/_l
(the last 177 unused letters); round 7 into banking_h (200 queries) and reviews_n to reviews_q
(1,200 reviews), as no letters are left; round 8 likewise into banking_i (300 queries) and
reviews_r to reviews_u (1,200 reviews), round 9 into banking_j and reviews_v to reviews_y, round 10 into banking_k and reviews_z, reviews_za
to reviews_zc (300 queries and 1,200 reviews each), and round 11 into banking_l, reviews_zd to
reviews_zg and complaints_m/_n (every letter still unused).
Each round excludes only what earlier rounds drew (ROUND_BATCHES), so any round can be cut again
and gives the same files; existing batches are only rewritten with --force.
"""
from __future__ import annotations

import json
import random
import re
import sys
from collections import defaultdict
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


#: the batches each round wrote (batch letters do not tell rounds apart: complaints_d is round 2)
ROUND_BATCHES: dict[int, tuple[str, ...]] = {
    1: ("banking_a", "banking_b", "reviews_a", "reviews_b", "complaints_a", "complaints_b"),
    2: ("banking_c", "reviews_c", "complaints_c", "complaints_d"),
    3: ("banking_d", "reviews_d", "reviews_e", "complaints_e", "complaints_f"),
    4: ("banking_e", "reviews_f", "reviews_g", "complaints_g", "complaints_h"),
    5: ("banking_f", "reviews_h", "reviews_i", "complaints_i", "complaints_j"),
    6: ("banking_g", "reviews_j", "reviews_k", "reviews_l", "reviews_m", "complaints_k", "complaints_l"),
    7: ("banking_h", "reviews_n", "reviews_o", "reviews_p", "reviews_q"),
    8: ("banking_i", "reviews_r", "reviews_s", "reviews_t", "reviews_u"),
    9: ("banking_j", "reviews_v", "reviews_w", "reviews_x", "reviews_y"),
    10: ("banking_k", "reviews_z", "reviews_za", "reviews_zb", "reviews_zc"),
    11: ("banking_l", "reviews_zd", "reviews_ze", "reviews_zf", "reviews_zg", "complaints_m", "complaints_n"),
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


def round_two(corpora: Path, out: Path) -> dict[str, list[dict]]:
    """More real text: 400 banking queries, 200 reviews, 220 complaint letters, none used before."""
    rng = random.Random(SEED + 2)
    used = used_sources(out, 2)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    batches: dict[str, list[dict]] = defaultdict(list)
    banking = [r for r in read(corpora / "banking77" / "texts.jsonl") if f"banking77:{r['id']}" not in used]
    for row in rng.sample(banking, 400):
        add_sentences(batches["banking_c"], nlp, "banking77", row)
    reviews = [r for r in read(corpora / "app_reviews_is22" / "texts.jsonl")
               if f"app_reviews_is22:{r['id']}" not in used and 3 <= len(r["text"].split()) <= 60]
    for row in rng.sample(reviews, 200):
        add_sentences(batches["reviews_c"], nlp, "app_reviews_is22", row)
    letters = [r for r in read(corpora / "cfpb_complaints" / "texts.jsonl") if f"cfpb_complaints:{r['id']}" not in used]
    for i, row in enumerate(rng.sample(letters, 220)):
        batch = "complaints_c" if i % 2 == 0 else "complaints_d"
        add_sentences(batches[batch], nlp, "cfpb_complaints", row, letter_sentences(nlp, rng, row, 2, 3))
    return batches


def fresh_round(corpora: Path, out: Path, round_number: int, names: dict[str, tuple[str, ...]],
                sizes: tuple[int, int, int] = (150, 300, 200)) -> dict[str, list[dict]]:
    """Real text closer to whole tickets: ``sizes`` banking queries, reviews and letters, none used before.

    Complaint letters give 3 sentences each, only 1 of them chosen for expectation hints
    (round 1 took 3 of 4, round 2 2 of 3), so the batch is nearer a letter's own mix.
    ``names`` gives the batch names: one for banking, one or more each for reviews and letters (records
    are dealt to them in turn). ``n_letters`` is capped at the letters left unused.
    """
    rng = random.Random(SEED + round_number)
    used = used_sources(out, round_number)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    batches: dict[str, list[dict]] = defaultdict(list)
    banking = [r for r in read(corpora / "banking77" / "texts.jsonl") if f"banking77:{r['id']}" not in used]
    n_banking, n_reviews, n_letters = sizes
    for row in rng.sample(banking, n_banking):
        add_sentences(batches[names["banking"][0]], nlp, "banking77", row)
    reviews = [r for r in read(corpora / "app_reviews_is22" / "texts.jsonl")
               if f"app_reviews_is22:{r['id']}" not in used and 3 <= len(r["text"].split()) <= 60]
    for i, row in enumerate(rng.sample(reviews, n_reviews)):
        add_sentences(batches[names["reviews"][i % len(names["reviews"])]], nlp, "app_reviews_is22", row)
    letters = [r for r in read(corpora / "cfpb_complaints" / "texts.jsonl") if f"cfpb_complaints:{r['id']}" not in used]
    for i, row in enumerate(rng.sample(letters, min(n_letters, len(letters)))):
        add_sentences(batches[names["letters"][i % len(names["letters"])]], nlp, "cfpb_complaints", row,
                      letter_sentences(nlp, rng, row, 1, 3))
    return batches


def round_three(corpora: Path, out: Path) -> dict[str, list[dict]]:
    return fresh_round(corpora, out, 3, {"banking": ("banking_d",), "reviews": ("reviews_d", "reviews_e"),
                                                "letters": ("complaints_e", "complaints_f")})


def round_four(corpora: Path, out: Path) -> dict[str, list[dict]]:
    return fresh_round(corpora, out, 4, {"banking": ("banking_e",), "reviews": ("reviews_f", "reviews_g"),
                                                "letters": ("complaints_g", "complaints_h")})


def round_five(corpora: Path, out: Path) -> dict[str, list[dict]]:
    return fresh_round(corpora, out, 5, {"banking": ("banking_f",), "reviews": ("reviews_h", "reviews_i"),
                                                "letters": ("complaints_i", "complaints_j")}, sizes=(100, 400, 200))


def round_six(corpora: Path, out: Path) -> dict[str, list[dict]]:
    return fresh_round(corpora, out, 6, {"banking": ("banking_g",),
                                         "reviews": ("reviews_j", "reviews_k", "reviews_l", "reviews_m"),
                                         "letters": ("complaints_k", "complaints_l")}, sizes=(300, 1000, 200))


def round_seven(corpora: Path, out: Path) -> dict[str, list[dict]]:
    return fresh_round(corpora, out, 7, {"banking": ("banking_h",),
                                         "reviews": ("reviews_n", "reviews_o", "reviews_p", "reviews_q"),
                                         "letters": ()}, sizes=(200, 1200, 0))


def round_eight(corpora: Path, out: Path) -> dict[str, list[dict]]:
    return fresh_round(corpora, out, 8, {"banking": ("banking_i",),
                                         "reviews": ("reviews_r", "reviews_s", "reviews_t", "reviews_u"),
                                         "letters": ()}, sizes=(300, 1200, 0))


def round_nine(corpora: Path, out: Path) -> dict[str, list[dict]]:
    return fresh_round(corpora, out, 9, {"banking": ("banking_j",),
                                         "reviews": ("reviews_v", "reviews_w", "reviews_x", "reviews_y"),
                                         "letters": ()}, sizes=(300, 1200, 0))


def round_ten(corpora: Path, out: Path) -> dict[str, list[dict]]:
    return fresh_round(corpora, out, 10, {"banking": ("banking_k",),
                                          "reviews": ("reviews_z", "reviews_za", "reviews_zb", "reviews_zc"),
                                          "letters": ()}, sizes=(300, 1200, 0))


def round_eleven(corpora: Path, out: Path) -> dict[str, list[dict]]:
    return fresh_round(corpora, out, 11, {"banking": ("banking_l",),
                                          "reviews": ("reviews_zd", "reviews_ze", "reviews_zf", "reviews_zg"),
                                          "letters": ("complaints_m", "complaints_n")}, sizes=(300, 1200, 300))


ROUNDS = {"2": round_two, "3": round_three, "4": round_four, "5": round_five, "6": round_six, "7": round_seven,
          "8": round_eight, "9": round_nine, "10": round_ten, "11": round_eleven}


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
    elif chosen in ROUNDS:
        write(ROUNDS[chosen](corpora, out), out, force)
    else:
        sys.exit(f"--round {chosen}: there are rounds 1 to {max(ROUND_BATCHES)}")
