"""Issue 11 in the editor: a paid job a fault interrupts stays collectable, History's "Poll
again" and the start-up collection take the core's one collection path, and History shows what
the journal files (and `outpaint-studio jobs`) say."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt

from outpaint_studio.core.jobs import COLLECTABLE, Journal
from outpaint_studio.core.settings import journal_dir


def recover(sim) -> None:
    """The simulator's delivery host comes back: every queued fault is dropped."""
    with sim.state.lock:
        sim.state.faults.clear()


def journal_states() -> dict[str, str]:
    return {r.key: r.state.value for r in Journal(journal_dir()).records()}


def cli_states(capsys) -> dict[str, str]:
    from outpaint_studio.cli import main

    capsys.readouterr()
    assert main(["jobs", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    return {entry["key"]: entry["state"] for entry in map(json.loads, lines)}


def history_states(window) -> dict[str, str]:
    return {r.key: r.state.value for r in window.history.model.records}


def assert_history_agrees(window, qtbot, capsys) -> None:
    expected = cli_states(capsys)
    qtbot.waitUntil(lambda: history_states(window) == expected, timeout=5000)


def test_a_failed_delivery_stays_collectable_and_poll_again_saves_it(
    keyed_env, window, small_photo, qtbot, capsys, monkeypatch
) -> None:
    sim = keyed_env
    sim.inject("delivery_status", times=10_000, status=503)  # down until it recovers
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    with qtbot.waitSignal(window.jobs.finished, timeout=60000) as first:
        qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
    (record,) = Journal(journal_dir()).records()
    assert record.state in COLLECTABLE and first.args[0].state is record.state
    assert "paid for and kept" in window.banner.label.text()
    assert_history_agrees(window, qtbot, capsys)

    history = window.history
    history.select_row(0)
    assert history.buttons["poll"].isEnabled()
    monkeypatch.delenv("BFL_API_KEY")  # Poll again cannot even start: the job is kept
    with qtbot.waitSignal(window.jobs.finished, timeout=10000) as keyless:
        qtbot.mouseClick(history.buttons["poll"], Qt.MouseButton.LeftButton)
    (record,) = Journal(journal_dir()).records()
    assert keyless.args[0].state is record.state and record.state in COLLECTABLE
    assert window.banner.label.text().startswith("No BFL API key")
    assert "paid for and kept" in window.banner.label.text()

    monkeypatch.setenv("BFL_API_KEY", sim.config.api_key)
    recover(sim)
    shown: list[str] = []  # the job's progress, in the panel's status line as for any job
    window.jobs.status.connect(lambda text, _percent: shown.append(text))
    with qtbot.waitSignal(window.jobs.finished, timeout=30000) as again:
        qtbot.mouseClick(history.buttons["poll"], Qt.MouseButton.LeftButton)
    assert again.args[0].succeeded, again.args[0].error
    assert shown[0] == "Collecting a paid job" and "Downloading" in shown
    (record,) = Journal(journal_dir()).records()
    assert record.state.value == "saved" and sim.submit_count == 1
    delivered = sim.state.encoded(sim.state.job(record.job_id))
    assert Path(record.history_path).read_bytes() == delivered  # the service's own image
    with Image.open(record.output_path) as output:
        assert output.size == (208, 160)
    assert window.options_panel.status.text().startswith("Done")  # as after any job
    assert window.results.has_result() and window.results.outcome.key == record.key
    assert not window.banner.isVisible()  # "paid for and kept" is over: it is collected
    assert_history_agrees(window, qtbot, capsys)


def test_start_up_collects_a_job_an_earlier_run_left(small_photo, qtbot, capsys,
                                                     monkeypatch) -> None:  # fmt: skip
    from bfl_sim import BflSimulator

    from outpaint_studio.ui import MainWindow

    with BflSimulator(api_key="test-key", finish_after=4.0) as sim:
        monkeypatch.setenv("BFL_API_KEY", "test-key")
        monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", sim.base_url)
        earlier = subprocess.run(  # gives up waiting: the job stays collectable
            [sys.executable, "-m", "outpaint_studio", "extend", str(small_photo), "--width",
             "208", "--height", "160", "--engine", "bfl", "--poll-timeout", "1"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert earlier.returncode == 1, earlier.stderr
        assert list(journal_states().values()) == ["submitted"]

        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: list(journal_states().values()) == ["saved"], timeout=30000)
        qtbot.waitUntil(lambda: not window.jobs.is_running(), timeout=5000)
    assert sim.submit_count == 1
    assert window.options_panel.status.text().startswith("Done")  # as after any job
    assert_history_agrees(window, qtbot, capsys)
    window.close()


def test_history_follows_the_journal_whoever_writes_it(
    window, small_photo, qtbot, capsys, monkeypatch
) -> None:
    from bfl_sim import BflSimulator

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "outpaint_studio", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    with BflSimulator(api_key="test-key", finish_after=3.0) as sim:
        monkeypatch.setenv("BFL_API_KEY", "test-key")
        monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", sim.base_url)
        extend = ["extend", str(small_photo), "--width", "208", "--height", "160"]
        assert cli(*extend, "--engine", "bfl", "--poll-timeout", "1").returncode == 1
        qtbot.waitUntil(lambda: list(history_states(window).values()) == ["submitted"],
                        timeout=5000)  # fmt: skip
        assert cli("resume").returncode == 0
    qtbot.waitUntil(lambda: list(history_states(window).values()) == ["saved"], timeout=5000)
    assert_history_agrees(window, qtbot, capsys)


def test_a_run_that_raises_is_journaled_never_failed_in_memory_only() -> None:
    from outpaint_studio.core.jobs import JobParams, JobRecord, JobState
    from outpaint_studio.model.job_work import settle

    journal = Journal(journal_dir())
    ended = {}
    for step in ("created", "submitting", "submitted"):
        record = JobRecord(JobParams(input="photo.png", width=208, height=160))
        journal.save(record)
        if step != "created":
            journal.move(record, JobState.SUBMITTING)
        if step == "submitted":
            record.job_id, record.polling_url = "job-1", "https://api.bfl.ai/v1/get_result?id=1"
            journal.move(record, JobState.SUBMITTED)
        outcome = settle(record, RuntimeError("boom"), journal)
        assert journal.load(record.key).state is outcome.state  # what the window is told
        ended[step] = (outcome.state.value, outcome.error)
    assert ended["created"] == ("failed", "Internal error: boom")
    assert ended["submitting"] == ("uncertain", "Internal error: boom")  # it may have gone out
    state, message = ended["submitted"]
    assert state == "submitted" and "paid for and kept" in message


def test_start_up_says_what_a_crash_left_around_a_submit(qtbot) -> None:
    """A user trial killed the app while a submit was on its way: the next start showed
    "Submitting" for good, with no word; only `resume` said the job's fate was uncertain."""
    from outpaint_studio.core.jobs import JobParams, JobRecord, JobState
    from outpaint_studio.ui import MainWindow

    journal = Journal(journal_dir())
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    records = {}
    for step in ("created", "submitting"):
        record = JobRecord(JobParams(input="photo.png", width=208, height=160))
        record.owner_pid = int(gone.stdout)  # a process that has ended
        journal.save(record)
        if step == "submitting":
            journal.move(record, JobState.SUBMITTING)
        records[step] = record.key
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.history.model.rowCount() >= 1, timeout=5000)
    settled = {step: journal.load(key) for step, key in records.items()}
    assert settled["created"].state is JobState.CANCELLED  # never sent: not charged
    assert settled["submitting"].state is JobState.UNCERTAIN
    assert "dashboard" in (settled["submitting"].error or "")
    window.close()


def test_a_job_collected_later_leaves_another_photos_canvas_alone(
    keyed_env, window, small_photo, tmp_path, qtbot
) -> None:
    from photos import make_photo

    sim = keyed_env
    sim.inject("delivery_status", times=10_000, status=503)
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    with qtbot.waitSignal(window.jobs.finished, timeout=60000):
        qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
    window.open_image(make_photo(tmp_path / "other.png", (240, 96)))
    qtbot.waitUntil(lambda: window.model.state.source_size == (240, 96), timeout=5000)
    layout = window.model.state.geometry
    recover(sim)
    window.history.select_row(0)
    with qtbot.waitSignal(window.jobs.finished, timeout=30000) as collected:
        qtbot.mouseClick(window.history.buttons["poll"], Qt.MouseButton.LeftButton)
    assert collected.args[0].succeeded
    assert window.model.state.geometry == layout and window.results.outcome is None
    assert not window.canvas.result_item.isVisible()  # the other photo's work stays in view
