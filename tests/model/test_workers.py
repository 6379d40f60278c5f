"""The one worker abstraction: signals in order on the GUI thread, cancel, errors as data, and an
owner that lets its workers go on close and waits for them at quit."""

from __future__ import annotations

import threading

from outpaint_studio.model.workers import Workers


def test_a_worker_reports_then_returns_on_the_gui_thread(qtbot: object) -> None:
    workers = Workers()
    seen: list[tuple[str, object, bool]] = []
    gui = threading.current_thread()

    def work(report: object, cancel: threading.Event) -> int:
        for step in range(3):
            report(step)  # type: ignore[operator]
        return 42

    def note(kind: str) -> object:
        return lambda value=None: seen.append((kind, value, threading.current_thread() is gui))

    worker = workers.start(work, "count", returned=note("returned"), progress=note("progress"))
    worker.finished.connect(note("finished"))
    qtbot.waitUntil(lambda: not workers.running(), timeout=5000)  # type: ignore[attr-defined]
    assert seen == [("progress", 0, True), ("progress", 1, True), ("progress", 2, True),
                    ("returned", 42, True), ("finished", None, True)]  # fmt: skip


def test_an_exception_reaches_errored_not_the_user(qtbot: object) -> None:
    workers = Workers()
    errors: list[Exception] = []

    def work(report: object, cancel: threading.Event) -> None:
        raise ValueError("broken file")

    workers.start(work, "fails", errored=errors.append, returned=lambda _: errors.append(None))
    qtbot.waitUntil(lambda: not workers.running(), timeout=5000)  # type: ignore[attr-defined]
    assert [str(e) for e in errors] == ["broken file"]


def test_shutdown_cancels_every_worker_and_waits_at_quit(qtbot: object) -> None:
    workers = Workers()
    started = threading.Event()

    def waits(report: object, cancel: threading.Event) -> bool:
        started.set()
        return cancel.wait(10)

    results: list[bool] = []
    workers.start(waits, "waits", returned=results.append)
    workers.start(waits, "waits too", returned=results.append)
    assert started.wait(5)
    workers.shutdown()
    workers.wait_all()
    assert all(not w.is_running() for w in workers.running())
    qtbot.waitUntil(lambda: results == [True, True], timeout=5000)  # type: ignore[attr-defined]
    refused = workers.start(waits, "after close")
    assert not refused.is_running() and refused not in workers.running()
