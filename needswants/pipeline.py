"""Building the spaCy ``Language``: blank English, or a trained pipeline.

Sentences need no component of their own: where no component marks them, the ``needswants``
component cuts them by spaCy's ``sentencizer`` rule (see :mod:`needswants.segment`)."""
from __future__ import annotations

from pathlib import Path
from typing import Union

import spacy
from spacy.language import Language

#: Components of a trained pipeline that needswants never uses; left out to save time.
UNUSED_COMPONENTS = ("ner", "textcat", "textcat_multilabel", "entity_ruler", "entity_linker")


def blank_pipeline() -> Language:
    """The English tokenizer: all the default model needs before its own component."""
    return spacy.blank("en")


def trained_pipeline(name_or_path: Union[str, Path]) -> Language:
    """A trained English pipeline (e.g. one with a parser), used for clause boundaries."""
    try:
        nlp = spacy.load(name_or_path, exclude=list(UNUSED_COMPONENTS))
    except OSError as err:
        raise OSError(
            f"Cannot load the spaCy pipeline {str(name_or_path)!r}: it is not an installed package or a "
            "pipeline folder. Install one (e.g. pip install 'needswants[parser]') or leave spacy_model unset."
        ) from err
    return nlp
