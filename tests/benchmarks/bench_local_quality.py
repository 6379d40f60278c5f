"""Quality and speed of the offline engine on real photos.

Run from the repository root: ``python tests/benchmarks/bench_local_quality.py [--mode high]``.
Each photo is cut down (a centre crop keeping a fraction f of each side, and a 4:3 crop that is
extended to 16:9 on one side), outpainted back to its full size, and only the generated band is
scored against the photo; the smooth push-pull fill of the same input is the baseline. Prints a
table, checks the targets, and writes a contact sheet to bench-out/.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_photos
import quality_metrics as qm

from outpaint_studio.core.request import OutpaintRequest
from outpaint_studio.engines.fill import fill
from outpaint_studio.engines.local import LocalEngine

OUT_DIR = Path("bench-out")


@dataclass(frozen=True)
class Case:
    name: str
    truth: np.ndarray
    source: np.ndarray
    offset: tuple[int, int]

    @property
    def known(self) -> np.ndarray:
        mask = np.zeros(self.truth.shape[:2], dtype=bool)
        x, y = self.offset
        mask[y : y + self.source.shape[0], x : x + self.source.shape[1]] = True
        return mask


def cases(photo: np.ndarray) -> list[Case]:
    height, width = photo.shape[:2]
    found = []
    for fraction, label in ((0.8, "f0.8"), (0.667, "f0.667")):
        w, h = round(width * fraction), round(height * fraction)
        x, y = (width - w) // 2, (height - h) // 2
        found.append(Case(label, photo, photo[y : y + h, x : x + w], (x, y)))
    wide_height = min(height, width * 9 // 16)
    top = (height - wide_height) // 2
    wide = photo[top : top + wide_height, : wide_height * 16 // 9]
    narrow_width = wide_height * 4 // 3
    found.append(Case("4:3>16:9", wide, wide[:, :narrow_width], (0, 0)))
    return found


def outpaint(engine: LocalEngine, case: Case, mode: str) -> tuple[np.ndarray, float]:
    height, width = case.truth.shape[:2]
    request = OutpaintRequest(
        input_image="local",
        width=width,
        height=height,
        reference_offset_x=case.offset[0],
        reference_offset_y=case.offset[1],
        mode=mode,
    )
    cancel = threading.Event()
    start = time.perf_counter()
    submission = engine.submit(request, Image.fromarray(case.source), cancel)
    result = engine.collect(submission, lambda stage, fraction: None, cancel)
    seconds = time.perf_counter() - start
    return np.asarray(result.image), seconds


@dataclass(frozen=True)
class Score:
    texture: float
    baseline_texture: float
    sharpness: float
    seam: float
    psnr: float
    seconds: float
    exact: bool
    unfilled: int

    @property
    def texture_ratio(self) -> float:
        return self.texture / self.baseline_texture

    def failures(self) -> list[str]:
        found = []
        if not self.texture_ratio <= 0.6:
            found.append("texture")
        if not 0.6 <= self.sharpness <= 1.6:
            found.append("sharpness")
        if not self.seam <= 1.5:
            found.append("seam")
        if not self.exact:
            found.append("known pixels")
        if self.unfilled:
            found.append(f"{self.unfilled} unfilled")
        return found


def unfilled_pixels(
    case: Case, result: np.ndarray, mode: str, use_patchmatch: bool, seed: int = 0
) -> int:
    """How many generated pixels were left as the engine's blank canvas (black).

    A black pixel may be a genuine fill, so the fill is run again on a magenta canvas: the fill
    does not read unknown pixels, so a pixel it filled comes out the same, one it skipped does not.
    """
    band = ~case.known
    suspects = band & (result == 0).all(axis=2)
    if not suspects.any():
        return 0
    canvas = np.where(case.known[..., None], case.truth, np.uint8(0)).astype(np.uint8)
    canvas[band] = (255, 0, 255)
    again = fill(canvas, case.known, mode, use_patchmatch=use_patchmatch, seed=seed)
    return int((again[suspects] != result[suspects]).any(axis=1).sum())


def score(
    case: Case, result: np.ndarray, baseline: np.ndarray, seconds: float, unfilled: int
) -> Score:
    known = case.known
    band = ~known
    return Score(
        texture=qm.texture_distance(result, case.truth, band),
        baseline_texture=qm.texture_distance(baseline, case.truth, band),
        sharpness=qm.sharpness_ratio(result, case.truth, band),
        seam=qm.seam_ratio(result, case.truth, known),
        psnr=qm.blurred_psnr(result, case.truth, band),
        seconds=seconds,
        exact=bool(np.array_equal(result[known], case.truth[known])),
        unfilled=unfilled,
    )


def contact_sheet(rows: list[list[np.ndarray]], path: Path, cell: int = 384) -> None:
    """A grid: one row per case (input on its canvas, push-pull, result, truth)."""
    if not rows:
        return
    columns = max(len(row) for row in rows)
    sheet = Image.new("RGB", (columns * cell, len(rows) * cell), "white")
    for r, row in enumerate(rows):
        for c, image in enumerate(row):
            thumb = Image.fromarray(image)
            thumb.thumbnail((cell - 4, cell - 4), Image.Resampling.LANCZOS)
            sheet.paste(thumb, (c * cell + 2, r * cell + 2))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)


def quality(mode: str, only: list[str] | None, seed: int = 0, large: bool = False) -> list[Score]:
    engine = LocalEngine(seed=seed)
    smooth = LocalEngine(seed=0, use_patchmatch=False)
    scores: list[Score] = []
    sheet_rows: dict[str, list[list[np.ndarray]]] = {}
    print(f"{'photo':10} {'case':9} {'texture':>8} {'smooth':>7} {'ratio':>6} {'sharp':>6} "
          f"{'seam':>5} {'PSNR':>5} {'s':>5}  fails")  # fmt: skip
    for name, photo in bench_photos.photos(only, large):
        for case in cases(photo):
            result, seconds = outpaint(engine, case, mode)
            baseline, _ = outpaint(smooth, case, mode)
            unfilled = unfilled_pixels(case, result, mode, True, seed) + unfilled_pixels(
                case, baseline, mode, False
            )
            s = score(case, result, baseline, seconds, unfilled)
            scores.append(s)
            print(f"{name:10} {case.name:9} {s.texture:8.1f} {s.baseline_texture:7.1f} "
                  f"{s.texture_ratio:6.2f} {s.sharpness:6.2f} {s.seam:5.2f} {s.psnr:5.1f} "
                  f"{s.seconds:5.2f}  {' '.join(s.failures())}")  # fmt: skip
            shown = np.where(case.known[..., None], case.truth, 0).astype(np.uint8)
            sheet_rows.setdefault(name, []).append([shown, baseline, result, case.truth])
    sheet = f"local-quality-{mode}{'-large' if large else ''}"
    for name, rows in sheet_rows.items():
        contact_sheet(rows, OUT_DIR / f"{sheet}-{name}.png")
    contact_sheet(
        [row for rows in sheet_rows.values() for row in rows],
        OUT_DIR / f"{sheet}.png",
        cell=160,
    )
    return scores


SPEED_CASES = (("0.8 MP", (1152, 720), 3.0), ("4 MP", (2560, 1600), 6.0))


def speed(mode: str) -> bool:
    """Times the two speed canvases; whether all were in time, exact and wholly filled."""
    engine = LocalEngine(seed=0)
    ok = True
    for label, size, limit in SPEED_CASES:
        photo = bench_photos.large_photo(size)
        if photo is None:
            break
        height, width = photo.shape[:2]
        w, h = round(width * 0.8), round(height * 0.8)
        x, y = (width - w) // 2, (height - h) // 2
        case = Case("speed", photo, photo[y : y + h, x : x + w], (x, y))
        result, seconds = outpaint(engine, case, mode)
        Image.fromarray(result).save(OUT_DIR / f"local-speed-{mode}-{label.replace(' ', '')}.png")
        fails = [] if seconds <= limit else [f"slower than {limit:g} s"]
        if not np.array_equal(result[case.known], photo[case.known]):
            fails.append("known pixels")
        unfilled = unfilled_pixels(case, result, mode, True)
        if unfilled:
            fails.append(f"{unfilled} unfilled")
        ok = ok and not fails
        print(f"speed {label:7} canvas {width}x{height}: {seconds:.2f} s  {' '.join(fails)}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", choices=("high", "fast"), default="high")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--photos", nargs="*", help="only these photos (default: all)")
    # one seed is one draw: a case near a target can pass with one seed and miss with another
    parser.add_argument("--seed", type=int, default=0, help="the offline engine's seed")
    parser.add_argument(
        "--large", action="store_true", help="camera-sized photos from mate-backgrounds instead"
    )
    args = parser.parse_args()
    scores = quality(args.mode, args.photos, args.seed, args.large)
    if scores:
        seams = [s.seam for s in scores]
        print(f"median seam {np.median(seams):.2f}, worst texture ratio "
              f"{max(s.texture_ratio for s in scores):.2f}")  # fmt: skip
    OUT_DIR.mkdir(exist_ok=True)
    speed_ok = args.no_speed or speed(args.mode)
    failed = (
        any(s.failures() for s in scores) or bool(scores and np.median(seams) > 1.2) or not speed_ok
    )
    print("FAIL" if failed else "all targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
