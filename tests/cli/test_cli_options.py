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
