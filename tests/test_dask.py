"""The Dask adapter on a real LocalCluster with two worker processes."""
from __future__ import annotations

import pandas as pd
import pytest

import dask.dataframe as dd  # the [dask] extra is part of the test extras
import distributed

from needswants.dask import label_dataframe

TEXTS = [
    "My charger died, so I need a new one by Friday.",
    "I was told it would arrive Monday. It's been three weeks!",
    "",
    None,
    "Dark mode please 😊",
    "Thanks for the quick reply!",
] * 5


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.mark.slow
def test_cluster_labels_match_the_single_process_path(client, nw):
    frame = pd.DataFrame({"id": range(100, 100 + len(TEXTS)), "body": TEXTS})
    ddf = dd.from_pandas(frame, npartitions=4)
    labelled = label_dataframe(ddf, text="body", id="id")
    assert labelled.npartitions == ddf.npartitions
    out = labelled.compute()
    assert list(out.columns) == ["id", "statements"]
    assert out["id"].dtype == frame["id"].dtype
    assert out["id"].tolist() == frame["id"].tolist()
    expected = [[s.to_dict() for s in nw(t if isinstance(t, str) else "").statements] for t in TEXTS]
    assert out["statements"].tolist() == expected
    # each worker process loaded the model once and kept it
    loaded = client.run(lambda: len(__import__("needswants.dask").dask._LOADED))
    assert set(loaded.values()) <= {0, 1} and sum(loaded.values()) >= 1


def test_unknown_column_names_the_columns_there_are():
    ddf = dd.from_pandas(pd.DataFrame({"id": [1], "body": ["x"]}), npartitions=1)
    with pytest.raises(KeyError, match="the DataFrame has: id, body"):
        label_dataframe(ddf, text="text")
