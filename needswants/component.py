"""The spaCy component ``needswants``: statements, labels and attributes on every Doc.

``nlp.add_pipe("needswants")`` adds the shipped model to any English pipeline;
``config={"model": DIR}`` points it at another model's component folder. Results land in
``doc._.needswants`` (a list of statement dicts, JSON-able, so ``DocBin`` and ``n_process``
keep them), ``doc.spans["needswants"]`` (one Span per statement) and ``span._.needswants``
(the dict of a statement span, or ``None``). The factory is registered by decorator and by
the ``spacy_factories`` entry point, so ``spacy.load()`` works in a fresh process.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Optional

from spacy.language import Language
from spacy.lookups import Lookups, load_lookups
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from . import attributes, features, hints, paths
from .collector import collector_paused
from .cues import CueMatch, CueMatcher
from .encoder import ENCODER_FOLDER, Encoder, holds_encoder, remove_encoder
from .errors import ModelLoadError
from .lemmas import LemmaTable
from .model import StatementClassifier
from .schema import LABELS
from .segment import LexemeCache, TokenTable, statement_ranges
from .targets import TargetInput, TargetTagger

EXTENSION = "needswants"
SPANS_KEY = "needswants"
LEMMA_FILE = "lookups.bin"
CHUNK_DOCS = 250


def _span_annotation(span: Span) -> Optional[dict[str, Any]]:
    """The statement dict whose offsets are exactly the span's (statements are sorted by start)."""
    statements = span.doc._.get(EXTENSION) or ()
    i = bisect.bisect_left(statements, span.start_char, key=lambda s: s["start"])
    if i < len(statements) and statements[i]["start"] == span.start_char and statements[i]["end"] == span.end_char:
        return statements[i]
    return None


def register_extensions() -> None:
    """Register ``Doc._.needswants`` and ``Span._.needswants`` once (guarded)."""
    if not Doc.has_extension(EXTENSION):
        Doc.set_extension(EXTENSION, default=None)
    if not Span.has_extension(EXTENSION):
        Span.set_extension(EXTENSION, getter=_span_annotation)


# Registered when the module is imported, which also happens when a worker process unpickles
# a component (its __init__ does not run there).
register_extensions()


@Language.factory(
    "needswants",
    assigns=["doc._.needswants", "doc.spans", "span._.needswants"],
    default_config={"model": None, "batch_size": 1000},
)
def make_needswants(nlp: Language, name: str, model: Optional[str], batch_size: int) -> "NeedswantsComponent":
    return NeedswantsComponent(nlp, name, model=model, batch_size=batch_size)


class NeedswantsComponent:
    """Segment, classify and describe statements. Heavy state is read on first use."""

    def __init__(self, nlp: Language, name: str = "needswants", *, model: Optional[str] = None,
                 batch_size: int = 1000) -> None:
        if batch_size < 1:
            raise ValueError(f"needswants: batch_size must be 1 or more, got {batch_size}.")
        folder = Path(model) if model is not None else None
        if folder is not None and not (folder / "classifier.json").is_file():
            raise ModelLoadError(
                f"needswants: config 'model' = {model!r} is not a needswants component folder "
                "(it must hold classifier.json and classifier.npz). Use a model's 'needswants' subfolder, or leave "
                "'model' unset for the shipped model."
            )
        self.name = name
        self.batch_size = batch_size
        self.model_folder = folder
        self.cue_matcher = CueMatcher(nlp)
        self.lexemes = LexemeCache(nlp.vocab)
        self._classifier: Optional[StatementClassifier] = None
        self._lemmas: Optional[LemmaTable] = None
        self._tagger: Optional[TargetTagger] = None  # None: targets by rule (a model trained without one)
        self._encoder: Optional[Encoder] = None  # the accurate model's transformer, blended with the classifier
        register_extensions()

    # -- state ----------------------------------------------------------------------------
    def _load(self, folder: Path) -> None:
        self._classifier = StatementClassifier.from_disk(folder)
        lookups = Lookups().from_disk(folder, filename=LEMMA_FILE) if (folder / LEMMA_FILE).is_file() else None
        self._lemmas = LemmaTable(lookups.get_table("lemma_lookup").items() if lookups else {})
        self._tagger = TargetTagger.from_disk(folder)
        self._encoder = Encoder(folder / ENCODER_FOLDER) if holds_encoder(folder) else None

    def _load_model_folder(self) -> None:
        """Read the model folder (this component's, or the shipped one) on first use."""
        self._load(self.model_folder or paths.shipped_component_folder())

    @property
    def classifier(self) -> StatementClassifier:
        if self._classifier is None:
            self._load_model_folder()
        assert self._classifier is not None
        return self._classifier

    @property
    def lemmas(self) -> LemmaTable:
        if self._lemmas is None:  # training sets the lemmas before any classifier exists
            self._load_model_folder()
        assert self._lemmas is not None
        return self._lemmas

    @property
    def tagger(self) -> Optional[TargetTagger]:
        """The learned target tagger, or None when targets are found by rule."""
        if self._classifier is None:  # the tagger is read with the classifier
            self._load_model_folder()
        return self._tagger

    @property
    def encoder(self) -> Optional[Encoder]:
        """The transformer whose probabilities are blended with the classifier's, or None (the default model)."""
        if self._classifier is None:  # the encoder is read with the classifier
            self._load_model_folder()
        return self._encoder

    def set_encoder(self, model_encoder: Optional[Encoder]) -> None:
        """Blend this encoder's probabilities with the classifier's from now on (None: the classifier alone)."""
        if self._classifier is None:
            self._load_model_folder()
        self._encoder = model_encoder

    def classify_views(self, views: list[dict[str, Any]], texts: list[str]) -> tuple[Any, list[Optional[str]]]:
        """Probabilities (n, 4) and expectation levels of statements given by their feature views
        and their texts (which only the encoder reads)."""
        model_encoder = self.encoder
        if model_encoder is None:
            return self.classifier.predict(views)
        return self.classifier.predict(views, adjust=lambda proba: model_encoder.fuse(proba, texts))

    def set_model(self, classifier: StatementClassifier, lemmas: LemmaTable,
                  tagger: Optional[TargetTagger] = None) -> None:
        """Use a freshly trained classifier and target tagger (training calls this)."""
        self._classifier = classifier
        self._lemmas = lemmas
        self._tagger = tagger

    def use_lemmas(self, lemmas: LemmaTable) -> None:
        """Compute features with this lemma table, before any classifier exists (training)."""
        self._lemmas = lemmas

    # -- the pipeline API -----------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: Optional[int] = None) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size or self.batch_size):
            batch = list(batch)
            self.set_annotations(batch, self.predict(batch))
            yield from batch

    def analyse(self, doc: Doc) -> tuple[TokenTable, list[tuple[int, int]], list[list[CueMatch]], list[dict[str, Any]]]:
        """The token table of ``doc``, its statements (token ranges), the cues inside each, and
        each statement's feature views."""
        table = TokenTable.of(doc, self.lexemes)
        ranges = statement_ranges(doc, table)
        all_cues = self.cue_matcher(doc, table) if ranges else []
        cues_per_statement: list[list[CueMatch]] = [[] for _ in ranges]
        starts = [table.start_char(start) for start, _ in ranges]
        for cue in all_cues:  # statements are sorted and disjoint: find each cue's by bisection
            i = bisect.bisect_right(starts, cue.start) - 1
            if i >= 0 and cue.end <= table.end_char(ranges[i][1]):
                cues_per_statement[i].append(cue)
        lemmas = self.lemmas
        statement_hints = hints.statement_hints(table.text, [(table.start_char(s), table.end_char(e))
                                                             for s, e in ranges])
        views = [features.statement_views(features.statement_words(table, start, end), cues, lemmas, found)
                 for (start, end), cues, found in zip(ranges, cues_per_statement, statement_hints)]
        return table, ranges, cues_per_statement, views

    def whole_doc_views(self, doc: Doc, cues: Optional[list[CueMatch]] = None) -> dict[str, Any]:
        """Feature views of a whole Doc taken as one statement (``Labeler.classify``); ``cues``
        are its cues when the caller has found them already."""
        if cues is None:
            cues = self.cue_matcher(doc, TokenTable.of(doc, self.lexemes))
        text = doc.text
        start = len(text) - len(text.lstrip())
        (found,) = hints.statement_hints(text, [(start, max(start, len(text.rstrip())))])
        return features.statement_views(features.span_words(doc[:]), cues, self.lemmas, found)

    def predict(self, docs: list[Doc]) -> list[tuple[list[Span], list[dict[str, Any]]]]:
        """Statement spans and dicts for every doc. Docs are analysed and classified
        :data:`CHUNK_DOCS` at a time, all statements of a chunk in one classifier call: large
        enough for numpy to pay, small enough that the intermediate objects die young, which
        keeps Python's garbage collector cheap; the collector is paused while a chunk is worked
        on (see :mod:`needswants.collector`). The results do not depend on the chunking."""
        out = []
        for chunk in minibatch(docs, size=CHUNK_DOCS):
            with collector_paused():
                out.extend(self._predict_chunk(list(chunk)))
        return out

    def _predict_chunk(self, docs: list[Doc]) -> list[tuple[list[Span], list[dict[str, Any]]]]:
        analysed = [self.analyse(doc) for doc in docs]
        all_views = [v for *_, views in analysed for v in views]
        if not all_views:
            return [([], []) for _ in docs]
        texts = [table.text[table.start_char(start):table.end_char(end)]
                 for table, ranges, *_ in analysed for start, end in ranges] if self.encoder is not None else []
        proba, levels = self.classify_views(all_views, texts)
        best = proba.argmax(axis=1).tolist()
        targets = self._targets(analysed, best)
        rows = iter(zip(best, proba.tolist(), levels, targets))
        out = []
        for doc, (table, ranges, cues, _) in zip(docs, analysed):
            statements = [_statement(table, start, end, statement_cues, *next(rows))
                          for (start, end), statement_cues in zip(ranges, cues)]
            out.append(([Span(doc, start, end) for start, end in ranges], statements))
        return out

    def _targets(self, analysed: list[tuple[TokenTable, list[tuple[int, int]], list[list[CueMatch]], Any]],
                 best: list[int]) -> list[Any]:
        """Each statement's target span from the tagger (None for a ``none`` statement), or
        :data:`~needswants.attributes.BY_RULE` for every statement when the model has no tagger."""
        tagger = self.tagger
        if tagger is None:
            return [attributes.BY_RULE] * len(best)
        statements = [(table, start, end, statement_cues) for table, ranges, cues, _ in analysed
                      for (start, end), statement_cues in zip(ranges, cues)]
        labelled = [i for i, label in enumerate(best) if LABELS[label] != "none"]
        found = tagger.predict([TargetInput(*statements[i], LABELS[best[i]]) for i in labelled])
        targets: list[Any] = [None] * len(best)
        for i, span in zip(labelled, found):
            targets[i] = span
        return targets

    def set_annotations(self, docs: list[Doc], predicted: list[tuple[list[Span], list[dict[str, Any]]]]) -> None:
        for doc, (spans, statements) in zip(docs, predicted):
            doc._.set(EXTENSION, statements)
            doc.spans[SPANS_KEY] = spans

    # -- serialisation --------------------------------------------------------------------
    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.classifier.to_disk(path)
        lookups = Lookups()
        lookups.add_table("lemma_lookup", dict(self.lemmas.items()))  # keys: spaCy's word hashes
        lookups.to_disk(path, filename=LEMMA_FILE)
        if self.tagger is not None:
            self.tagger.to_disk(path)
        else:  # a folder that held an older model may hold its tagger
            TargetTagger.remove_from(path)
        if self.encoder is not None:
            self.encoder.to_disk(path / ENCODER_FOLDER)
        else:  # nor its encoder
            remove_encoder(path)

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> "NeedswantsComponent":
        self._load(Path(path))
        return self


def _statement(table: TokenTable, start: int, end: int, cues: list[CueMatch], best: int,
               proba: list[float], level: Optional[str], target: Any) -> dict[str, Any]:
    """The dict of the statement of tokens [start, end), given its label probabilities (in
    :data:`LABELS` order, ``best`` the most likely), its level and its target (see
    :func:`needswants.attributes.describe`)."""
    start_char, end_char = table.start_char(start), table.end_char(end)
    label = LABELS[best]
    statement = {
        "text": table.text[start_char:end_char],
        "start": start_char,
        "end": end_char,
        "label": label,
        "confidence": proba[best],
        "scores": dict(zip(LABELS, proba)),
    }
    statement.update(attributes.describe(table, start, end, label, cues, target))
    statement["level"] = level
    return statement


def english_lemma_table() -> LemmaTable:
    """spaCy's English lookup lemmas (needs spacy-lookups-data, a training-time dependency)."""
    try:
        lookups = load_lookups("en", ["lemma_lookup"])
    except (ValueError, ImportError) as err:
        raise ModelLoadError(
            "Training needs spaCy's lookup tables: pip install 'needswants[train]' "
            f"(spacy-lookups-data). ({err})"
        ) from err
    return LemmaTable(lookups.get_table("lemma_lookup").items())
