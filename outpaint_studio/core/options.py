"""What the user picked besides the geometry, and the one mapping of those options: into a job's
parameters, back out of them (restoring a job's layout), and from and to the saved settings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

from outpaint_studio.core.jobs import JobParams
from outpaint_studio.core.settings import Settings, clamp_feather


class EngineWords(NamedTuple):
    """What the app calls an engine, in each place it names one."""

    short: str  # History's summary line: "FLUX expand"
    label: str  # the engine picker's entry
    subject: str  # a sentence's subject: "FLUX changed the original..."


ENGINES: dict[str, EngineWords] = {  # the engines, by the name jobs and settings keep
    "local": EngineWords("Offline", "Offline (built-in)", "The offline engine"),
    "bfl": EngineWords("FLUX", "FLUX (Black Forest Labs)", "FLUX"),
}


def engine_words(name: str) -> EngineWords:
    """What the app calls engine ``name``; an unknown name (a newer version's job) is its own."""
    return ENGINES.get(name, EngineWords(name, name, name))


@dataclass(frozen=True)
class Options:
    """What the user picked besides the geometry."""

    engine: str = "local"  # "local" or "bfl"
    mode: str = "high"
    output_format: str = "png"
    prompt: str = ""
    safety_tolerance: int = 2
    auto_crop: bool = False
    variations: int = 1  # how many results one Extend makes, 1 to 8
    full_res: bool = True  # with a scaled source: output at the original's resolution


def with_options(params: JobParams, options: Options) -> JobParams:
    """``params`` (a source on a canvas) carrying ``options``."""
    return replace(
        params,
        engine=options.engine,
        mode=options.mode,
        output_format=options.output_format,
        prompt=options.prompt or None,
        safety_tolerance=options.safety_tolerance,
        auto_crop=options.auto_crop,
        full_res=options.full_res,
    )


def options_from_params(params: JobParams, current: Options) -> Options:
    """The options a job ran with. What it does not tell comes from ``current``: the number of
    variations, an engine of no known name, and full resolution when the source was not scaled."""
    return replace(
        current,
        engine=params.engine if params.engine in ENGINES else current.engine,
        mode=params.mode,
        output_format=params.output_format,
        prompt=params.prompt or "",
        safety_tolerance=params.safety_tolerance,
        auto_crop=params.auto_crop,
        full_res=params.full_res if params.scale < 1 else current.full_res,
    )


def options_from_settings(settings: Settings, engine: str) -> Options:
    """The options an editor starts with; ``engine`` is the one the settings choose. Risky
    choices do not carry over: one variation a session, auto-crop per image."""
    return Options(
        engine=engine,
        mode=settings.mode,
        output_format=settings.output_format,
        prompt=settings.prompt,
        safety_tolerance=settings.safety_tolerance,
        full_res=settings.full_res,
    )


def remember_options(settings: Settings, options: Options, automatic_engine: str) -> None:
    """Keep ``options`` in ``settings`` for the next start. The engine the automatic choice
    picks (``automatic_engine``) is kept as "auto", so that a key added later is used."""
    settings.engine = "auto" if options.engine == automatic_engine else options.engine
    settings.mode = options.mode
    settings.output_format = options.output_format
    settings.prompt = options.prompt
    settings.safety_tolerance = options.safety_tolerance
    settings.full_res = options.full_res


def with_settings(params: JobParams, settings: Settings) -> JobParams:
    """``params`` with the paste-back choice and blend band of ``settings``."""
    return replace(params, paste_back=settings.paste_back, feather=clamp_feather(settings.feather))
