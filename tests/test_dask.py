"""The Dask adapter on a real LocalCluster with two worker processes."""
from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dask.dataframe as dd  # the [dask] extra is part of the test extras
import distributed

from needswants.batch import label_export
from needswants.dask import label_dataframe, label_files
from needswants.errors import InputError

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
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
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


# -- needswants label --scheduler: whole exports, in parts -------------------------------------

BODIES = [
    "My charger died, so I need a new one by Friday.",
    "I was told it would arrive Monday. It's been three weeks!",
    "",
    "Dark mode please 😊\n\nSent from my iPhone",
    "=cmd| Thanks for the quick reply!",
]


def write_csv_export(folder: Path, files: int, rows: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in range(files):
        path = folder / f"tickets-{f:02d}.csv"
        pd.DataFrame({"id": [f"{f}-{r}" for r in range(rows)],
                      "body": [BODIES[(f + r) % len(BODIES)] for r in range(rows)]}).to_csv(path, index=False)
        paths.append(path)
    return paths


def single_process_records(nw, path: Path, **options) -> list[dict]:
    out = path.with_name(path.stem + ".single.jsonl")
    label_export(nw, str(path), out, text_columns=("body",), id_column="id", force=True, **options)
    return [json.loads(line) for line in out.open(encoding="utf-8")]


def read_part(path: Path) -> list[dict]:
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    return [json.loads(line) for line in path.open(encoding="utf-8")]


@pytest.mark.slow
def test_label_command_on_a_local_cluster_matches_single_process(tmp_path, nw):
    inputs = write_csv_export(tmp_path / "export", files=3, rows=7)
    out = tmp_path / "labelled"
    done = subprocess.run(
        [sys.executable, "-m", "needswants", "label", str(tmp_path / "export" / "*.csv"), "-o", str(out),
         "--format", "jsonl", "--text-column", "body", "--id-column", "id", "--scheduler", "local:2"],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "3 parts; 21 rows read" in done.stderr
    manifest = json.loads((out / "_manifest.json").read_text())
    assert [p["path"] for p in manifest["parts"]] == [str(p.resolve()) for p in inputs]
    assert sorted(p.name for p in out.iterdir()) == ["_manifest.json", "part-00000.jsonl", "part-00001.jsonl",
                                                      "part-00002.jsonl"]
    for index, path in enumerate(inputs):
        assert read_part(out / f"part-{index:05d}.jsonl") == single_process_records(nw, path)


@pytest.mark.slow
def test_parquet_is_cut_at_row_groups_and_resume_finishes_only_missing_parts(client, tmp_path, nw):
    source = tmp_path / "tickets.parquet"
    bodies = [BODIES[r % len(BODIES)] for r in range(23)]
    pq.write_table(pa.table({"id": list(range(23)), "body": bodies}), source, row_group_size=4)
    out = tmp_path / "labelled"
    options = dict(fmt="parquet", text_columns=("body",), id_column="id", rows_per_part=8)
    summary = label_files(str(source), out, client, **options)
    assert (summary.parts, summary.rows, summary.errors) == (3, 23, 5)  # 8 + 8 + 7 rows; every 5th body is empty
    records = [r for index in range(3) for r in read_part(out / f"part-{index:05d}.parquet")]
    expected = single_process_records(nw, source)
    assert [r["row"] for r in records] == list(range(1, 24))
    assert [r["id"] for r in records] == [str(e["id"]) for e in expected]  # Parquet holds ids as text
    assert [r["statements"] for r in records] == [e["statements"] for e in expected]
    assert [r["error"] for r in records] == [e["error"] for e in expected]

    with pytest.raises(InputError, match="add --force to overwrite them or --resume"):
        label_files(str(source), out, client, **options)
    (out / "part-00001.parquet").unlink()
    resumed = label_files(str(source), out, client, resume=True, **options)
    assert (resumed.parts_done_before, resumed.rows) == (2, 8)
    assert read_part(out / "part-00001.parquet")[0]["row"] == 9
    with pytest.raises(InputError, match="written for other inputs"):
        label_files(str(source), out, client, resume=True, **{**options, "rows_per_part": 4})


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_and_repeats_no_row(tmp_path, nw):
    inputs = write_csv_export(tmp_path / "export", files=4, rows=1500)
    out = tmp_path / "labelled"
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    with cluster, distributed.Client(cluster) as client:
        client.wait_for_workers(2)
        first_pids = set(client.run(os.getpid).values())
        outcome: dict = {}

        def run() -> None:
            try:
                outcome["summary"] = label_files(str(tmp_path / "export"), out, client, fmt="jsonl",
                                                 text_columns=("body",), id_column="id")
            except BaseException as err:  # reported by the assertion below
                outcome["error"] = err

        runner = threading.Thread(target=run)
        runner.start()
        deadline = time.monotonic() + 120
        while not list(out.glob(".part-*")) and time.monotonic() < deadline:
            time.sleep(0.01)  # wait until a task is writing its part
        assert list(out.glob(".part-*")), "no task started writing"
        for pid in first_pids:
            os.kill(pid, signal.SIGKILL)  # both workers die mid-task; their nannies start new ones
        runner.join(timeout=300)
        assert "error" not in outcome, outcome.get("error")
        assert set(client.run(os.getpid).values()).isdisjoint(first_pids)
    summary = outcome["summary"]
    assert (summary.parts, summary.rows) == (4, 6000)
    assert not list(out.glob(".part-*"))
    for index, path in enumerate(inputs):
        records = read_part(out / f"part-{index:05d}.jsonl")
        assert [r["row"] for r in records] == list(range(1, 1501))
        assert records == single_process_records(nw, path)


@pytest.mark.slow
def test_an_unknown_column_in_a_part_stops_the_run_naming_the_columns(client, tmp_path):
    write_csv_export(tmp_path / "export", files=2, rows=3)
    with pytest.raises(InputError, match="Unknown column 'text'; the input has: id, body"):
        label_files(str(tmp_path / "export"), tmp_path / "labelled", client, fmt="jsonl")


@pytest.mark.parametrize("args, message", [
    (["--scheduler", "local:zero"], "give the number of workers, e.g. local:2"),
    (["--scheduler", "127.0.0.1:8786"], "use tcp://HOST:PORT or local:N"),
    (["--scheduler", "local:2", "--n-process", "2"], "--n-process is for one machine"),
])
def test_scheduler_mistakes_get_one_line_that_says_the_fix(tmp_path, args, message):
    from typer.testing import CliRunner

    from needswants.cli import app

    write_csv_export(tmp_path / "export", files=1, rows=2)
    result = CliRunner().invoke(app, ["label", str(tmp_path / "export"), "-o", str(tmp_path / "out"),
                                      "--text-column", "body", *args])
    assert result.exit_code == 1
    assert message in result.output


def test_no_matching_input_files_is_an_error_before_any_cluster_starts(tmp_path):
    with pytest.raises(InputError, match="No input files match the glob"):
        label_files(str(tmp_path / "*.csv"), tmp_path / "out", "local:2")
    assert not (tmp_path / "out").exists()


def test_without_dask_the_import_and_the_command_say_what_to_install(tmp_path):
    hide_dask = "import sys; sys.modules.update({m: None for m in ('dask', 'dask.dataframe', 'distributed')}); "
    imported = subprocess.run([sys.executable, "-c", hide_dask + "import needswants.dask"],
                              capture_output=True, text=True)
    assert imported.returncode == 1 and "pip install 'needswants[dask]'" in imported.stderr
    write_csv_export(tmp_path / "export", files=1, rows=2)
    command = subprocess.run(
        [sys.executable, "-c", hide_dask + "from needswants.cli import main; sys.argv[0] = 'needswants'; main()",
         "label", str(tmp_path / "export"), "-o", str(tmp_path / "out"), "--scheduler", "local:2"],
        capture_output=True, text=True)
    assert command.returncode == 1
    assert command.stderr.strip() == "needswants: error: needswants.dask needs Dask: pip install 'needswants[dask]'"


@pytest.mark.slow
def test_the_readme_cluster_example_runs_against_a_real_scheduler(client, tmp_path, nw):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    (example,) = [b for b in re.findall(r"```console\n(.*?)```", readme, re.S) if "--scheduler tcp://" in b]
    for month, rows in (("2026-01", 5), ("2026-02", 3)):
        (tmp_path / "exports" / month).mkdir(parents=True)
        pq.write_table(pa.table({"id": [f"{month}-{r}" for r in range(rows)],
                                 "body": [BODIES[r % len(BODIES)] for r in range(rows)]}),
                       tmp_path / "exports" / month / "tickets.parquet")
    address = re.search(r"tcp://\S+", example).group(0)
    command = example.strip().replace(address, client.scheduler.address).replace("/shared", str(tmp_path))
    done = subprocess.run([sys.executable, "-m", *shlex.split(command)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    first, second = (read_part(tmp_path / "labelled" / f"part-{i:05d}.parquet") for i in range(2))
    assert [r["id"] for r in first + second] == [f"2026-01-{r}" for r in range(5)] + [f"2026-02-{r}" for r in range(3)]
    assert [s["label"] for s in first[0]["statements"]] == [s.label for s in nw(BODIES[0]).statements]


@pytest.mark.slow
def test_force_clears_old_parts_and_resume_refuses_other_options(client, tmp_path):
    export = tmp_path / "export"
    write_csv_export(export, files=3, rows=4)
    out = tmp_path / "labelled"
    options = dict(fmt="jsonl", text_columns=("body",), id_column="id")
    label_files(str(export), out, client, **options)
    (export / "tickets-02.csv").unlink()  # the next run has two parts: part-00002 must not survive --force
    summary = label_files(str(export), out, client, force=True, **options)
    assert summary.parts == 2
    assert sorted(p.name for p in out.iterdir()) == ["_manifest.json", "part-00000.jsonl", "part-00001.jsonl"]
    with pytest.raises(InputError, match="written for other inputs, options or format"):
        label_files(str(export), out, client, resume=True, **{**options, "clean": False})
    assert label_files(str(export), out, client, resume=True, **options).parts_done_before == 2


@pytest.mark.slow
def test_the_output_folder_and_hidden_files_inside_the_export_are_not_read(client, tmp_path):
    export = tmp_path / "export"
    write_csv_export(export, files=1, rows=3)
    write_csv_export(export / "_temporary" / "0", files=1, rows=3)  # a half-written job of another tool
    out = export / "labelled"
    options = dict(fmt="csv", text_columns=("body",), id_column="id")
    first = label_files(str(export), out, client, **options)
    again = label_files(str(export), out, client, force=True, **options)  # part-00000.csv is not an input
    assert (first.parts, first.rows) == (again.parts, again.rows) == (1, 3)
    manifest = json.loads((out / "_manifest.json").read_text())
    assert [p["path"] for p in manifest["parts"]] == [str((export / "tickets-00.csv").resolve())]


@pytest.mark.slow
def test_an_unknown_column_names_the_file_of_the_part(client, tmp_path):
    inputs = write_csv_export(tmp_path / "export", files=1, rows=2)
    with pytest.raises(InputError, match=re.escape(f"{inputs[0].resolve()} (part-00000): Unknown column 'text'")):
        label_files(str(tmp_path / "export"), tmp_path / "labelled", client, fmt="jsonl")
