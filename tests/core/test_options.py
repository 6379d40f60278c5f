"""Options map to a job's parameters, back, and to and from the settings, in one place."""

from __future__ import annotations

import dataclasses

import pytest

from outpaint_studio.core.editor import EditorState, Geometry
from outpaint_studio.core.jobs import JobParams
from outpaint_studio.core.options import (
    ENGINES,
    Options,
    engine_words,
    options_from_params,
    options_from_settings,
    remember_options,
    with_options,
)
from outpaint_studio.core.restore import restored_state
from outpaint_studio.core.settings import Settings

PICKED = Options(engine="bfl", mode="fast", output_format="webp", prompt="a quiet beach",
                 safety_tolerance=5, auto_crop=True, variations=3, full_res=False)  # fmt: skip
SCALED = JobParams(input="/photos/beach.png", width=800, height=600, scale=0.5)


def test_options_survive_a_job_and_back() -> None:
    params = with_options(SCALED, PICKED)
    assert params.prompt == "a quiet beach" and params.width == 800 and params.scale == 0.5
    # the number of variations is no job's: it stays what the editor has
    assert options_from_params(params, Options(variations=3)) == PICKED


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(Options)])
def test_every_option_but_the_variations_reaches_the_job(name: str) -> None:
    defaults = with_options(SCALED, Options())
    changed = with_options(SCALED, dataclasses.replace(Options(), **{name: getattr(PICKED, name)}))
    assert (changed == defaults) == (name == "variations")


def test_a_job_without_a_prompt_sends_none_and_restores_empty() -> None:
    params = with_options(SCALED, Options(prompt=""))
    assert params.prompt is None and options_from_params(params, PICKED).prompt == ""


def test_what_a_job_does_not_tell_comes_from_the_editor() -> None:
    unscaled = dataclasses.replace(SCALED, scale=1.0, full_res=False, engine="someday")
    restored = options_from_params(unscaled, Options(engine="bfl", full_res=True))
    assert restored.engine == "bfl" and restored.full_res is True


def test_the_editors_job_and_a_restored_layout_use_the_same_mapping() -> None:
    state = EditorState("/photos/beach.png", (800, 600), Geometry(1000, 700, 0.5, 10, 20), PICKED)
    params = state.job_params()
    assert params == with_options(JobParams("/photos/beach.png", 1000, 700, 10, 20, 0.5), PICKED)
    restored = restored_state(EditorState("/photos/beach.png", (800, 600)), params)
    assert restored.geometry == state.geometry
    assert restored.options == dataclasses.replace(PICKED, variations=1)


def test_full_resolution_is_only_asked_for_a_scaled_source() -> None:
    full = dataclasses.replace(PICKED, full_res=True)
    unscaled = EditorState("/photos/beach.png", (800, 600), Geometry(1000, 700), full)
    assert unscaled.job_params().full_res is False
    assert dataclasses.replace(unscaled, geometry=Geometry(500, 350, 0.5)).job_params().full_res


def test_settings_give_the_options_and_keep_them_again() -> None:
    saved = Settings(engine="auto", mode="fast", output_format="jpeg", prompt="sea",
                     safety_tolerance=4, full_res=False)  # fmt: skip
    options = options_from_settings(saved, "bfl")
    assert options == Options(engine="bfl", mode="fast", output_format="jpeg", prompt="sea",
                              safety_tolerance=4, full_res=False)  # fmt: skip
    again = Settings()
    remember_options(again, options, automatic_engine="bfl")
    assert again == saved


def test_risky_choices_do_not_carry_over_to_the_next_start() -> None:
    settings = Settings()
    remember_options(settings, PICKED, automatic_engine="local")
    options = options_from_settings(settings, settings.engine)
    assert options.variations == 1 and options.auto_crop is False
    assert dataclasses.replace(options, variations=3, auto_crop=True) == PICKED


def test_an_engine_the_automatic_choice_would_not_pick_is_kept_by_name() -> None:
    settings = Settings()
    remember_options(settings, Options(engine="local"), automatic_engine="bfl")
    assert settings.engine == "local"
    remember_options(settings, Options(engine="bfl"), automatic_engine="bfl")
    assert settings.engine == "auto"


def test_each_engine_has_one_set_of_words() -> None:
    assert list(ENGINES) == ["local", "bfl"]  # the picker's order; the CLI's --engine choices
    assert engine_words("bfl") == ("FLUX", "FLUX (Black Forest Labs)", "FLUX")
    assert engine_words("local").subject == "The offline engine"
    # a job of an engine this version does not know keeps its name everywhere
    assert engine_words("flux-3") == ("flux-3", "flux-3", "flux-3")
    params = JobParams(input="/photos/beach.png", width=800, height=600, engine="flux-3")
    assert options_from_params(params, PICKED).engine == "bfl"
