"""The command line's options become a job's parameters exactly as its contract says."""

from __future__ import annotations

from pathlib import Path

import pytest

from outpaint_studio import cli
from outpaint_studio.core.jobs import JobParams


def parsed_params(tmp_path: Path, *options: str, engine: str = "bfl") -> JobParams:
    args = cli.build_parser().parse_args(["extend", "photo.png", *options])
    return cli._params(str(tmp_path / "photo.png"), args, engine)


@pytest.mark.parametrize("feather", ["-1", "17"])
def test_a_blend_band_out_of_range_is_a_usage_error(
    feather: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as usage:
        cli.main(["extend", str(tmp_path / "photo.png"), "--width", "256", "--height", "256",
                  "--feather", feather])  # fmt: skip
    assert usage.value.code == 2
    assert "--feather must be 0 to 16 px" in capsys.readouterr().err


def test_the_help_names_the_blend_bands_range(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["extend", "--help"])
    assert "paste-back blend band, 0-16 px" in capsys.readouterr().out


def test_the_defaults_are_the_contracts(tmp_path: Path) -> None:
    params = parsed_params(tmp_path, "--width", "512", "--height", "384")
    assert params == JobParams(
        input=str((tmp_path / "photo.png").resolve()),
        width=512,
        height=384,
        out_dir=str(tmp_path.resolve()),
    )
    assert parsed_params(tmp_path, engine="local").seed == 0


def test_every_option_reaches_the_job(tmp_path: Path) -> None:
    params = parsed_params(
        tmp_path, "--width", "512", "--height", "384", "--offset-x", "3", "--offset-y", "4",
        "--scale", "0.5", "--mode", "fast", "--prompt", "sea", "--safety-tolerance", "5",
        "--auto-crop", "--full-res", "--no-paste-back", "--feather", "3", "--seed", "7",
        "--overwrite", "--sidecar", "-o", str(tmp_path / "out.JPEG"), engine="local",
    )  # fmt: skip
    assert params == JobParams(
        input=str((tmp_path / "photo.png").resolve()), width=512, height=384, offset_x=3,
        offset_y=4, scale=0.5, mode="fast", output_format="jpeg", prompt="sea",
        safety_tolerance=5, auto_crop=True, engine="local", seed=7, paste_back=False, feather=3,
        full_res=True, output=str((tmp_path / "out.JPEG").resolve()),
        out_dir=str(tmp_path.resolve()), overwrite=True, sidecar=True,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("options", "fmt"),
    [((), "png"), (("-o", "x.webp"), "webp"), (("-o", "x.webp", "--format", "png"), "png")],
)
def test_the_format_comes_from_the_option_then_the_output_name(
    options: tuple[str, ...], fmt: str, tmp_path: Path
) -> None:
    assert parsed_params(tmp_path, *options).output_format == fmt
