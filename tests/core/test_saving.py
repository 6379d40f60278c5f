"""Saving holds nothing back: the composed image is handed over before it is encoded and
written, and an offline result is kept in history as it is saved (not encoded twice when the
output has its very pixels)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from photos import image_array, photo_like

from outpaint_studio.core import output
from outpaint_studio.core.images import load_image
from outpaint_studio.core.jobs import JobParams, Journal
from outpaint_studio.core.runner import JobRunner, JobUpdate
from outpaint_studio.core.settings import history_dir, journal_dir
from outpaint_studio.engines.local import LocalEngine


def run_offline(params: JobParams) -> tuple[list[JobUpdate], list[str]]:
    """Run the job; its updates, and what happened in order ("composed", "written")."""
    runner = JobRunner(LocalEngine(use_patchmatch=False), Journal(journal_dir()), history_dir())
    events: list[str] = []
    updates: list[JobUpdate] = []
    write = output.write_atomic

    def on_update(update: JobUpdate) -> None:
        updates.append(update)
        if update.image is not None:
            events.append("composed")

    def noted_write(*args: object, **kwargs: object) -> Path:
        events.append("written")
        return write(*args, **kwargs)  # type: ignore[arg-type]

    record = runner.create(params)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(output, "write_atomic", noted_write)
        final = runner.run(record, load_image(params.input), on_update, threading.Event())
    assert final.state.value == "saved", final.error
    return updates, events


@pytest.mark.parametrize("full_res", [False, True])
def test_the_composed_image_comes_first_and_the_result_is_kept(
    tmp_path: Path, full_res: bool
) -> None:
    photo = tmp_path / "photo.png"
    photo_like(200, 160).save(photo)
    params = JobParams(input=str(photo), width=192, height=144, scale=0.5, engine="local",
                       full_res=full_res, output_format="png")  # fmt: skip
    updates, events = run_offline(params)
    assert events == ["composed", "written"]
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
