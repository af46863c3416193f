"""NBSVMClassifier follows scikit-learn's estimator conventions."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from needswants.nbsvm import NBSVMClassifier

WORDS = {"refund": 0, "late": 1, "love": 2, "dark": 3, "mode": 4, "thanks": 5}


def bag(texts):
    rows, cols = [], []
    for r, text in enumerate(texts):
        for w in text.split():
            rows.append(r)
            cols.append(WORDS[w])
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(WORDS)))


TEXTS = ["refund late", "late refund refund", "love dark mode", "dark mode", "thanks", "thanks love"]


def test_three_classes_predict_the_best_score_and_learn_the_words():
    y = np.array([0, 0, 1, 1, 2, 2])
    model = NBSVMClassifier(C=10.0).fit(bag(TEXTS), y)
    scores = model.decision_function(bag(TEXTS))
    assert scores.shape == (6, 3) and model.coef_.shape == (3, len(WORDS))
    np.testing.assert_array_equal(model.predict(bag(TEXTS)), model.classes_[scores.argmax(axis=1)])
    np.testing.assert_array_equal(model.predict(bag(["refund", "dark", "thanks"])), [0, 1, 2])


def test_two_classes_keep_one_row_as_scikit_learn_does():
    y = np.array(["need", "need", "want", "want", "want", "need"])
    model = NBSVMClassifier().fit(bag(TEXTS), y)
    assert model.coef_.shape == (1, len(WORDS)) and model.decision_function(bag(TEXTS)).shape == (6,)
    assert list(model.predict(bag(["refund late", "dark mode"]))) == ["need", "want"]
    assert clone(model).get_params() == model.get_params()
