"""The session: imports and generation as jobs on worker threads with their own connections, trash and
restore, selection; every change announced with `library_changed`."""

from __future__ import annotations

import threading

import pytest

from studio.app.jobs import JobState
from studio.app.session import ImportOptions, ImportReport
from studio.core.types import Origin, Relation, WorkKind, percent_to_units
from studio.services.generation import CreateRequest


def test_import_runs_on_a_worker_with_its_own_connection(qtbot, session, make_image, monkeypatch):
    opened = []
    original = session._factory

    def factory():
        studio = original()
        opened.append((threading.get_ident(), studio.library.db.conn))
        return studio

    monkeypatch.setattr(session, "_factory", factory)
    files = [make_image(), make_image()]
    changed = []
    session.library_changed.connect(lambda: changed.append(True))
    with qtbot.waitSignal(session.jobs.job_finished, timeout=10_000) as blocker:
        session.import_files(
            files, ImportOptions(license_id="pil-commercial-remix", rev_share=percent_to_units(7), creator="Mira")
        )
    report = blocker.args[1]
    assert changed == [True]
    assert isinstance(report, ImportReport) and len(report.imported) == 2 and report.failed == ()
    ((thread, conn),) = opened
    assert thread != threading.get_ident() and conn is not session.studio.library.db.conn
    works = session.studio.works()
    assert {w.creator for w in works} == {"Mira"} and {w.terms.rev_share for w in works} == {7_000_000}
    assert {w.origin for w in works} == {Origin.imported}


def test_an_import_of_several_files_reports_the_bad_ones(qtbot, session, make_image, tmp_path):
    bad = tmp_path / "not-an-image.png"
    bad.write_text("hello")
    messages = []
    session.message.connect(messages.append)
    with qtbot.waitSignal(session.jobs.job_finished, timeout=10_000) as blocker:
        session.import_files([make_image(), bad], ImportOptions(license_id="cc0-1.0"))
    report = blocker.args[1]
    assert len(report.imported) == 1 and report.failed[0][0] == "not-an-image.png"
    assert messages and messages[0].startswith("Could not import not-an-image.png")


def test_a_single_bad_import_fails_the_job_and_writes_nothing(qtbot, session, make_image):
    with qtbot.waitSignal(session.jobs.job_failed, timeout=10_000) as blocker:
        session.import_files([make_image()], ImportOptions(license_id="no-such-license"))
    assert "no-such-license" in blocker.args[1]
    assert session.studio.works() == []


def test_imports_with_parents_inherit_their_terms(qtbot, session, add_image, make_image):
    parent = add_image("pil-commercial-remix", rev_share=percent_to_units(5))
    with qtbot.waitSignal(session.jobs.job_finished, timeout=10_000) as blocker:
        session.import_files([make_image()], ImportOptions(parents=(parent,), relation=Relation.remix_of))
    child = blocker.args[1].imported[0].work
    assert child.license_id == "pil-commercial-remix"
    assert [e.parent_id for e in session.studio.parents(child.id)] == [parent]


def test_trash_and_restore_in_one_step_each(qtbot, session, add_image):
    a, b = add_image(), add_image()
    session.select([a, b])
    with qtbot.waitSignal(session.library_changed, timeout=1000):
        moved = session.trash([a, b])
    assert moved == [a, b] and session.selection == ()
    assert session.studio.works() == [] and {w.id for w in session.trashed()} == {a, b}
    assert session.trash([a]) == []  # already in the trash: nothing to undo later
    with qtbot.waitSignal(session.library_changed, timeout=1000):
        assert session.restore([a]) == [a]
    assert [w.id for w in session.studio.works()] == [a]


def test_selection_keeps_order_and_drops_repeats(qtbot, session, add_image):
    a, b = add_image(title="A"), add_image(title="B")
    with qtbot.waitSignal(session.selection_changed, timeout=1000):
        session.select([b, a, b])
    assert session.selection == (b, a)
    assert [w.title for w in session.selected_works()] == ["B", "A"] and session.current().title == "B"
    with qtbot.assertNotEmitted(session.selection_changed):
        session.select([b, a])


@pytest.mark.slow
def test_a_remix_with_the_built_in_model_is_recorded_with_its_lineage(qtbot, session, add_image):
    parent = add_image("cc-by-4.0", title="Lake", size=(64, 64))
    request = CreateRequest(
        mode="img2img", prompt="a lake at dusk", parents=(parent,), model="studio-tiny", seed=3, steps=4, strength=0.5
    )
    progress = []
    session.jobs.job_changed.connect(lambda job_id: progress.append(session.jobs.job(job_id).step))
    created = []
    session.work_created.connect(created.append)
    with qtbot.waitSignal(session.jobs.job_finished, timeout=120_000) as blocker:
        job_id = session.generate(request)
    work = blocker.args[1]
    assert created == [work.id]
    assert session.jobs.job(job_id).state is JobState.finished
    assert work.origin is Origin.generated and work.recipe.seed == 3 and work.recipe.prompt == "a lake at dusk"
    relations = {e.parent_id: e.relation for e in session.studio.parents(work.id)}
    assert relations[parent] is Relation.remix_of
    assert Relation.generated_with in relations.values()
    # Both steps were reported; live previews are throttled by time (tests/generate covers them), so a run this
    # short may show none.
    assert max(progress) == 2


@pytest.mark.slow
def test_cancelling_a_generation_records_nothing(qtbot, session):
    request = CreateRequest(mode="txt2img", prompt="fog", model="studio-tiny", seed=1, steps=40, width=64, height=64)
    first_step = threading.Event()

    def on_change(job_id):
        if session.jobs.job(job_id).step >= 1 and not first_step.is_set():
            first_step.set()
            session.jobs.cancel(job_id)

    session.jobs.job_changed.connect(on_change)
    with qtbot.waitSignal(session.jobs.job_cancelled, timeout=120_000):
        session.generate(request)
    assert session.studio.works(kind=WorkKind.image) == []
