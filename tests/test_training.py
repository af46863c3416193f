"""train and evaluate through the Python API: reproducibility, errors listed by row, reports."""
from __future__ import annotations

import numpy as np
import pytest

import needswants
from needswants import DataError
from needswants.training import C_GRID

PROBE = ["I expected a refund by now.", "I'd prefer the blue one.", "The app logs me out every day.", "Hello!"]


def test_same_data_and_seed_give_identical_predictions(small_train, small_model):
    again = needswants.train(small_train, seed=0, C=4.0)
    np.testing.assert_array_equal(again.predict_proba(PROBE), small_model.predict_proba(PROBE))


def test_dev_data_picks_c_and_lands_in_the_card(small_train):
    labeler = needswants.train(small_train[:300], dev=small_train[300:450], seed=1)
    meta = labeler.meta
    assert meta["C"] in C_GRID
    assert meta["dev"]["n"] == 150
    assert 0.0 <= meta["dev"]["macro_f1"] <= 1.0


def _macro(model, examples):
    from sklearn.metrics import f1_score

    gold = [e.label for e in examples]
    return f1_score(gold, model.classify([e.text for e in examples]), labels=sorted(set(gold)), average="macro")


def test_the_selection_score_is_the_mean_of_the_sources_macro_f1(small_model, small_train):
    from needswants.data import read_examples
    from needswants.training import MIN_SOURCE_STATEMENTS, selection_score

    dev = read_examples(small_train)
    by_kind = {}
    for e in dev:
        by_kind.setdefault(e.source_kind, []).append(e)
    assert len(by_kind) >= 2 and all(len(rows) >= MIN_SOURCE_STATEMENTS for rows in by_kind.values())
    assert selection_score(small_model, dev) == pytest.approx(np.mean([_macro(small_model, rows) for rows in by_kind.values()]))
    # one source alone: its plain macro-F1; a source too small to count alone is scored with the other small ones
    big, small = sorted(by_kind.values(), key=len)[-1], sorted(by_kind.values(), key=len)[0][:10]
    assert selection_score(small_model, big) == pytest.approx(_macro(small_model, big))
    assert selection_score(small_model, big + small) == pytest.approx(
        (_macro(small_model, big) + _macro(small_model, small)) / 2)


def test_train_keeps_the_c_that_the_selection_score_prefers(small_train, monkeypatch):
    import needswants.training as training

    def prefers_c_16(labeler, examples):
        return -abs(labeler.component.classifier.C - 16.0)

    monkeypatch.setattr(training, "selection_score", prefers_c_16)
    labeler = needswants.train(small_train[:300], dev=small_train[300:450], seed=0)
    assert labeler.meta["C"] == 16.0
    assert labeler.meta["C_chosen_by"].startswith("chosen by selection_score on dev")
    with pytest.raises(needswants.SettingsError, match="finite number above 0"):
        needswants.train(small_train[:50], C=0.0)


def test_refit_fits_train_and_dev_together_with_the_chosen_c(small_train):
    train_part, dev_part = small_train[:300], small_train[300:450]
    refitted = needswants.train(train_part, dev=dev_part, seed=1, refit=True)
    meta = refitted.meta
    assert meta["refit_on_dev"] is True and meta["data"]["n"] == 450 and meta["dev"]["n"] == 150
    direct = needswants.train(train_part + dev_part, seed=1, C=meta["C"])
    np.testing.assert_array_equal(refitted.predict_proba(PROBE), direct.predict_proba(PROBE))
    with pytest.raises(needswants.SettingsError, match="needs dev data"):
        needswants.train(train_part, seed=1, refit=True)


def test_bad_rows_stop_training_and_are_listed_by_row():
    records = [
        {"text": "I need help", "label": "need"},
        {"text": "", "label": "want"},
        {"text": "Dark mode please", "label": "wish"},
        {"text": "It should work", "label": "expectation", "level": "hoped"},
        {"label": "none"},
    ]
    with pytest.raises(DataError) as caught:
        needswants.train(records)
    message = str(caught.value)
    assert "4 problem(s)" in message
    for row, field in [(2, "text"), (3, "label"), (4, "level"), (5, "text")]:
        assert f"record {row}, field '{field}'" in message


def test_csv_training_data_is_read(tmp_path, small_train):
    import csv

    path = tmp_path / "team.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["text", "label"])
        writer.writeheader()
        writer.writerows({"text": r["text"], "label": r["label"]} for r in small_train[:200])
    labeler = needswants.train(path, seed=0, C=2.0)
    assert labeler.meta["data"]["n"] == 200


def test_evaluate_reports_per_label_scores_confusion_and_calibration(small_model, small_train):
    report = needswants.evaluate(small_model, small_train[:120])
    data = report.to_dict()
    assert data["n"] == 120
    assert set(data["per_label"]) == set(needswants.LABELS)
    assert sum(map(sum, data["confusion"])) == 120
    assert data["macro_f1"] == pytest.approx(np.mean([m["f1"] for m in data["per_label"].values()]))
    assert 0.0 <= data["calibration_error"] <= 1.0
    text = str(report)
    assert "macro-F1" in text and "confusion" in text


def test_calibration_error_of_a_perfect_and_a_wrong_model():
    from needswants.evaluation import expected_calibration_error

    assert expected_calibration_error(np.ones(10), np.ones(10)) == 0.0
    assert expected_calibration_error(np.full(10, 0.9), np.zeros(10)) == pytest.approx(0.9)


def test_two_labels_train_and_match_scikit_learn(small_train):
    """With two labels scikit-learn keeps one weight row; the stored model must give exactly
    its probabilities (uncalibrated), and no probability to labels never seen."""
    from sklearn.linear_model import LogisticRegression

    from needswants.model import StatementClassifier
    from needswants.nbsvm import NBSVMClassifier

    two = [r for r in small_train if r["label"] in ("need", "none")][:200]
    nw = needswants.train(two, seed=0, C=4.0)  # the calibrated path runs end to end
    proba = nw.predict_proba([r["text"] for r in two[:20]])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert proba[:, :2].max() == 0.0
    views = nw._whole_statement_views([r["text"] for r in two])
    labels = [r["label"] for r in two]
    plain = StatementClassifier(C=4.0, calibration="none", class_weight=None, method="logistic").fit(
        views, labels, [None] * len(two))
    X = plain.featurizer_.transform(views)
    used = np.unique(X.indices)
    reference = LogisticRegression(C=4.0, max_iter=5000, random_state=0).fit(X[:, used], labels)
    expected = reference.predict_proba(X[:, used])  # columns: need, none
    np.testing.assert_allclose(plain.predict_proba(views)[:, 2:], expected, atol=1e-6)
    # the default NB-SVM: its one row of scores becomes P(none) = sigmoid(score)
    nb = StatementClassifier(C=4.0, calibration="none", class_weight=None).fit(views, labels, [None] * len(two))
    scores = NBSVMClassifier(C=4.0, class_weight=None, random_state=0).fit(X[:, used], labels).decision_function(
        X[:, used])
    np.testing.assert_allclose(nb.predict_proba(views)[:, 3], 1 / (1 + np.exp(-scores)), atol=1e-6)
