"""``Labeler``: the public object. Text in, labelled statements out.

A Labeler wraps a spaCy pipeline whose last component is ``needswants``. Texts longer than
:data:`CHUNK_CHARS` are labelled in pieces cut at line or sentence ends, so any size works
and nothing is truncated; offsets always point into the text as given.
"""
from __future__ import annotations

import collections
import datetime as _dt
import gc
import multiprocessing
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np
import spacy
import srsly
from spacy.language import Language
from spacy.util import minibatch

from . import paths, pipeline
from .collector import collector_paused
from .component import NeedswantsComponent, register_extensions
from .errors import ModelLoadError, SettingsError, check_text
from .schema import LABELS, Result, Statement
from .text import replace_lone_surrogates

CHUNK_CHARS = 100_000
MAX_RUN = 256
LONG_RUN = re.compile(r"\S{%d,}" % (MAX_RUN + 1))
CARD_FILE = "card.md"
PathLike = Union[str, Path]


def _size_chunks(text: str, size: int) -> Iterator[tuple[int, str]]:
    offset = 0
    while len(text) - offset > size:
        window = text[offset:offset + size]
        cut = max(window.rfind("\n"), window.rfind(". "), window.rfind("? "), window.rfind("! "))
        cut = cut + 1 if cut > size // 2 else size
        yield offset, text[offset:offset + cut]
        offset += cut
    yield offset, text[offset:]


def _chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) pairs covering ``text``: pieces of at most ``size`` characters, cut at a
    line or sentence end when possible, and cut inside any run of more than :data:`MAX_RUN`
    non-space characters (spaCy's tokenizer takes quadratic time on long runs of punctuation
    or emoji)."""
    if len(text) <= min(MAX_RUN, size):  # most texts: too short for a long run or a second piece
        yield 0, text
        return
    cuts = [0]
    for run in LONG_RUN.finditer(text):
        cuts.extend(range(run.start() + MAX_RUN, run.end(), MAX_RUN))
    cuts.append(len(text))
    for start, end in zip(cuts, cuts[1:]):
        for offset, piece in _size_chunks(text[start:end], size):
            yield start + offset, piece


def statement_for_spacy(text: str) -> str:
    """A same-length copy of one statement that spaCy tokenises in linear time: lone surrogates
    (which spaCy cannot hash) become U+FFFD and every :data:`MAX_RUN`-th character of a long run without spaces a space."""
    text = replace_lone_surrogates(text)
    if LONG_RUN.search(text):
        chars = list(text)
        for run in LONG_RUN.finditer(text):
            for i in range(run.start() + MAX_RUN, run.end(), MAX_RUN):
                chars[i] = " "
        text = "".join(chars)
    return text


def remap_statement(statement: dict[str, Any], to_text: Callable[[int, int], tuple[int, int]],
                    text: str) -> dict[str, Any]:
    """A statement dict moved into ``text``: every span (statement, target, cue) goes through
    ``to_text`` and its string is taken from ``text``, so ``text[start:end]`` always holds."""
    start, end = to_text(statement["start"], statement["end"])
    statement = dict(statement, start=start, end=end, text=text[start:end])
    for key in ("target", "cue"):
        if statement[key] is not None:
            s, e = to_text(statement[key]["start"], statement[key]["end"])
            statement[key] = {"text": text[s:e], "start": s, "end": e}
    return statement


class Labeler:
    """Label customer text: ``nw(text)``, ``nw.pipe(texts)``, ``nw.classify(statements)``."""

    labels: tuple[str, ...] = LABELS

    def __init__(self, nlp: Language) -> None:
        if "needswants" not in nlp.pipe_names:
            raise ValueError("Labeler needs a spaCy pipeline with the 'needswants' component.")
        self.nlp = nlp

    @property
    def component(self) -> NeedswantsComponent:
        """The spaCy component that segments and classifies (holds the classifier)."""
        return self.nlp.get_pipe("needswants")

    @property
    def meta(self) -> dict[str, Any]:
        """The model card data (``meta.json``'s ``needswants`` section)."""
        return dict(self.nlp.meta.get("needswants", {}))

    # -- labelling ------------------------------------------------------------------------
    def __call__(self, text: str) -> Result:
        """The labelled statements of one text (any ``str``; anything else raises TypeError)."""
        return next(self.pipe([text]))

    def pipe(self, texts: Iterable[str], batch_size: int = 1000, n_process: int = 1) -> Iterator[Result]:
        """Results for ``texts`` in input order; ``n_process`` > 1 uses worker processes. Texts are
        labelled ``batch_size`` at a time with the garbage collector paused (see
        :mod:`needswants.collector`); it is as it was whenever a Result is handed out."""
        if isinstance(texts, str):
            raise TypeError("pipe takes an iterable of str; for one text call nw(text) or pass [text]")
        if n_process < 1 or batch_size < 1:
            raise ValueError(f"n_process and batch_size must be 1 or more, got {n_process} and {batch_size}")
        if n_process > 1:
            yield from self._pipe_parallel(texts, batch_size, n_process)
            return
        for batch in minibatch(texts, size=batch_size):
            # the batch's spaCy Docs are all gone before the collector is back on: a collection
            # then would have to walk every one of them
            with collector_paused():
                results = list(self._label_texts(batch, batch_size))
            yield from results

    def _label_texts(self, texts: Iterable[str], batch_size: int) -> Iterator[Result]:
        """The Results of ``texts``, in this process: texts cut into pieces for spaCy, each Result put together again."""
        in_flight: dict[int, str] = {}  # texts sent to spaCy whose Result is not yet out

        def pieces() -> Iterator[tuple[str, tuple[int, int, bool]]]:
            for index, text in enumerate(texts):
                in_flight[index] = check_text(text)
                for offset, piece in _chunks(text):
                    for_spacy = replace_lone_surrogates(piece)
                    yield for_spacy, (index, offset, offset == 0 and for_spacy == text)

        docs = self.nlp.pipe(pieces(), as_tuples=True, batch_size=batch_size)
        current: Optional[int] = None
        statements: list[Statement] = []
        for doc, (index, offset, whole_text) in docs:
            if current is not None and index != current:
                yield Result(in_flight.pop(current), tuple(statements))
                statements = []
            current = index
            if whole_text:  # the Doc's offsets and strings are already those of the text
                statements.extend(Statement(**s) for s in doc._.needswants)
                continue
            text = in_flight[index]
            shift = lambda s, e, offset=offset: (s + offset, e + offset)  # noqa: E731
            statements.extend(Statement(**remap_statement(s, shift, text)) for s in doc._.needswants)
        if current is not None:
            yield Result(in_flight.pop(current), tuple(statements))

    def _pipe_parallel(self, texts: Iterable[str], batch_size: int, n_process: int) -> Iterator[Result]:
        """Label batches in ``n_process`` worker processes, each holding its own copy of this Labeler.

        Workers send back finished Results (not spaCy Docs), and at most ``2 * n_process`` batches
        are in flight, so memory stays flat however long the input is.
        """
        context = multiprocessing.get_context("spawn")
        with context.Pool(n_process, initializer=_init_worker, initargs=(self,)) as pool:
            pending: collections.deque = collections.deque()
            for batch in minibatch((check_text(t) for t in texts), size=batch_size):
                pending.append(pool.apply_async(_label_batch, (list(batch),)))
                if len(pending) > 2 * n_process:  # keep every worker busy, memory bounded
                    yield from pending.popleft().get()
            while pending:
                yield from pending.popleft().get()

    def _whole_statement_views(self, statements: Sequence[str]) -> list[dict[str, str]]:
        if isinstance(statements, str):
            raise TypeError("classify and predict_proba take a list of str; wrap a single statement: [text]")
        component = self.component
        return [component.whole_doc_views(self.nlp.make_doc(statement_for_spacy(check_text(t)))) for t in statements]

    def predict_proba(self, statements: Sequence[str]) -> np.ndarray:
        """Probabilities (n, 4) for strings each taken as ONE statement; columns in ``labels`` order."""
        views = self._whole_statement_views(statements)
        texts = [replace_lone_surrogates(t) for t in statements] if self.component.encoder is not None else []
        return self.component.classify_views(views, texts)[0]

    def classify(self, statements: Sequence[str]) -> list[str]:
        """One label per string, each string taken as one statement (no segmentation)."""
        proba = self.predict_proba(statements)
        return [LABELS[i] for i in proba.argmax(axis=1)] if len(proba) else []

    # -- persistence ----------------------------------------------------------------------
    def save(self, folder: PathLike, replace: bool = False) -> Path:
        """Write the model folder: spaCy pipeline, classifier (JSON + numeric arrays), meta.json and card.md.

        With ``replace=True`` a model folder already at ``folder`` is replaced whole: the new model
        is written beside it first, so no file of the old one is left behind and a failed save
        leaves the old one as it was. A folder that holds something other than a model is refused.
        """
        folder = Path(folder)
        if replace and holds_model_to_replace(folder, "save(replace=True)"):
            self._save_in_place_of(folder)
        else:
            self._write(folder)
        return folder

    def _write(self, folder: Path) -> None:
        self.nlp.to_disk(folder)
        from .card import render_card  # local: only saving needs the card template

        (folder / CARD_FILE).write_text(render_card(self.meta), encoding="utf-8")

    def _save_in_place_of(self, folder: Path) -> None:
        folder = folder.resolve()  # "." has a name and a parent; a symlink's target is what is replaced
        new = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
        try:
            shutil.copymode(folder, new)  # mkdtemp makes it private; keep the old folder's permissions
            self._write(new)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
        folder.rename(old / folder.name)
        try:
            new.rename(folder)
        except BaseException:
            (old / folder.name).rename(folder)  # put the old model back
            shutil.rmtree(new, ignore_errors=True)
            shutil.rmtree(old, ignore_errors=True)
            raise
        shutil.rmtree(old, ignore_errors=True)


_worker_labeler: Optional[Labeler] = None


def _init_worker(labeler: Labeler) -> None:
    global _worker_labeler
    _worker_labeler = labeler
    _freeze_loaded_objects()


_frozen_once = False


def _freeze_loaded_objects() -> None:
    """Move every object alive now (spaCy's and the model's, kept for the life of the process) out
    of the cyclic garbage collector's sight with :func:`gc.freeze`. Labelling creates many short-lived
    objects, so full collections happen while it runs, and each one scanned all of them: about a
    tenth of labelling time. Reference counting still frees these objects as usual; only garbage
    cycles among them are no longer collected (``gc.unfreeze()`` undoes this), so a frozen model
    that is dropped stays in memory. That is why only the first call in a process freezes: loading
    model after model does not pile them up."""
    global _frozen_once
    if not _frozen_once:
        _frozen_once = True
        gc.freeze()


def _label_batch(texts: list[str]) -> list[Result]:
    assert _worker_labeler is not None
    return list(_worker_labeler.pipe(texts, batch_size=len(texts) or 1))


ALLOWED_FACTORIES = frozenset({
    "needswants", "sentencizer", "senter", "parser", "tok2vec", "tagger", "attribute_ruler",
    "lemmatizer", "morphologizer", "transformer", "curated_transformer",
})


def is_model_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a needswants model: its spaCy config and the classifier's settings."""
    return (folder / "config.cfg").is_file() and (folder / "needswants" / "classifier.json").is_file()


def holds_model_to_replace(folder: Path, asked_by: str) -> bool:
    """Whether saving with ``replace`` at ``folder`` must swap out what is there (a folder that is
    not empty). Raises SettingsError when what is there is not a model; ``asked_by`` names the
    option that asked to replace it ("--force", "save(replace=True)")."""
    if not (folder.is_dir() and any(folder.iterdir())):
        return False
    if not is_model_folder(folder):
        raise SettingsError(
            f"{folder} is not a model folder (it has no config.cfg and needswants/classifier.json), "
            f"so {asked_by} will not replace it; give a new or empty folder."
        )
    return True


def _check_model_folder(folder: Path) -> None:
    if not is_model_folder(folder):
        raise ModelLoadError(
            f"{folder} is not a needswants model folder: it must hold config.cfg and "
            "needswants/classifier.json. Make one with `needswants train` or Labeler.save(DIR)."
        )
    config = spacy.util.load_config(folder / "config.cfg", interpolate=False)
    for name, component in config.get("components", {}).items():
        factory = component.get("factory")
        if factory not in ALLOWED_FACTORIES:
            raise ModelLoadError(
                f"{folder}/config.cfg names component {name!r} with factory {factory!r}, which needswants "
                f"does not load. Allowed: {sorted(ALLOWED_FACTORIES)}."
            )
    meta = srsly.read_json(folder / "meta.json") if (folder / "meta.json").is_file() else {}
    from . import __version__
    from .model import FORMAT_VERSION

    saved_format = meta.get("needswants", {}).get("format_version")
    if saved_format != FORMAT_VERSION:
        raise ModelLoadError(
            f"{folder} was saved by needswants {meta.get('needswants', {}).get('needswants_version', '?')} "
            f"in model format {saved_format!r}; needswants {__version__} reads format {FORMAT_VERSION}. "
            "Retrain it: needswants train TRAIN.jsonl --dev DEV.jsonl -o DIR"
        )


def model_folder(path: Optional[PathLike] = None) -> Path:
    """The folder :func:`load` reads for ``path``: the shipped default for None, the shipped model of
    that name for "default" or "accurate" (unless the working directory has a model folder so named),
    else ``path`` itself."""
    if path is None:
        return paths.shipped_model_folder()
    if str(path) in paths.SHIPPED_MODELS and not is_model_folder(Path(path)):
        return paths.shipped_model_folder(str(path))
    return Path(path)


def load(path: Optional[PathLike] = None, *, spacy_model: Optional[PathLike] = None,
         freeze_gc: bool = True) -> Labeler:
    """Load a Labeler: the shipped default model, the shipped model named ``path`` ("default" or
    "accurate", unless a model folder of that name is in the working directory), or the model folder at ``path``.

    ``spacy_model`` (an installed package name or a folder) swaps in a trained spaCy pipeline
    whose parser then gives clause boundaries; the default needs none. With ``freeze_gc`` (the
    default), the first load in a process freezes the objects then alive for the cyclic garbage
    collector, which makes labelling about a tenth faster; that model then stays in memory even if
    dropped (see :func:`_freeze_loaded_objects`). Pass False to leave the garbage collector as it is.
    Worker processes of ``pipe(n_process=N)`` always freeze: they live only for the labelling.
    """
    folder = model_folder(path)
    _check_model_folder(folder)
    register_extensions()
    if spacy_model is None:
        nlp = spacy.load(folder)
    else:
        nlp = pipeline.trained_pipeline(spacy_model)
        nlp.add_pipe("needswants", config={"model": str(folder / "needswants")})
        nlp.meta["needswants"] = srsly.read_json(folder / "meta.json").get("needswants", {})
    labeler = Labeler(nlp)
    if freeze_gc:
        _freeze_loaded_objects()
    return labeler


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
