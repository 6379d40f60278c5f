"""The offline engine: exact known pixels, a complete fill, determinism, cancel and fallback."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PIL import Image

from outpaint_studio.core.engine import (
    CancelledError,
    EngineResult,
    InvalidRequestError,
    Submission,
    TaskNotFoundError,
)
from outpaint_studio.core.request import OutpaintRequest
from outpaint_studio.engines import local
from outpaint_studio.engines.fill import fill
from outpaint_studio.engines.fill.detail import edge_fade, restore_detail
from outpaint_studio.engines.fill.pushpull import push_pull_fill
from outpaint_studio.engines.fill.resample import dilate
from outpaint_studio.engines.fill.seam import match_joints, side_edges
from outpaint_studio.engines.fill.strips import strip_phases
from outpaint_studio.engines.local import FALLBACK_NOTICE, LocalEngine

needs_patchmatch = pytest.mark.skipif(
    not local.patchmatch_available, reason="the PatchMatch library does not load here"
)


def mid_tone_source(width: int, height: int, seed: int = 1) -> Image.Image:
    """A textured source with no trend and no dark pixel, so an unfilled (black) pixel shows."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    pattern = np.stack(
        [np.sin(x / 3 + phase) * np.cos(y / 5 - phase) for phase in (0.0, 1.0, 2.0)], axis=-1
    )
    noise = rng.integers(-20, 21, size=pattern.shape)
    return Image.fromarray((128 + 50 * pattern + noise).astype(np.uint8))


def request_for(
    source: Image.Image,
    width: int,
    height: int,
    offset: tuple[int | None, int | None] = (None, None),
    *,
    auto_crop: bool = False,
    mode: str = "fast",
    output_format: str | None = "png",
) -> OutpaintRequest:
    return OutpaintRequest(
        input_image="unused-by-the-local-engine",
        width=width,
        height=height,
        reference_offset_x=offset[0],
        reference_offset_y=offset[1],
        auto_crop=auto_crop,
        mode=mode,
        output_format=output_format,
        source_size=source.size,
    )


def run(engine: LocalEngine, request: OutpaintRequest, source: Image.Image) -> EngineResult:
    cancel = threading.Event()
    submission = engine.submit(request, source, cancel)
    return engine.collect(submission, lambda stage, fraction: None, cancel)


def check_result(result: EngineResult, request: OutpaintRequest, source: Image.Image) -> None:
    """Exact size and mode, the visible source bit for bit, and no black (unfilled) pixel."""
    out = np.asarray(result.image)
    assert result.image.mode == "RGB"
    assert result.image.size == (request.width, request.height)
    placement = request.placement()
    assert placement is not None
    box, crop = placement.visible_box(), placement.crop_box()
    expected = np.asarray(source.convert("RGB").crop(crop.as_tuple()))
    assert np.array_equal(out[box.top : box.bottom, box.left : box.right], expected)
    assert not (out.max(axis=2) < 20).any(), "a generated pixel was left unfilled"


@pytest.mark.parametrize("use_patchmatch", [pytest.param(True, marks=needs_patchmatch), False])
@pytest.mark.parametrize(
    ("canvas", "source_size", "offset", "auto_crop"),
    [
        ((96, 80), (60, 44), (None, None), False),  # centred
        ((64, 64), (62, 62), (1, 1), False),  # 1 px margins
        ((64, 64), (48, 40), (0, 12), False),  # touches the left edge
        ((128, 64), (64, 64), (64, 0), False),  # touches three edges
        ((96, 72), (80, 60), (-10, -5), True),  # hangs off top-left, cropped
        ((80, 64), (70, 70), (30, -3), True),  # hangs off right, top and bottom
    ],
)
def test_known_pixels_exact_and_everything_filled(
    use_patchmatch: bool,
    canvas: tuple[int, int],
    source_size: tuple[int, int],
    offset: tuple[int | None, int | None],
    auto_crop: bool,
) -> None:
    source = mid_tone_source(*source_size)
    request = request_for(source, *canvas, offset, auto_crop=auto_crop)
    result = run(LocalEngine(use_patchmatch=use_patchmatch), request, source)
    check_result(result, request, source)
    assert result.data is None
    assert result.format == "png"


@needs_patchmatch
@pytest.mark.parametrize("mode", ["fast", "high"])
def test_a_canvas_larger_than_the_working_size_is_upscaled_exactly(mode: str) -> None:
    source = mid_tone_source(420, 300, seed=3)
    request = request_for(source, 640, 448, mode=mode)
    check_result(run(LocalEngine(), request, source), request, source)


@pytest.mark.parametrize("use_patchmatch", [pytest.param(True, marks=needs_patchmatch), False])
def test_transparent_source_pixels_are_filled(use_patchmatch: bool) -> None:
    rgba = np.dstack([np.asarray(mid_tone_source(60, 50)), np.full((50, 60), 255, np.uint8)])
    rgba[15:30, 20:40, 3] = 0  # a transparent hole
    rgba[15:30, 20:40, :3] = 0  # whose colour must not leak into the result
    rgba[0:5, 0:5, 3] = 128  # half-transparent pixels count as known
    source = Image.fromarray(rgba)
    request = request_for(source, 96, 80)
    out = np.asarray(run(LocalEngine(use_patchmatch=use_patchmatch), request, source).image)
    x, y = (96 - 60) // 2, (80 - 50) // 2
    inside = out[y : y + 50, x : x + 60]
    opaque = rgba[..., 3] > 0
    assert np.array_equal(inside[opaque], rgba[..., :3][opaque])
    assert not (out.max(axis=2) < 20).any()


@pytest.mark.parametrize("use_patchmatch", [pytest.param(True, marks=needs_patchmatch), False])
def test_same_input_same_output(use_patchmatch: bool) -> None:
    source = mid_tone_source(70, 50, seed=5)
    request = request_for(source, 128, 96, mode="high")
    first = run(LocalEngine(seed=7, use_patchmatch=use_patchmatch), request, source)
    second = run(LocalEngine(seed=7, use_patchmatch=use_patchmatch), request, source)
    assert np.array_equal(np.asarray(first.image), np.asarray(second.image))


@needs_patchmatch
def test_jobs_in_parallel_threads_match_a_lone_run() -> None:
    source = mid_tone_source(70, 50, seed=6)
    request = request_for(source, 128, 96)
    expected = np.asarray(run(LocalEngine(), request, source).image)
    results: list[np.ndarray] = []

    def work() -> None:
        results.append(np.asarray(run(LocalEngine(), request, source).image))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3
    assert all(np.array_equal(result, expected) for result in results)


def test_submit_checks_and_describes_the_job() -> None:
    source = mid_tone_source(100, 80)
    engine = LocalEngine()
    submission = engine.submit(request_for(source, 1024, 768), source, threading.Event())
    assert submission.job_id.startswith("local-") and len(submission.job_id) == 6 + 32
    assert submission.polling_url is None
    assert submission.cost == 0.0
    assert (submission.input_mp, submission.output_mp) == (0.01, 0.75)  # 1024x768 in 2**20 px
    with pytest.raises(InvalidRequestError, match="hangs"):
        engine.submit(request_for(source, 96, 96, (-4, 0)), source, threading.Event())
    with pytest.raises(InvalidRequestError):
        engine.submit(request_for(source.resize((50, 40)), 96, 96), source, threading.Event())


def test_an_unknown_job_cannot_be_collected() -> None:
    with pytest.raises(TaskNotFoundError):
        LocalEngine().collect(Submission("local-0"), lambda s, f: None, threading.Event())


@pytest.mark.parametrize("use_patchmatch", [pytest.param(True, marks=needs_patchmatch), False])
def test_progress_reports_generating_from_0_to_1(use_patchmatch: bool) -> None:
    source = mid_tone_source(60, 40)
    engine = LocalEngine(use_patchmatch=use_patchmatch)
    cancel = threading.Event()
    submission = engine.submit(request_for(source, 96, 64), source, cancel)
    seen: list[tuple[str, float | None]] = []
    engine.collect(submission, lambda stage, fraction: seen.append((stage, fraction)), cancel)
    fractions = [fraction for _, fraction in seen]
    assert {stage for stage, _ in seen} == {"generating"}
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)  # type: ignore[type-var]


def test_cancel_before_submit_or_collect() -> None:
    source = mid_tone_source(60, 40)
    engine = LocalEngine()
    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(CancelledError):
        engine.submit(request_for(source, 96, 64), source, cancelled)
    submission = engine.submit(request_for(source, 96, 64), source, threading.Event())
    with pytest.raises(CancelledError):
        engine.collect(submission, lambda s, f: None, cancelled)


@pytest.mark.parametrize("use_patchmatch", [pytest.param(True, marks=needs_patchmatch), False])
def test_cancel_while_generating_stops_it(use_patchmatch: bool) -> None:
    source = mid_tone_source(300, 200)
    engine = LocalEngine(use_patchmatch=use_patchmatch)
    cancel = threading.Event()
    submission = engine.submit(request_for(source, 480, 320, mode="high"), source, cancel)
    fractions: list[float | None] = []

    def on_progress(stage: str, fraction: float | None) -> None:
        fractions.append(fraction)
        cancel.set()  # the user clicks Cancel as soon as work starts

    with pytest.raises(CancelledError):
        engine.collect(submission, on_progress, cancel)
    assert fractions[0] == 0.0 and max(f or 0.0 for f in fractions) < 0.5


def test_fallback_is_marked_as_a_rough_preview(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "patchmatch_available", False)
    engine = LocalEngine()
    source = mid_tone_source(60, 40)
    request = request_for(source, 96, 64, output_format="jpeg")
    result = run(engine, request, source)
    check_result(result, request, source)
    assert result.notice == FALLBACK_NOTICE
    assert result.format == "jpeg"


@needs_patchmatch
def test_patchmatch_results_carry_no_notice() -> None:
    engine = LocalEngine()
    source = mid_tone_source(60, 40)
    result = run(engine, request_for(source, 96, 64, output_format=None), source)
    assert result.notice is None
    assert result.format == "png"


def test_push_pull_interpolates_smoothly_between_known_pixels() -> None:
    canvas = np.zeros((33, 65, 3), np.uint8)
    known = np.zeros((33, 65), bool)
    canvas[:, 0], canvas[:, -1] = 50, 200
    known[:, 0] = known[:, -1] = True
    out = push_pull_fill(canvas, known).astype(int)
    assert np.array_equal(out[:, 0], canvas[:, 0]) and np.array_equal(out[:, -1], canvas[:, -1])
    assert (out >= 50).all() and (out <= 200).all()
    assert out[16, 10, 0] < out[16, 32, 0] < out[16, 54, 0]


@pytest.mark.parametrize("use_patchmatch", [pytest.param(True, marks=needs_patchmatch), False])
def test_fill_with_nothing_or_everything_known(use_patchmatch: bool) -> None:
    canvas = np.asarray(mid_tone_source(64, 64)).copy()
    everything = fill(canvas, np.ones((64, 64), bool), use_patchmatch=use_patchmatch)
    assert np.array_equal(everything, canvas)
    nothing = fill(canvas, np.zeros((64, 64), bool), use_patchmatch=use_patchmatch)
    assert nothing.shape == canvas.shape and nothing.dtype == np.uint8


def test_edge_fade_rises_from_the_source_to_full_strength() -> None:
    known = np.zeros((20, 40), bool)
    known[:, :10] = True
    fade = edge_fade(known, 8)
    assert (fade[known] == 0).all()
    assert (fade[:, 18:] == 1).all()
    row = fade[5, 10:19]  # none right next to the source, then an even rise
    assert row[0] == 0 and np.allclose(np.diff(row), 1 / 8)


def fine_detail(image: np.ndarray, where: np.ndarray) -> float:
    """Mean squared difference between horizontal neighbours over ``where``."""
    steps = np.diff(image.astype(np.float32), axis=1)
    return float((steps**2).sum(axis=-1)[where[:, 1:]].mean())


def upscaled_working_copy(canvas: np.ndarray, known: np.ndarray) -> np.ndarray:
    """What the engine pastes before restoring detail: a half-size fill, upscaled."""
    height, width = known.shape
    small = Image.fromarray(push_pull_fill(canvas, known)).resize((width // 2, height // 2))
    resized = small.resize((width, height), Image.Resampling.BICUBIC)
    return np.asarray(resized, dtype=np.float32)


def test_restore_detail_gives_the_fill_the_grain_of_the_source() -> None:
    rng = np.random.default_rng(3)
    canvas = (128 + rng.normal(0, 12, (240, 320, 3))).clip(0, 255).astype(np.uint8)
    known = np.zeros((240, 320), bool)
    known[40:200, 60:260] = True
    generated = upscaled_working_copy(canvas, known)
    restored = restore_detail(generated, canvas, known, 0.5, seed=0)

    assert np.array_equal(restored[known], generated[known])
    far = ~dilate(known, 8)
    source = fine_detail(canvas, known & ~dilate(~known, 8))
    assert fine_detail(generated, far) < 0.1 * source
    assert 0.6 * source < fine_detail(restored, far) < 1.4 * source
    again = restore_detail(generated, canvas, known, 0.5, seed=0)
    assert np.array_equal(again, restored)
    assert not np.array_equal(restore_detail(generated, canvas, known, 0.5, seed=1), restored)


def test_restored_grain_keeps_its_strength_across_tile_borders() -> None:
    """Overlapping tiles are blended with windows whose squares sum to one: no grid of weaker
    (or stronger) grain where the tiles meet."""
    rng = np.random.default_rng(4)
    canvas = (128 + rng.normal(0, 12, (400, 400, 3))).clip(0, 255).astype(np.uint8)
    known = np.zeros((400, 400), bool)
    known[:, :200] = True
    flat = np.full(canvas.shape, 128, np.float32)
    grain = restore_detail(flat, canvas, known, 0.5, seed=0) - flat
    strength = grain[:, 220:].std(axis=(0, 2))  # per column, past the fade
    assert strength.min() > 0.75 * strength.max()
    # and no change in strength from the top of the fill to the bottom
    rows = grain[:, 220:].std(axis=(1, 2))
    assert rows.min() > 0.6 * rows.max()


def test_restore_detail_leaves_a_full_size_fill_alone() -> None:
    canvas = np.asarray(mid_tone_source(64, 48)).copy()
    known = np.zeros((48, 64), bool)
    known[10:-10, 10:-10] = True
    generated = canvas.astype(np.float32)
    assert restore_detail(generated, canvas, known, 1.0) is generated


@pytest.mark.parametrize(
    ("use_patchmatch", "size"),
    [
        pytest.param(True, (96, 80), marks=needs_patchmatch),
        pytest.param(True, (600, 320), marks=needs_patchmatch),  # downscaled in fast mode
        (False, (96, 80)),
    ],
)
def test_the_fill_never_reads_unknown_pixels(use_patchmatch: bool, size: tuple[int, int]) -> None:
    """What the benchmark's unfilled-pixel check relies on: the blank's colour does not matter."""
    width, height = size
    canvas = np.asarray(mid_tone_source(width, height)).copy()
    known = np.zeros((height, width), bool)
    known[height // 5 : -height // 5, width // 5 : -width // 5] = True
    canvas[~known] = 0
    black = fill(canvas, known, "fast", use_patchmatch=use_patchmatch)
    canvas[~known] = (255, 0, 255)
    magenta = fill(canvas, known, "fast", use_patchmatch=use_patchmatch)
    assert np.array_equal(black, magenta)


def test_the_border_is_cut_into_sides_then_top_and_bottom() -> None:
    known = np.zeros((60, 100), bool)
    known[10:50, 20:90] = True
    phases = strip_phases(known, band=8, cap_band=4)
    covered = np.zeros(known.shape, int)
    for phase in phases:
        for strip in phase:
            covered[strip.region] += 1
            region = np.zeros_like(known)
            region[strip.region] = True
            crop = np.zeros_like(known)
            crop[strip.crop] = True
            assert (region <= crop).all()
            # the crop reaches exactly ``band`` (or ``cap_band``) pixels into the source
            reach = 8 if strip in phases[0] else 4
            assert (crop & known & dilate(region, reach)).any()
            assert not (crop & known & ~dilate(region, reach)).any()
    assert (covered == ~known).all()  # every border pixel once, no source pixel
    assert [len(phase) for phase in phases] == [2, 2]
    left, right = phases[0]
    assert left.region[1] == slice(0, 20) and right.region[1] == slice(90, 100)


def test_a_source_touching_three_edges_makes_one_strip() -> None:
    known = np.zeros((40, 80), bool)
    known[:, :60] = True
    assert [[strip.region for strip in phase] for phase in strip_phases(known, 8, 4)] == [
        [(slice(0, 40), slice(60, 80))]
    ]


@needs_patchmatch
def test_each_side_is_made_from_the_source_next_to_it() -> None:
    """A source reddish on its left, bluish on its right: the left border and its corners stay
    red, the right border and its corners blue."""
    rng = np.random.default_rng(2)
    height, width = 90, 160
    source = rng.integers(60, 120, size=(height, width, 3)).astype(np.uint8)
    source[:, : width // 2, 0] += 100
    source[:, width // 2 :, 2] += 100
    canvas = np.zeros((130, 240, 3), np.uint8)
    known = np.zeros((130, 240), bool)
    canvas[20:110, 40:200] = source
    known[20:110, 40:200] = True
    out = fill(canvas, known, "high").astype(int)
    red, blue = out[..., 0], out[..., 2]
    assert (red[:, :40] > blue[:, :40]).all()
    assert (blue[:, 200:] > red[:, 200:]).all()


@needs_patchmatch
def test_cancel_between_the_strips_stops_the_fill() -> None:
    source = mid_tone_source(300, 200)
    engine = LocalEngine()
    cancel = threading.Event()
    submission = engine.submit(request_for(source, 480, 320, mode="high"), source, cancel)
    fractions: list[float] = []

    def on_progress(stage: str, fraction: float | None) -> None:
        fractions.append(fraction or 0.0)
        if 0.1 < (fraction or 0.0) < 0.7:  # the left and right strips are done
            cancel.set()

    with pytest.raises(CancelledError):
        engine.collect(submission, on_progress, cancel)
    assert any(0.1 < f < 0.7 for f in fractions) and max(fractions) < 0.7


def test_side_edges_scale_the_working_bounding_box() -> None:
    working_known = np.zeros((10, 20), dtype=bool)
    working_known[2:8, 5:15] = True
    assert side_edges(working_known, 40) == (10, 30)


def test_top_and_bottom_strips_are_shifted_to_meet_the_sides() -> None:
    known = np.zeros((40, 60), dtype=bool)
    known[10:30, 20:40] = True
    fill = np.full((40, 60, 3), 100.0, dtype=np.float32)
    fill[:10, 20:40] = 120.0  # a top strip one step brighter than the corners beside it
    result = match_joints(fill, known, (20, 40))
    assert np.abs(result[2, 19] - result[2, 20]).max() < 2.0
    assert np.abs(result[2, 39] - result[2, 40]).max() < 2.0
    np.testing.assert_array_equal(result[known], fill[known])
    np.testing.assert_array_equal(result[:, :20], fill[:, :20])
