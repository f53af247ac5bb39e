"""The training_permissions table: the owner's choice and the file's signals per work, added to old libraries."""

from __future__ import annotations

import pytest

from studio.errors import InvalidInput
from studio.store.db import ConstraintViolation
from studio.store.migrations import MIGRATIONS, migrate
from studio.store.training_permissions import TrainingPermissions

INSERT_WORK = (
    "INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
    "VALUES (?, 'image', ?, 't', 'imported', 'cc0-1.0', 'now', 'now')"
)


def test_m009_adds_the_table_to_an_existing_library_and_keeps_its_works(make_db) -> None:
    db = make_db("old")
    migrate(db, MIGRATIONS[:8])
    db.execute(INSERT_WORK, ("old", "h"))
    assert migrate(db, MIGRATIONS[:9]) == ["m009_training_permissions"]
    records = TrainingPermissions(db)
    assert records.get("old") is None
    records.set_choice("old", "deny")
    assert records.get("old").choice == "deny"
    with pytest.raises(ConstraintViolation):  # only works of the library
        records.set_choice("ghost", "deny")
    with pytest.raises(ConstraintViolation):  # the choice is a closed set, also below the record class
        db.execute("UPDATE training_permissions SET choice = 'maybe' WHERE work_id = 'old'")


def test_choice_and_signals_are_kept_apart_and_cleared(make_db) -> None:
    db = make_db("a")
    migrate(db)
    for n in range(3):
        db.execute(INSERT_WORK, (f"w{n}", f"h{n}"))
    records = TrainingPermissions(db)
    signal = {"source": "xmp", "use": "notAllowed", "entry": "plus:DataMining", "value": "DMI-PROHIBITED"}
    records.put_signals("w0", [signal])
    records.set_choice("w0", "allow")
    records.set_choice("w1", "deny")
    got = records.of_works(["w0", "w1", "w2"])
    assert (got["w0"].choice, got["w0"].signals) == ("allow", (signal,))
    assert (got["w1"].choice, got["w1"].signals) == ("deny", ())
    assert "w2" not in got
    records.set_choice("w0", None)
    assert records.get("w0").choice is None and records.get("w0").signals == (signal,)
    with pytest.raises(InvalidInput, match="use allow, deny or clear"):
        records.set_choice("w0", "sometimes")


def test_a_damaged_signals_column_reads_as_none(make_db) -> None:
    db = make_db("a")
    migrate(db)
    db.execute(INSERT_WORK, ("w", "h"))
    records = TrainingPermissions(db)
    for damaged in ("{not json", '{"a": 1}', '[1, "x", {"source": "xmp"}]'):
        db.execute("INSERT INTO training_permissions (work_id, signals, updated_at) VALUES ('w', ?, 'n') "
                   "ON CONFLICT (work_id) DO UPDATE SET signals = excluded.signals", (damaged,))
        assert records.get("w").signals == (() if damaged != '[1, "x", {"source": "xmp"}]' else ({"source": "xmp"},))
