"""`studio collection create|add|show`: a training set of library works, credited by license and creator."""

from __future__ import annotations


def test_create_add_and_show_a_collection_with_grouped_credits(run, sample) -> None:
    a = run.import_(sample(1), "--creator", "Ada", "--license", "cc-by-4.0")
    b = run.import_(sample(2), "--creator", "Ada", "--license", "cc-by-4.0")
    c = run.import_(sample(3), "--creator", "Bo", "--license", "cc-by-sa-4.0")
    made = run.json("collection", "create", "my characters", a)
    assert made["count"] == 1 and made["title"] == "my characters"
    added = run.json("collection", "add", made["id"], a, b, c)
    assert added["added"] == 2 and added["count"] == 3
    shown = run.json("collection", "show", made["id"])
    assert shown["creators"] == 2
    assert {(g["license"], g["works"], g["creators"]) for g in shown["groups"]} == {
        ("cc-by-4.0", 2, 1), ("cc-by-sa-4.0", 1, 1)}
    assert [m["id"] for m in shown["members"]] == [a, b, c]
    assert shown["credit"] == "2 works by 1 creator, CC BY 4.0; 1 work by 1 creator, CC BY-SA 4.0"
    text = run("collection", "show", made["id"], "--limit", "1").stdout
    assert "3 by 2 creators" in text and "and 2 more" in text
    listed = run.json("list", "--kind", "collection")
    assert [w["id"] for w in listed] == [made["id"]]


def test_the_training_set_hash_changes_with_the_members(run, sample) -> None:
    a = run.import_(sample(1))
    b = run.import_(sample(2))
    made = run.json("collection", "create", "set", a)
    before = made["members_sha256"]
    after = run.json("collection", "add", made["id"], b)["members_sha256"]
    assert before != after and len(after) == 64


def test_bad_collection_input_gets_one_line_and_no_traceback(run, sample) -> None:
    a = run.import_(sample(1))
    empty_title = run("collection", "create", "  ", ok=False)
    assert empty_title.exit_code == 2 and "must not be empty" in empty_title.stderr
    not_a_collection = run("collection", "add", a, a, ok=False)
    assert not_a_collection.exit_code == 2 and "not a collection" in not_a_collection.stderr
    made = run.json("collection", "create", "set")
    nested = run("collection", "add", made["id"], made["id"], ok=False)
    assert nested.exit_code == 2 and "collections hold images" in nested.stderr
    missing = run("collection", "show", "ffffffff", ok=False)
    assert missing.exit_code == 3 and "Traceback" not in missing.stderr


def test_import_cannot_type_a_training_relation_by_hand(run, sample) -> None:
    result = run("import", str(sample(1)), "--relation", "trained_on", ok=False)
    assert result.exit_code == 2 and "trained_on" in result.stderr
