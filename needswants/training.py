"""``train``: fit a Labeler on labelled statements, picking the regularisation on dev data."""
from __future__ import annotations

import hashlib
import json
import math
import platform
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Optional, Union

from .card import C_GIVEN
from .component import NeedswantsComponent, english_lemma_table
from .data import Example, label_counts, read_examples
from .errors import SettingsError
from .evaluation import evaluate
from .labeler import Labeler, statement_for_spacy, utc_now
from .lemmas import LemmaTable
from .model import FORMAT_VERSION, StatementClassifier
from .pipeline import blank_pipeline
from .segment import TokenTable
from .targets import TargetInput, TargetTagger

DataSource = Union[str, Path, Iterable[Mapping[str, Any]]]
C_GRID = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)


def data_hash(examples: Sequence[Example]) -> str:
    digest = hashlib.sha256()
    for e in examples:
        digest.update(json.dumps([e.text, e.label, e.level], ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("needswants", "spacy", "scikit-learn", "numpy", "scipy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


@dataclass
class _Analysed:
    """What training reads off each example, exactly as labelling computes it."""

    views: list[dict[str, Any]]  # the classifier's input
    targets: list[TargetInput]  # the target tagger's input


def _analyse(examples: Sequence[Example], lemmas: LemmaTable) -> _Analysed:
    nlp = blank_pipeline()
    component: NeedswantsComponent = nlp.add_pipe("needswants")
    component.use_lemmas(lemmas)
    analysed = _Analysed([], [])
    for example in examples:
        doc = nlp.make_doc(statement_for_spacy(example.text))
        table = TokenTable.of(doc, component.lexemes)
        cues = component.cue_matcher(doc, table)
        analysed.views.append(component.whole_doc_views(doc, cues))
        analysed.targets.append(TargetInput(table, 0, len(doc), cues, example.label))
    return analysed


def _fit_tagger(examples: Sequence[Example], analysed: _Analysed, seed: int) -> TargetTagger:
    """The target tagger, fitted on every statement that is not ``none`` and its gold target."""
    chosen = [i for i, e in enumerate(examples) if e.label != "none"]
    return TargetTagger(seed=seed).fit([analysed.targets[i] for i in chosen], [examples[i].target for i in chosen])


def _fit(examples: Sequence[Example], C: float, seed: int, analysed: _Analysed, lemmas: LemmaTable,
         tagger: TargetTagger) -> Labeler:
    classifier = StatementClassifier(C=C, seed=seed).fit(analysed.views, [e.label for e in examples],
                                                         [e.level for e in examples])
    nlp = blank_pipeline()
    nlp.add_pipe("needswants").set_model(classifier, lemmas, tagger)
    return Labeler(nlp)


MIN_SOURCE_STATEMENTS = 50  # smaller sources are scored together as one, so a handful of rows cannot swing C


def selection_score(labeler: Labeler, examples: Sequence[Example]) -> float:
    """The dev score that chooses C. With statements from two or more sources (each of at least
    :data:`MIN_SOURCE_STATEMENTS`; smaller ones are pooled as one), the mean of each source's
    macro-F1 over the labels that source holds, so the largest source does not decide alone and the
    choice favours what holds across kinds of text; otherwise the macro-F1 of all."""
    from sklearn.metrics import f1_score

    predicted = labeler.classify([e.text for e in examples])
    by_kind: dict[str, list[int]] = {}
    for i, example in enumerate(examples):
        by_kind.setdefault(example.source_kind, []).append(i)
    groups = [rows for rows in by_kind.values() if len(rows) >= MIN_SOURCE_STATEMENTS]
    pooled = [i for rows in by_kind.values() if len(rows) < MIN_SOURCE_STATEMENTS for i in rows]
    if pooled:
        groups.append(pooled)
    per_source = []
    for rows in groups:
        gold = [examples[i].label for i in rows]
        per_source.append(f1_score(gold, [predicted[i] for i in rows], labels=sorted(set(gold)), average="macro",
                                   zero_division=0))
    return float(sum(per_source) / len(per_source))


def _sources_named(examples: Sequence[Example]) -> str:
    """The sources of the training data, largest first, with their shares ("app_reviews_is22 65%, ...")."""
    ranked = Counter(example.source_kind for example in examples).most_common()
    named = [f"{kind} {n / len(examples):.0%}" for kind, n in ranked[:5]]
    if len(ranked) > 5:
        named.append(f"{len(ranked) - 5} other sources {sum(n for _, n in ranked[5:]) / len(examples):.0%}")
    return ", ".join(named)


def _how_c_was_chosen(C: Optional[float], dev: Optional[Sequence[Example]]) -> str:
    """How the card says C was set."""
    if C is not None:
        return C_GIVEN
    if not dev:
        return "the default; no dev data"
    return "chosen by selection_score on dev: macro-F1, averaged over sources when dev has several"


def train(data: DataSource, dev: Optional[DataSource] = None, *, seed: int = 0,
          C: Optional[float] = None, extra: Optional[DataSource] = None, refit: bool = False) -> Labeler:
    """Train a Labeler on ``data`` (a path to JSONL/CSV, or records with ``text`` and ``label``).

    With ``dev`` and no ``C``, the regularisation strength is chosen on dev (by
    :func:`selection_score`: macro-F1, averaged over the sources when dev names several) and the
    dev scores go into the model card. With ``refit``, the returned model is then fitted
    again on ``data`` and ``dev`` together with the chosen C (the card's dev scores stay those of
    the model fitted without dev). ``extra`` adds more training data (``--extend``).
    Raises DataError listing every bad row, SettingsError for a C not above 0 or a refit without dev.
    """
    if C is not None and not (math.isfinite(C) and C > 0):
        raise SettingsError(f"C={C} (--C): the regularisation strength must be a finite number above 0 (try 4)")
    if refit and dev is None:
        raise SettingsError("refit=True (--refit) needs dev data (--dev): C is chosen on dev, then the model is "
                            "fitted on train and dev together")
    examples = read_examples(data)
    if extra is not None:
        examples = read_examples(extra) + examples
    dev_examples = read_examples(dev) if dev is not None else None
    grid = (C,) if C is not None else (C_GRID if dev_examples else (4.0,))
    best, best_report, best_score, best_C = None, None, None, grid[0]
    lemmas = english_lemma_table()
    analysed = _analyse(examples, lemmas)
    tagger = _fit_tagger(examples, analysed, seed)
    for candidate in grid:
        labeler = _fit(examples, candidate, seed, analysed, lemmas, tagger)
        if dev_examples is None:
            best, best_C = labeler, candidate
            break
        score = selection_score(labeler, dev_examples) if len(grid) > 1 else 0.0
        if best_score is None or score > best_score:
            best, best_score, best_C = labeler, score, candidate
    if dev_examples is not None:
        best_report = evaluate(best, dev_examples)
    assert best is not None
    if refit and dev_examples:
        examples = list(examples) + list(dev_examples)
        dev_analysed = _analyse(dev_examples, lemmas)  # the training examples are analysed already
        analysed = _Analysed(analysed.views + dev_analysed.views, analysed.targets + dev_analysed.targets)
        tagger = _fit_tagger(examples, analysed, seed)
        best = _fit(examples, best_C, seed, analysed, lemmas, tagger)
    best.nlp.meta["name"] = "needswants_model"
    best.nlp.meta["needswants"] = {
        "format_version": FORMAT_VERSION,
        "needswants_version": library_versions()["needswants"],
        "trained_at": utc_now(),
        "seed": seed,
        "C": best_C,
        "C_chosen_by": _how_c_was_chosen(C, dev_examples),
        "refit_on_dev": bool(refit and dev_examples),
        "classifier": best.component.classifier.method,
        "target_tagger": {"C": tagger.C, "bits": tagger.bits},
        "data": {"sha256": data_hash(examples), "n": len(examples), "labels": label_counts(examples)},
        "dev": best_report.to_dict() if best_report else None,
        "versions": library_versions(),
        "intended_use": "Tagging English customer statements (tickets, chats, reviews, complaints) as "
                        "expectation, want, need or none, for analysis in aggregate.",
        "limits": f"English only; trained on {len(examples):,} labelled statements, from "
                  f"{_sources_named(examples)}; sarcasm, long multi-topic sentences and text far from the "
                  "training data are weaker; not for decisions about individual customers.",
    }
    return best
