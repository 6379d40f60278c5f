"""Saving holds nothing back: the composed image is handed over before it is encoded and
written (a paid result's own bytes already kept), the encoding yields the CPU to the jobs still
being composed, and an offline result is kept in history as it is saved (not encoded twice when
the output has its very pixels)."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bfl_sim import BflSimulator
from photos import API_KEY, image_array, photo_like

from outpaint_studio.core import output
from outpaint_studio.core import runner as runner_module
from outpaint_studio.core.engine import EngineResult, Submission
from outpaint_studio.core.images import load_image
from outpaint_studio.core.jobs import JobParams, Journal
from outpaint_studio.core.runner import JobRunner, JobUpdate
from outpaint_studio.core.saving import YIELDING_NICE, encode_yielding
from outpaint_studio.core.settings import history_dir, journal_dir
from outpaint_studio.engines.bfl import BflClient
from outpaint_studio.engines.local import LocalEngine


def run_offline(
    params: JobParams, shows_results: bool = False
) -> tuple[list[JobUpdate], list[str], list[str]]:
    """Run the job; its updates, what happened in order ("composed", "encoded", "written") and
    the threads that encoded the output."""
    engine = LocalEngine(use_patchmatch=False)
    runner = JobRunner(engine, Journal(journal_dir()), history_dir(), shows_results=shows_results)
    events: list[str] = []
    updates: list[JobUpdate] = []
    encoders: list[str] = []
    write, encode = output.write_atomic, runner_module.output_bytes

    def on_update(update: JobUpdate) -> None:
        updates.append(update)
        if update.image is not None:
            events.append("composed")

    def noted_encode(*args: Any) -> bytes:
        encoders.append(threading.current_thread().name)
        events.append("encoded")
        return encode(*args)

    def noted_write(*args: object, **kwargs: object) -> Path:
        events.append("written")
        return write(*args, **kwargs)  # type: ignore[arg-type]

    record = runner.create(params)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(output, "write_atomic", noted_write)
        patch.setattr(runner_module, "output_bytes", noted_encode)
        final = runner.run(record, load_image(params.input), on_update, threading.Event())
    assert final.state.value == "saved", final.error
    return updates, events, encoders


@pytest.mark.parametrize("shows_results", [False, True])
@pytest.mark.parametrize("full_res", [False, True])
def test_the_composed_image_comes_first_and_the_result_is_kept(
    tmp_path: Path, full_res: bool, shows_results: bool
) -> None:
    photo = tmp_path / "photo.png"
    photo_like(200, 160).save(photo)
    params = JobParams(input=str(photo), width=192, height=144, scale=0.5, engine="local",
                       full_res=full_res, output_format="png")  # fmt: skip
    updates, events, encoders = run_offline(params, shows_results)
    assert events == ["composed", "encoded", "written"]
    # the editor's encode yields on an encoding thread; a batch's runs in the job's own turn
    assert [name.startswith("encode") for name in encoders] == [shows_results]
    [composed] = [u.image for u in updates if u.image is not None]
    [record] = Journal(journal_dir()).records()
    written = image_array(Path(record.output_path or ""))
    assert np.array_equal(np.asarray(composed.convert("RGB")), written)
    kept = image_array(Path(record.history_path or ""))
    assert kept.shape[:2] == (144, 192)  # the engine's result, at canvas size
    if not full_res:  # the output has the result's very pixels: its bytes are the kept copy
        assert (
            Path(record.history_path or "").read_bytes()
            == Path(record.output_path or "").read_bytes()
        )


def test_the_encoding_yields_the_cpu_to_the_jobs_still_composing() -> None:
    """Encoding a shown result runs on a thread of its own at a lower priority (Linux gives each
    thread its nice value); the caller's own priority is untouched."""
    if sys.platform != "linux":
        pytest.skip("a nice value is per thread on Linux only")
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    encoding = encode_yielding(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
    assert encoding == min(19, own + YIELDING_NICE) > own or own == 19
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own
    with pytest.raises(OSError, match="disk full"):  # what the encoding raises reaches the job
        encode_yielding(lambda: (_ for _ in ()).throw(OSError("disk full")))


class Recording:
    """The real FLUX client, noting the results it hands over."""

    name, remote = "bfl", True

    def __init__(self, client: BflClient) -> None:
        self.client = client
        self.results: list[EngineResult] = []

    def submit(self, *args: Any) -> Submission:
        return self.client.submit(*args)

    def collect(self, *args: Any) -> EngineResult:
        self.results.append(self.client.collect(*args))
        return self.results[-1]


def test_a_paid_result_is_kept_before_it_is_shown_and_let_go_once_composed(
    sim: BflSimulator, tmp_path: Path
) -> None:
    """When the composed image is handed over (shown), the service's bytes are in history and
    the job is journaled READY; the downloaded image's memory goes then, not after the save."""
    photo = tmp_path / "photo.png"
    photo_like(160, 128).save(photo)
    client = BflClient(API_KEY, sim.base_url, poll_interval=0.5, poll_timeout=20)
    engine, journal = Recording(client), Journal(journal_dir())
    runner = JobRunner(engine, journal, history_dir())
    record = runner.create(JobParams(input=str(photo), width=224, height=160, engine="bfl"))
    at_shown: list[tuple[str, bool, bool]] = []

    def on_update(update: JobUpdate) -> None:
        if update.image is not None:
            on_disk = journal.load(update.key)
            kept = Path(on_disk.history_path or "").is_file()
            at_shown.append((on_disk.state.value, kept, engine.results[0].image.im is not None))

    try:
        final = runner.run(record, load_image(photo), on_update, threading.Event())
    finally:
        client.close()
    assert final.state.value == "saved", final.error
    assert at_shown == [("ready", True, True)]
    with pytest.raises(ValueError, match="closed"):
        engine.results[0].image.getpixel((0, 0))
