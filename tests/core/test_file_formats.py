"""One table of output formats: names, extensions, suffixes, dialog filters; one naming rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from outpaint_studio.core.file_formats import (
    FILE_FORMATS,
    OUTPUT_FORMATS,
    dialog_filters,
    extension,
    file_format,
    format_for_filter,
    format_for_path,
    format_for_suffix,
    pillow_format,
)
from outpaint_studio.core.images import encode_image
from outpaint_studio.core.jobs import JobParams
from outpaint_studio.core.output import output_name, output_target
from outpaint_studio.core.request import OUTPUT_FORMATS as REQUEST_FORMATS


def test_the_formats_the_service_takes_are_the_table() -> None:
    assert OUTPUT_FORMATS == REQUEST_FORMATS == ("png", "jpeg", "webp")


@pytest.mark.parametrize("fmt", OUTPUT_FORMATS)
def test_every_format_round_trips_through_its_extension_suffixes_and_filter(fmt: str) -> None:
    assert format_for_suffix(extension(fmt)) == fmt
    assert format_for_suffix(extension(fmt).upper()) == fmt
    assert all(format_for_suffix(suffix) == fmt for suffix in FILE_FORMATS[fmt].suffixes)
    assert format_for_filter(file_format(fmt).dialog_filter) == fmt
    assert file_format(fmt).dialog_filter in dialog_filters()


@pytest.mark.parametrize("fmt", OUTPUT_FORMATS)
def test_an_encoded_file_is_what_its_format_says(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"out{extension(fmt)}"
    path.write_bytes(encode_image(Image.new("RGB", (8, 8)), fmt))
    with Image.open(path) as written:
        assert written.format == pillow_format(fmt) and written.format.lower() == fmt
    assert format_for_path(path) == fmt


def test_the_known_names_and_words() -> None:
    assert extension("jpeg") == ".jpg" and extension("PNG") == ".png"
    assert format_for_suffix(".JPEG") == "jpeg" and format_for_suffix(".jpg") == "jpeg"
    assert format_for_suffix(".tif") is None and format_for_path("notes") is None
    assert file_format("jpg").name == "jpeg"
    assert file_format("png").dialog_filter == "PNG image (*.png)"
    assert file_format("jpeg").dialog_filter == "JPEG image (*.jpg *.jpeg)"
    assert file_format("webp").dialog_filter == "WebP image (*.webp)"
    assert format_for_filter("All (*)") is None
    assert extension("gif") == ".gif"  # an odd format the service sent is kept as it came
    with pytest.raises(KeyError):
        file_format("gif")


def test_outputs_are_named_after_their_source() -> None:
    assert output_name("/photos/beach.png", "jpeg") == "beach-extended.jpg"
    assert output_name("/photos/beach.png", "webp", target="4:5") == "beach-4x5.webp"
    assert output_name("/photos/beach.png", "png", number=2) == "beach-extended-2.png"
    assert output_name(None, "png") == "image-extended.png"


def test_the_command_lines_output_follows_the_same_rule(tmp_path: Path) -> None:
    params = JobParams(input="/photos/beach.png", width=64, height=64, output_format="jpeg",
                       out_dir=str(tmp_path), target="1080x1350")  # fmt: skip
    assert output_target(params, "key", tmp_path / "history") == tmp_path / "beach-1080x1350.jpg"
    kept = JobParams(input="/photos/beach.png", width=64, height=64, output_format="jpeg")
    assert output_target(kept, "key", tmp_path) == tmp_path / "key.jpg"
