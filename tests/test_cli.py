"""`needswants label` and friends, run through the real command-line entry point."""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from needswants.cli import app
from needswants.training import C_GRID

runner = CliRunner()
TICKETS = [
    {"id": 1, "body": "My charger died, so I need a new one by Friday.", "channel": "mail"},
    {"id": 2, "body": "=HYPERLINK(\"http://x\") I was told it would arrive Monday.", "channel": "chat"},
    {"id": 3, "body": "", "channel": "chat"},
    {"id": 4, "body": "Dark mode please!\n\nSent from my iPhone", "channel": "form"},
]


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8")]


@pytest.fixture()
def tickets_jsonl(tmp_path):
    path = tmp_path / "tickets.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in TICKETS), encoding="utf-8")
    return path


def test_jsonl_to_jsonl_keeps_every_row_in_order(tmp_path, tickets_jsonl, nw):
    out = tmp_path / "out.jsonl"
    result = run("label", str(tickets_jsonl), "-o", str(out), "--text-column", "body", "--id-column", "id")
    assert result.exit_code == 0, result.output
    records = read_jsonl(out)
    assert [r["id"] for r in records] == [1, 2, 3, 4]
    assert records[2]["statements"] == [] and "no text in column 'body'" in records[2]["error"]
    first = records[0]
    assert first["error"] is None
    assert [s["label"] for s in first["statements"]] == [s.label for s in nw(TICKETS[0]["body"]).statements]
    # the signature is cleaned away, offsets still point into the original text
    assert [s["text"] for s in records[3]["statements"]] == ["Dark mode please!"]
    for record, ticket in zip(records, TICKETS):
        for s in record["statements"]:
            assert ticket["body"][s["start"]:s["end"]] == s["text"]
    assert "4 rows read: 3 labelled, 1 with errors" in result.output


def test_csv_output_has_one_row_per_statement_and_escapes_formulas(tmp_path, tickets_jsonl):
    out = tmp_path / "out.csv"
    assert run("label", str(tickets_jsonl), "-o", str(out), "--text-column", "body", "--id-column", "id",
               "--keep-columns", "--quiet").exit_code == 0
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0].keys() >= {"row", "id", "index", "start", "end", "text", "label", "confidence", "level",
                              "target", "error", "channel"}
    assert [r["id"] for r in rows if r["index"] == ""] == ["3"]  # the empty ticket appears once, with its error
    assert {r["row"] for r in rows} == {"1", "2", "3", "4"}
    formula = [r["text"] for r in rows if r["id"] == "2"][0]
    assert formula.startswith("'=HYPERLINK")


def test_parquet_in_and_out(tmp_path, nw):
    source = tmp_path / "tickets.parquet"
    pd.DataFrame(TICKETS).to_parquet(source)
    out = tmp_path / "out.parquet"
    assert run("label", str(source), "-o", str(out), "--text-column", "body", "--quiet").exit_code == 0
    frame = pd.read_parquet(out)
    assert list(frame["row"]) == [1, 2, 3, 4]
    assert list(frame["statements"][0][0]["label"] for _ in [0]) == [nw(TICKETS[0]["body"]).statements[0].label]
    assert not (tmp_path / "out.parquet.partial.jsonl").exists()


def test_json_wrapper_nested_columns_and_two_text_columns(tmp_path):
    source = tmp_path / "export.json"
    source.write_text(json.dumps({"tickets": [
        {"ticket": {"id": "A-1"}, "subject": "Refund", "comment": {"body": "I want my money back."}},
        {"ticket": {"id": "A-2"}, "subject": "Login", "comment": {"body": "I can't log in."}},
    ]}), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("label", str(source), "-o", str(out), "--text-column", "subject", "--text-column", "comment.body",
                 "--id-column", "ticket.id", "--quiet")
    assert result.exit_code == 0, result.output
    records = read_jsonl(out)
    assert [r["id"] for r in records] == ["A-1", "A-2"]
    assert [s["text"] for s in records[1]["statements"]] == ["Login", "I can't log in."]
    for record in records:  # with two text columns the record carries the joined text
        assert all(record["text"][s["start"]:s["end"]] == s["text"] for s in record["statements"])


def test_csv_with_bom_semicolons_quoted_newlines_and_a_bad_byte(tmp_path):
    source = tmp_path / "export.csv"
    source.write_bytes(
        "\ufeffid;text\n1;\"Line one.\nLine two needs help.\"\n".encode("utf-8")
        + b"2;caf\xe9 is closed\n"
        + "3;Thanks!\n".encode("utf-8")
    )
    out = tmp_path / "out.jsonl"
    assert run("label", str(source), "-o", str(out), "--id-column", "id", "--quiet").exit_code == 0
    records = read_jsonl(out)
    assert [r["id"] for r in records] == ["1", "2", "3"]
    assert len(records[0]["statements"]) == 2
    assert "not valid utf-8-sig" in records[1]["error"] and "--encoding" in records[1]["error"]
    # the same file read as cp1252 decodes the byte
    out2 = tmp_path / "out2.jsonl"
    assert run("label", str(source), "-o", str(out2), "--encoding", "cp1252", "--quiet").exit_code == 0
    assert read_jsonl(out2)[1]["statements"][0]["text"] == "café is closed"


def test_broken_json_lines_and_oversized_texts_get_error_records(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "I need help."}\n{"text": broken\n{"text": "' + "x" * 50 + '"}\n[1, 2]\n',
                      encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run("label", str(source), "-o", str(out), "--max-chars", "40", "--quiet").exit_code == 0
    records = read_jsonl(out)
    assert [r["row"] for r in records] == [1, 2, 3, 4]
    assert records[0]["error"] is None
    assert "broken JSON" in records[1]["error"]
    assert "over the limit of 40" in records[2]["error"]
    assert "not an object" in records[3]["error"]


def test_standard_input(tmp_path):
    out = tmp_path / "out.jsonl"
    result = run("label", "-", "-o", str(out), "--quiet", input='{"text": "Please add a dark mode."}\n')
    assert result.exit_code == 0, result.output
    assert len(read_jsonl(out)) == 1


@pytest.mark.parametrize(("args", "message"), [
    (["missing.csv"], "does not exist"),
    (["{tickets}", "--text-column", "nope"], "Unknown column 'nope'; the input has: id, body, channel"),
])
def test_fatal_problems_exit_non_zero_with_one_readable_line(tmp_path, tickets_jsonl, args, message):
    args = [a.replace("{tickets}", str(tickets_jsonl)) for a in args]
    result = run("label", *args, "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_existing_output_is_never_overwritten_without_force(tmp_path, tickets_jsonl):
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n")
    result = run("label", str(tickets_jsonl), "-o", str(out), "--text-column", "body")
    assert result.exit_code == 1 and "--force" in result.output
    assert out.read_text() == "precious\n"
    assert run("label", str(tickets_jsonl), "-o", str(out), "--text-column", "body", "--force", "-q").exit_code == 0
    assert len(read_jsonl(out)) == 4


def _big_input(path: Path, rows: int) -> list[dict]:
    texts = [
        "Hello, my parcel {n} is late again and I'd like a refund. It was supposed to come Monday!",
        "How do I reset my password for account {n}? I can't log in since the update.",
        "Thanks for the quick help with ticket {n}, all sorted.",
    ]
    records = [{"id": f"T{n}", "text": texts[n % 3].format(n=n)} for n in range(rows)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return records


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_killed_run_resumes_exactly(tmp_path, fmt):
    source = tmp_path / "big.jsonl"
    records = _big_input(source, 4000)
    out = tmp_path / f"out.{fmt}"
    command = [sys.executable, "-m", "needswants", "label", str(source), "-o", str(out), "--id-column", "id",
               "--batch-size", "32", "--quiet"]
    process = subprocess.Popen(command)
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or out.stat().st_size < 20_000):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with out.open(encoding="utf-8") as fh:
        lines_before = sum(1 for _ in fh)
    assert 0 < lines_before < len(records)  # the run really was cut short
    subprocess.run(command + ["--resume"], check=True)
    if fmt == "jsonl":
        ids = [r["id"] for r in read_jsonl(out)]
    else:
        with out.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        ids = list(dict.fromkeys(r["id"] for r in rows))  # a record spans several statement rows
        assert len({(r["id"], r["index"]) for r in rows}) == len(rows)  # no statement row twice
    assert ids == [r["id"] for r in records]


@pytest.mark.slow
def test_the_installed_command_runs(tmp_path, tickets_jsonl):
    exe = shutil.which("needswants", path=os.path.dirname(sys.executable)) or shutil.which("needswants")
    assert exe, "the needswants console script is installed with the package"
    out = tmp_path / "out.csv"
    done = subprocess.run([exe, "label", str(tickets_jsonl), "-o", str(out), "--text-column", "body"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "4 rows read" in done.stderr
    assert out.read_text(encoding="utf-8").startswith("row,id,index")


def test_train_evaluate_and_data_check_commands(tmp_path, small_train):
    train = tmp_path / "train.jsonl"
    train.write_text("".join(json.dumps(r) + "\n" for r in small_train[:250]), encoding="utf-8")
    dev = tmp_path / "dev.jsonl"
    dev.write_text("".join(json.dumps(r) + "\n" for r in small_train[250:330]), encoding="utf-8")
    model = tmp_path / "model"
    result = run("train", str(train), "--dev", str(dev), "--refit", "-o", str(model))
    assert result.exit_code == 0, result.output
    assert "trained on 330 statements" in result.output
    assert "fitted on train and dev together" in (model / "card.md").read_text()
    assert json.loads((model / "meta.json").read_text())["needswants"]["C"] in C_GRID
    result = run("train", str(train), "--refit", "-o", str(tmp_path / "no-dev"))
    assert result.exit_code != 0 and "needs dev data (--dev)" in result.output
    chosen = tmp_path / "chosen-c"
    result = run("train", str(train), "--dev", str(dev), "--C", "0.3", "-o", str(chosen))
    assert result.exit_code == 0, result.output
    meta = json.loads((chosen / "meta.json").read_text())["needswants"]
    assert meta["C"] == 0.3 and meta["dev"]["n"] == 80  # the given C, still scored on dev
    assert meta["C_chosen_by"] == "given" and "C=0.3 (given)." in (chosen / "card.md").read_text()
    result = run("train", str(train), "--C", "0", "-o", str(tmp_path / "zero-c"))
    assert result.exit_code != 0 and "must be a finite number above 0" in result.output
    html = tmp_path / "report.html"
    result = run("evaluate", str(model), str(dev), "--html", str(html))
    assert result.exit_code == 0 and "macro-F1" in result.output
    assert "<table>" in html.read_text()
    data_dir = Path(__file__).resolve().parents[1] / "data"
    result = run("data", "check", str(data_dir))
    assert result.exit_code == 0 and result.output.strip().endswith("ok")


def test_train_force_replaces_a_model_folder_whole_and_nothing_else(tmp_path, small_train):
    train = tmp_path / "train.jsonl"
    train.write_text("".join(json.dumps(r) + "\n" for r in small_train[:250]), encoding="utf-8")
    model = tmp_path / "model"
    assert run("train", str(train), "--C", "1", "-o", str(model)).exit_code == 0
    (model / "left-over.txt").write_text("from an older model", encoding="utf-8")
    result = run("train", str(train), "--C", "2", "-o", str(model))
    assert result.exit_code == 1 and "--force" in result.output
    result = run("train", str(train), "--C", "2", "-o", str(model), "--force")
    assert result.exit_code == 0, result.output
    assert not (model / "left-over.txt").exists()
    assert json.loads((model / "meta.json").read_text())["needswants"]["C"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model", "train.jsonl"]  # no temporary folder left
    not_a_model = tmp_path / "notes"
    not_a_model.mkdir()
    (not_a_model / "todo.txt").write_text("keep me", encoding="utf-8")
    result = run("train", str(train), "--C", "2", "-o", str(not_a_model), "--force")
    assert result.exit_code == 1 and "is not a model folder" in result.output
    assert [p.name for p in not_a_model.iterdir()] == ["todo.txt"]


def test_train_refuses_bad_rows_listing_each(tmp_path):
    train = tmp_path / "bad.csv"
    train.write_text("text,label\nI need help,need\n,want\nDark mode,wish\n", encoding="utf-8")
    result = run("train", str(train), "-o", str(tmp_path / "m"))
    assert result.exit_code == 1
    assert "bad.csv row 2, field 'text'" in result.output and "bad.csv row 3, field 'label'" in result.output


def test_train_extend_adds_the_team_data_to_the_shipped_corpus(tmp_path):
    team = tmp_path / "team.csv"
    team.write_text("text,label\nThe invoice PDF is blank.,need\nPlease add SSO.,want\n", encoding="utf-8")
    result = run("train", str(team), "--extend", "-o", str(tmp_path / "m"))
    assert result.exit_code == 0, result.output
    shipped = sum(1 for _ in (Path(__file__).resolve().parents[1] / "data" / "train.jsonl").open())
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())["needswants"]
    assert meta["data"]["n"] == shipped + 2


def test_lone_surrogates_in_json_input_are_replaced_not_fatal(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "\\ud800x", "text": "I need help \\udfff now."}\n', encoding="utf-8")
    for suffix in ("jsonl", "parquet", "csv"):
        out = tmp_path / f"out.{suffix}"
        result = run("label", str(source), "-o", str(out), "--id-column", "id", "--quiet")
        assert result.exit_code == 0, result.output
    record = read_jsonl(tmp_path / "out.jsonl")[0]
    assert record["id"] == "\ufffdx"
    assert record["statements"][0]["text"] == "I need help \ufffd now."


def test_resume_refuses_a_file_it_did_not_write(tmp_path, tickets_jsonl):
    out = tmp_path / "out.jsonl"
    out.write_text('{"something": "else"}\n')
    result = run("label", str(tickets_jsonl), "-o", str(out), "--text-column", "body", "--resume")
    assert result.exit_code == 1 and "is not needswants output" in result.output
    assert "Traceback" not in result.output
