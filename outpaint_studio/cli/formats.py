"""``extend --targets``: each input laid out for every format target, all jobs at once."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from outpaint_studio.core.formats import (
    MAX_OUTPUT_SIDE,
    Target,
    TargetError,
    parse_anchor,
    parse_targets,
)
from outpaint_studio.core.layout import MIN_SIDE, Anchor

Outcome = TypeVar("Outcome")
# What a target's layout decides, so not given with --targets.
LAYOUT_OPTIONS = ("width", "height", "offset_x", "offset_y")


def add_target_options(extend: argparse.ArgumentParser) -> None:
    extend.add_argument(
        "--targets",
        type=_argument(parse_targets),
        metavar="LIST",
        help="extend to each format instead of one canvas: ratios (4:5) or exact pixels "
        "(1080x1350), comma-separated; writes NAME-4x5.png, NAME-1080x1350.png ...",
    )
    extend.add_argument(
        "--anchor",
        type=_argument(parse_anchor),
        metavar="WHERE",
        help="with --targets: where the source sits, center (default), top, top-left, left, "
        "bottom-right ...",
    )
    extend.add_argument(
        "--long-side",
        type=int,
        metavar="N",
        help="with --targets: resize each ratio's output to N px on its long side",
    )


def _argument(parse: Callable[[str], object]) -> Callable[[str], object]:
    def convert(text: str) -> object:
        try:
            return parse(text)
        except TargetError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


def checked_targets(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[Target]:
    """The targets asked for (each ratio sized by --long-side), or none for one canvas; bad
    combinations end in a usage error."""
    if args.targets is None:
        if args.anchor is not None or args.long_side is not None:
            parser.error("--anchor and --long-side go with --targets")
        if args.width is None or args.height is None:
            parser.error("--width and --height are required (or --targets)")
        return []
    given = [f"--{name.replace('_', '-')}" for name in LAYOUT_OPTIONS if getattr(args, name)]
    if given or args.scale != 1.0:
        parser.error(
            f"--targets lays out each canvas itself; leave out {', '.join(given or ['--scale'])}"
        )
    if args.output:
        parser.error("-o names one file; use --out-dir with --targets")
    if args.long_side is None:
        return list(args.targets)
    if not MIN_SIDE <= args.long_side <= MAX_OUTPUT_SIDE:
        parser.error(f"--long-side must be {MIN_SIDE} to {MAX_OUTPUT_SIDE} px")
    return [target.with_long_side(args.long_side) for target in args.targets]


def anchor_of(args: argparse.Namespace) -> Anchor:
    return args.anchor or "center"


def extend_targets(targets: Sequence[Target], run: Callable[[Target], Outcome]) -> list[Outcome]:
    """One input for every target, its jobs at once: each job decodes the input no larger than
    its own layout needs (the runner keeps at most 24 active over all inputs)."""
    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        return list(pool.map(run, targets))
