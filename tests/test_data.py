"""The shipped corpus and its validator (what `needswants data check DIR` runs)."""
from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from needswants import DataError
from needswants.data import check_dir, fold

DATA = Path(__file__).resolve().parents[1] / "data"


def rows(split: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / f"{split}.jsonl").open(encoding="utf-8")]


def test_the_shipped_corpus_passes_the_validator():
    counts = check_dir(DATA)
    assert set(counts) == {"train", "dev", "test"}


def test_the_shipped_corpus_meets_its_size_and_balance_targets():
    everything = rows("train") + rows("dev") + rows("test")
    labels = Counter(r["label"] for r in everything)
    assert len(everything) >= 3000
    assert min(labels.values()) >= 500
    assert labels["none"] > labels["want"] and labels["none"] > labels["expectation"]
    real = [r for r in everything if r["source"] != "written"]
    assert len(real) >= len(everything) / 2
    assert {r["source"].split(":")[0] for r in real} == {"banking77", "cfpb_complaints", "app_reviews_is22"}


def test_real_statements_are_cut_verbatim_from_their_record():
    corpora = Path(__file__).resolve().parents[2] / "shared" / "corpora"
    if not corpora.is_dir():
        pytest.fail(f"the shared corpora are expected at {corpora}")
    texts = {}
    for folder in corpora.iterdir():
        if (folder / "texts.jsonl").is_file():
            for line in (folder / "texts.jsonl").open(encoding="utf-8"):
                record = json.loads(line)
                texts[f"{folder.name}:{record['id']}"] = record["text"]
    for r in rows("dev") + rows("test"):
        if r["source"] != "written":
            assert r["text"] in texts[r["source"]], r["id"]


def test_dev_and_test_carry_targets_and_levels():
    for split in ("dev", "test"):
        labelled = [r for r in rows(split) if r["label"] != "none"]
        with_target = [r for r in labelled if r["target"]]
        assert len(with_target) >= 0.5 * len(labelled)
        assert all(r["level"] for r in rows(split) if r["label"] == "expectation")


def test_no_message_is_split_across_splits():
    split_of = {}
    for split in ("train", "dev", "test"):
        for r in rows(split):
            group = r["id"].rsplit(".", 1)[0] if r["source"] == "written" else r["source"]
            assert split_of.setdefault(group, split) == split, group


@pytest.fixture()
def broken_copy(tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    for split in ("train", "dev", "test"):
        shutil.copy(DATA / f"{split}.jsonl", target / f"{split}.jsonl")
    return target


def _append(path: Path, record: dict) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")


GOOD = {"id": "x.1", "text": "Totally new statement here.", "label": "need", "explicit": False, "negated": False,
        "level": None, "target": None, "source": "written", "split": "test"}


@pytest.mark.parametrize(("change", "message"), [
    ({"label": "wish"}, "'wish' is not a label"),
    ({"target": {"start": 5, "end": 500}}, "not inside the text"),
    ({"split": "train"}, "but the row is in test.jsonl"),
    ({"level": "adequate"}, "only expectations have a level"),
    ({"source": ""}, "field 'source': empty"),
    ({"extra": 1}, "unknown field"),
])
def test_the_validator_names_row_field_and_fix(broken_copy, change, message):
    _append(broken_copy / "test.jsonl", {**GOOD, **change})
    with pytest.raises(DataError, match=message) as caught:
        check_dir(broken_copy)
    assert "test.jsonl row" in str(caught.value)


def test_the_validator_finds_text_shared_across_splits(broken_copy):
    seen = rows("train")[0]["text"]
    _append(broken_copy / "test.jsonl", {**GOOD, "text": "  " + seen.upper() + "!!"})
    with pytest.raises(DataError, match="appears in more than one split"):
        check_dir(broken_copy)


def test_fold_ignores_case_and_punctuation():
    assert fold("I NEED help!!") == fold("i need, help") == "i need help"


def _message(record: dict) -> str:
    """The message (group) a statement was dealt with: its written message's id, else its source record."""
    return record["id"].rsplit(".", 1)[0] if record["source"] == "written" else record["source"]


def test_every_message_has_the_split_recorded_for_it_in_one_deal():
    deals = json.loads((DATA / "annotation" / "splits.json").read_text(encoding="utf-8"))["deals"]
    recorded = {}
    for deal in deals:
        for group, split in deal.items():
            assert group not in recorded, f"{group} is dealt twice"
            recorded[group] = split
    for split in ("train", "dev", "test"):
        for r in rows(split):
            assert recorded[_message(r)] == split, r["id"]


def _build_splits():
    import runpy

    return runpy.run_path(str(DATA / "tools" / "build_splits.py"), run_name="build_splits")


def test_a_new_round_keeps_every_earlier_split_and_deals_only_its_own_messages():
    assign_splits = _build_splits()["assign_splits"]
    labels = ["need", "none", "want", "expectation"]

    def message_rows(corpus, first, count):
        return [{"group": f"{corpus}:{n}", "corpus": corpus, "label": labels[n % 4]}
                for n in range(first, first + count) for _ in range(2)]  # two statements a message

    old = message_rows("reviews", 0, 60) + message_rows("banking", 0, 40)
    deals = assign_splits(old, [])
    assert len(deals) == 1 and len(deals[0]) == 100
    assert {r["deal"] for r in old} == {0}
    before = {r["group"]: r["split"] for r in old}
    assert set(before.values()) == {"train", "dev", "test"}
    # the next round: the same messages again (read anew) plus messages never dealt
    again = message_rows("reviews", 0, 60) + message_rows("banking", 0, 40)
    new = message_rows("reviews", 60, 40) + message_rows("complaints", 0, 20)
    deals_after = assign_splits(again + new, deals)
    assert deals_after[0] == deals[0] and len(deals_after) == 2
    assert set(deals_after[1]) == {r["group"] for r in new}
    assert all(r["split"] == before[r["group"]] and r["deal"] == 0 for r in again)
    assert all(r["deal"] == 1 and r["split"] == deals_after[1][r["group"]] for r in new)
    # both statements of a message share its split
    splits_of = defaultdict(set)
    for r in again + new:
        splits_of[r["group"]].add(r["split"])
    assert all(len(s) == 1 for s in splits_of.values())
    # and a rerun with the recorded deals changes nothing
    rerun = message_rows("reviews", 0, 100) + message_rows("banking", 0, 40) + message_rows("complaints", 0, 20)
    assert assign_splits(rerun, deals_after) == deals_after


def test_a_later_batch_loses_a_repeated_text_even_when_its_message_was_dealt_before():
    without_repeats = _build_splits()["without_cross_split_repeats"]

    def row(batch, text, split, deal):
        return {"batch": batch, "key": f"{batch}:1", "id": f"{batch}-0001.1", "text": text, "label": "need",
                "explicit": False, "negated": False, "level": None, "target": None, "source": "letters:7",
                "split": split, "deal": deal}

    # an old test statement, then a newer batch reads the same words in another letter dealt to train in the
    # same (first) deal: the newer batch's copy goes, the old test statement stays
    rows = [row("complaints_b", "I demand to see the contract.", "test", 0),
            row("complaints_s", "I demand to see the contract!", "train", 0)]
    kept, dropped = without_repeats(rows, {"complaints_b": 0, "complaints_s": 5})
    assert dropped == 1 and [r["id"] for r in kept["test"]] == ["complaints_b-0001.1"] and not kept["train"]
    # within one batch order the earlier split keeps it (train before test), as before batches were recorded
    kept, dropped = without_repeats(rows, {"complaints_b": 0, "complaints_s": 0})
    assert dropped == 1 and [r["id"] for r in kept["train"]] == ["complaints_s-0001.1"]


def test_a_batch_read_since_the_last_run_gets_this_run_even_when_its_messages_are_old():
    batch_orders = _build_splits()["batch_orders"]
    rows = [{"batch": "complaints_a", "deal": 0}, {"batch": "reviews_z", "deal": 1},
            {"batch": "complaints_o", "deal": 0}, {"batch": "banking_m", "deal": 2}]
    orders = batch_orders(rows, {"complaints_a": 0, "reviews_z": 1}, 2)
    assert orders == {"complaints_a": 0, "reviews_z": 1, "banking_m": 2, "complaints_o": 2}


def test_every_batch_read_has_the_run_it_was_first_dealt_in():
    saved = json.loads((DATA / "annotation" / "splits.json").read_text(encoding="utf-8"))
    batches = {path.name.split(".")[0] for path in (DATA / "annotation").glob("*.reading1.jsonl")}
    assert set(saved["batches"]) == batches
    assert set(saved["batches"].values()) <= set(range(len(saved["deals"])))
    # a batch is never older than the newest message it holds
    deal_of = {group: n for n, deal in enumerate(saved["deals"]) for group in deal}
    newest: dict[str, int] = {}
    for split in ("train", "dev", "test"):
        for r in rows(split):
            batch = r["id"].split("-")[0]
            newest[batch] = max(newest.get(batch, 0), deal_of[_message(r)])
    assert all(saved["batches"][batch] >= deal for batch, deal in newest.items())


def test_adjudication_files_are_applied_in_number_order():
    order = _build_splits()["adjudication_order"]
    names = ["adjudicated_10.jsonl", "adjudicated_2.jsonl", "adjudicated.jsonl", "adjudicated_9.jsonl"]
    assert sorted(names, key=lambda n: order(Path(n))) == [
        "adjudicated.jsonl", "adjudicated_2.jsonl", "adjudicated_9.jsonl", "adjudicated_10.jsonl"]


def test_the_datasheet_counts_are_those_of_the_data(capsys):
    import runpy

    runpy.run_path(str(DATA / "tools" / "stats.py"), run_name="__main__")
    printed = capsys.readouterr().out.strip()
    datasheet = (DATA / "README.md").read_text(encoding="utf-8")
    block = datasheet.split("<!-- counts -->")[1].split("<!-- /counts -->")[0].strip()
    assert block == printed
