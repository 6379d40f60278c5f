"""Headless commands: ``extend``, ``resume`` and ``jobs``. Exit 0 = all good, 1 = a job failed,
2 = bad usage."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from functools import partial
from pathlib import Path

from outpaint_studio import __version__
from outpaint_studio.cli.formats import (
    add_target_options,
    anchor_of,
    checked_targets,
    extend_targets,
)
from outpaint_studio.cli.progress import ProgressPrinter
from outpaint_studio.core.file_formats import DEFAULT_FORMAT, OUTPUT_FORMATS, format_for_path
from outpaint_studio.core.formats import Target, layout_for, target_params
from outpaint_studio.core.images import ImageLoadError
from outpaint_studio.core.jobs import MAX_SEED, JobParams, JobRecord
from outpaint_studio.core.layer_export import LAYER_FORMATS, LayerExportError, hand_on
from outpaint_studio.core.options import ENGINES, Options, with_options
from outpaint_studio.core.request import DEFAULT_SAFETY, MODES
from outpaint_studio.core.runner import JobRunner
from outpaint_studio.core.settings import FEATHER_RANGE, clamp_feather
from outpaint_studio.core.source import open_source
from outpaint_studio.core.transitions import COLLECTABLE, IN_FLIGHT, SUCCEEDED, JobState
from outpaint_studio.session import ConfigurationError, EngineChoice, Session

MAX_WORKERS = 64  # threads; the runner keeps at most 24 submitted at once


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="outpaint-studio",
        description="Extend images with FLUX outpainting or the built-in offline engine.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    extend = commands.add_parser("extend", help="extend one or more images")
    extend.set_defaults(usage=extend)  # its own usage line for its usage errors
    extend.add_argument("inputs", nargs="+", metavar="INPUT", help="image files")
    extend.add_argument("--width", type=int, help="canvas width, px (or --targets)")
    extend.add_argument("--height", type=int, help="canvas height, px (or --targets)")
    extend.add_argument("--offset-x", type=int, help="source's left edge on the canvas (centred)")
    extend.add_argument("--offset-y", type=int, help="source's top edge on the canvas (centred)")
    extend.add_argument("--scale", type=float, default=1.0, help="scale the source first")
    extend.add_argument("--mode", choices=MODES, default="high")
    extend.add_argument("--format", choices=OUTPUT_FORMATS, help="output format (from -o, or png)")
    extend.add_argument("--prompt", help="optional guidance for the new area (experimental)")
    extend.add_argument("--safety-tolerance", type=int, choices=range(6), default=DEFAULT_SAFETY)
    extend.add_argument("--auto-crop", action="store_true", help="crop what hangs off the canvas")
    extend.add_argument("--engine", choices=ENGINES, help="default: bfl with a key, else local")
    extend.add_argument("--api-url", help="API base (default from settings or the environment)")
    extend.add_argument(
        "--jobs", type=int, default=4, help="inputs at once (at most 24 at the service)"
    )
    extend.add_argument("--full-res", action="store_true", help="output at the source's scale")
    extend.add_argument("--no-paste-back", action="store_true", help="keep the engine's pixels")
    extend.add_argument("--feather", type=int, default=8,
                        help="paste-back blend band, {}-{} px".format(*FEATHER_RANGE))  # fmt: skip
    extend.add_argument("--seed", type=int, default=0, help="offline engine: another seed, "
                        "another result; the same seed, the same result (default 0)")  # fmt: skip
    extend.add_argument("--poll-timeout", type=float, help="give up waiting after S seconds")
    extend.add_argument("--overwrite", action="store_true", help="replace an existing output")
    extend.add_argument(
        "--sidecar",
        action="store_true",
        help="also write the parameters to NAME.EXT.json beside each output",
    )
    extend.add_argument(
        "--layers",
        choices=LAYER_FORMATS,
        help="also write the layers (generated, original, generated area) to NAME.psd or .ora",
    )
    extend.add_argument(
        "--mask", action="store_true", help="also write NAME-mask.png: white where generated"
    )
    target = extend.add_mutually_exclusive_group()
    target.add_argument("-o", "--output", help="output file (one input only)")
    target.add_argument("--out-dir", help="folder for outputs (default: beside each input)")
    extend.add_argument(
        "--json", action="store_true", help="one JSON object per input (and target)"
    )
    add_target_options(extend)
    for name, text in (("resume", "collect submitted jobs"), ("jobs", "list the journal")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--json", action="store_true", help="one JSON object per job")
        if name == "resume":
            command.add_argument("--api-url", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "extend":
            return extend(args.usage, args)
        if args.command == "resume":
            return resume(args)
        return list_jobs(args)
    except ConfigurationError as exc:
        print(f"outpaint-studio: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\noutpaint-studio: interrupted; submitted jobs can be collected with `resume`",
              file=sys.stderr)  # fmt: skip
        return 1


def extend(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.output and len(args.inputs) > 1:
        parser.error("-o names one file; use --out-dir with several inputs")
    if not 0 < args.scale <= 1:
        parser.error("--scale must be above 0 and at most 1")
    if clamp_feather(args.feather) != args.feather:
        parser.error("--feather must be {} to {} px".format(*FEATHER_RANGE))
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if not 0 <= args.seed < MAX_SEED:
        parser.error(f"--seed must be 0 to {MAX_SEED - 1}")
    targets = checked_targets(parser, args)
    session = Session.open()
    if args.poll_timeout:
        session.settings.poll_timeout = args.poll_timeout
    choice = session.choose_engine(args.engine, args.api_url)
    engine = session.engine(choice, args.seed)
    if choice.reason:
        print(f"outpaint-studio: {choice.reason}", file=sys.stderr)
    printer = ProgressPrinter(sys.stderr)
    runner = session.runner(engine)
    workers = min(args.jobs, MAX_WORKERS, len(args.inputs))
    cancel = threading.Event()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(_extend_input, path, targets, args, choice, runner, printer, cancel)
            for path in args.inputs
        ]
        try:
            records = [record for future in futures for record in future.result()]
        except KeyboardInterrupt:
            cancel.set()  # jobs stop waiting; submitted ones stay collectable with `resume`
            raise
    printer.finish()
    return _report(records, args.json)


def _params(path: str, args: argparse.Namespace, engine: str) -> JobParams:
    output = args.output
    guessed = format_for_path(output) if output else None
    options = Options(
        engine=engine,
        mode=args.mode,
        output_format=args.format or guessed or DEFAULT_FORMAT,
        prompt=args.prompt or "",
        safety_tolerance=args.safety_tolerance,
        auto_crop=args.auto_crop,
        full_res=args.full_res,
    )
    placed = JobParams(
        input=str(Path(path).resolve()),
        width=args.width,
        height=args.height,
        offset_x=args.offset_x,
        offset_y=args.offset_y,
        scale=args.scale,
        seed=args.seed if engine == "local" else None,
        paste_back=not args.no_paste_back,
        feather=args.feather,
        output=str(Path(output).resolve()) if output else None,
        out_dir=str(Path(args.out_dir or Path(path).resolve().parent).resolve()),
        overwrite=args.overwrite,
        sidecar=args.sidecar,
    )
    return with_options(placed, options)


def _extend_input(
    path: str,
    targets: list[Target],
    args: argparse.Namespace,
    choice: EngineChoice,
    runner: JobRunner,
    printer: ProgressPrinter,
    cancel: threading.Event,
) -> list[JobRecord | dict[str, object]]:
    """One input: one job, or one job per format target."""
    extend_one = partial(_extend_one, path, args, choice, runner, printer, cancel)
    return extend_targets(targets, extend_one) if targets else [extend_one()]


def _extend_one(
    path: str,
    args: argparse.Namespace,
    choice: EngineChoice,
    runner: JobRunner,
    printer: ProgressPrinter,
    cancel: threading.Event,
    target: Target | None = None,
) -> JobRecord | dict[str, object]:
    """One input (at one target), start to end; whatever goes wrong with it fails it alone, in
    one line."""
    params = _params(path, args, choice.name)
    name = Path(path).name if target is None else f"{Path(path).name} {target.label}"
    record: JobRecord | None = None
    try:
        source = open_source(path)  # decoded by the job, no larger than it needs
        if target is not None:
            params = target_params(params, layout_for(source.size, target, anchor_of(args)))
        record = runner.create(params, api_base=choice.api_url if choice.name == "bfl" else None)
        record = runner.run(record, source, printer.update_for(name), cancel)
        if record.state in SUCCEEDED and (args.layers or args.mask):
            return _hand_on(record, args, printer)
        return record
    except ImageLoadError as exc:
        message = exc.message
    except Exception as exc:  # a bug with one input must not take the batch down
        message = f"unexpected error ({type(exc).__name__}: {exc})".replace("\n", " ")
        if record is not None and record.state is JobState.CREATED:
            return runner.journal.move(record, JobState.FAILED, message, "internal")
        if record is not None:  # past the submit: the journal keeps it for `resume`
            if record.state in COLLECTABLE:
                runner.journal.release(record)
            record.error = message
            return record
    printer.line(f"{name}: {message}")
    return {"input": params.input, "output": None, "state": "failed", "job_id": None,
            "cost": None, "error": message, "target": target and target.label}  # fmt: skip


def _hand_on(
    record: JobRecord, args: argparse.Namespace, printer: ProgressPrinter
) -> dict[str, object]:
    """The saved job's layers and mask beside its output; failing them fails the input (the
    output itself stays saved)."""
    try:
        return {**record.summary(), **hand_on(record, args.layers, args.mask)}
    except LayerExportError as exc:
        printer.line(f"{Path(record.params.input).name}: {exc.message}")
        return {**record.summary(), "error": exc.message}


def resume(args: argparse.Namespace) -> int:
    """Collect every collectable job no live process is working on (and settle the ones a
    crash left around their submit)."""
    session = Session.open()
    journal = session.journal
    printer = ProgressPrinter(sys.stderr)
    records: list[JobRecord | dict[str, object]] = [*journal.settle_unsent(journal.records())]
    for record in journal.orphaned():  # collectable, or an offline job to run again
        name = Path(record.params.input).name
        cancel = threading.Event()
        records.append(session.collect(record, printer.update_for(name), cancel))
    printer.finish()
    if not records and not args.json:
        busy = len([r for r in journal.records() if r.state in IN_FLIGHT])  # a live owner's
        elsewhere = f": {busy} being collected by another running Outpaint Studio" if busy else ""
        print(f"outpaint-studio: nothing to resume{elsewhere}", file=sys.stderr)
    return _report(records, args.json)


def list_jobs(args: argparse.Namespace) -> int:
    records = Session.open().journal.records()
    if args.json:
        for record in records:
            print(json.dumps(_job_line(record)), flush=True)
        return 0
    if not records:
        print("no jobs yet")
        return 0
    print(f"{'job':10} {'state':10} {'engine':6} {'canvas':11} {'cost':>6}  input -> result")
    for record in records:
        line = _job_line(record)
        canvas = f"{record.params.width}x{record.params.height}"
        cost = "" if line["cost"] is None else f"{line['cost']:g}"
        result = line["output"] or line["error"] or ""
        print(
            f"{record.key[:10]:10} {record.state.value:10} {record.engine:6} {canvas:11} "
            f"{cost:>6}  {Path(record.params.input).name} -> {result}"
        )
    return 0


def _job_line(record: JobRecord) -> dict[str, object]:
    line = record.summary()
    line["parameters"] = asdict(record.params)
    return line


def _report(records: Sequence[JobRecord | dict[str, object]], as_json: bool) -> int:
    failed = 0
    for record in records:
        summary = record.summary() if isinstance(record, JobRecord) else record
        ok = summary["state"] in SUCCEEDED and not summary["error"]
        failed += not ok
        if as_json:
            print(json.dumps(summary), flush=True)
        elif ok:
            cost = summary["cost"]
            priced = f" ({cost:g} credits)" if isinstance(cost, float) and cost else ""
            print(f"{summary['output']}{priced}")
        target = summary.get("target")
        name = Path(str(summary["input"])).name + (f" {target}" if target else "")
        if not ok and isinstance(record, JobRecord):
            print(f"{name}: {summary['state']}: {summary['error']}", file=sys.stderr)
        if summary.get("notice"):
            print(f"{name}: {summary['notice']}", file=sys.stderr)
    return 1 if failed else 0
