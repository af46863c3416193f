"""Label a Dask DataFrame of tickets: ``needswants.dask.label_dataframe(ddf, text="body", id="id")``.

One output partition per input partition, with columns ``id`` (its input dtype kept) and
``statements`` (each a list of statement dicts, as in ``Result.to_dict()["statements"]``).
Each worker process loads the model once, on its first task, and keeps it; tasks carry only
the model's path. Needs the ``[dask]`` extra.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Union

try:
    import dask.dataframe as dd
    import pandas as pd
except ImportError as err:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "needswants.dask needs Dask: pip install 'needswants[dask]'"
    ) from err

from .labeler import Labeler, load

_LOADED: dict[Optional[str], Labeler] = {}  # one Labeler per model path, per worker process


def _labeler(model: Optional[str]) -> Labeler:
    if model not in _LOADED:
        _LOADED[model] = load(model)
    return _LOADED[model]


def _meta(id_dtype: Any) -> pd.DataFrame:
    return pd.DataFrame({"id": pd.Series(dtype=id_dtype), "statements": pd.Series(dtype=object)})


def label_partition(frame: pd.DataFrame, text: str, id: str, model: Optional[str] = None,
                    batch_size: int = 256) -> pd.DataFrame:
    """Label one pandas partition; a missing or empty text gives an empty list of statements."""
    labeler = _labeler(model)
    texts = [value if isinstance(value, str) else "" for value in frame[text].tolist()]
    statements = [[s.to_dict() for s in result.statements] for result in labeler.pipe(texts, batch_size=batch_size)]
    out = _meta(frame[id].dtype)
    out["id"] = frame[id].to_numpy()
    out["statements"] = pd.Series(statements, index=out.index, dtype=object)
    return out.reset_index(drop=True)


def label_dataframe(ddf: dd.DataFrame, text: str = "body", id: str = "id",
                    model: Optional[Union[str, Path]] = None, batch_size: int = 256) -> dd.DataFrame:
    """A lazy Dask DataFrame of labelled statements, one partition per input partition."""
    missing = [column for column in (text, id) if column not in ddf.columns]
    if missing:
        raise KeyError(f"Unknown column {missing[0]!r}; the DataFrame has: {', '.join(map(str, ddf.columns))}")
    folder = str(Path(model).resolve()) if model is not None else None
    return ddf.map_partitions(label_partition, text, id, folder, batch_size, meta=_meta(ddf[id].dtype))
