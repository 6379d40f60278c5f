import pytest

from outpaint_studio.core.request import InvalidRequest, OutpaintRequest, encode_image_bytes

SPEC_FIELDS = {
    "input_image", "width", "height", "auto_crop", "safety_tolerance", "output_format",
    "prompt", "reference_offset_x", "reference_offset_y", "mode",
}  # fmt: skip


def make(**changes: object) -> OutpaintRequest:
    values: dict[str, object] = {
        "input_image": encode_image_bytes(b"\x89PNG fake"),
        "width": 1024,
        "height": 768,
        "source_size": (512, 512),
    }
    values.update(changes)
    return OutpaintRequest(**values)  # type: ignore[arg-type]


def messages(request: OutpaintRequest) -> list[str]:
    return [p.message for p in request.problems()]


def test_payload_holds_only_spec_fields_and_leaves_centred_axes_out() -> None:
    payload = make().to_payload()
    assert set(payload) <= SPEC_FIELDS
    assert "reference_offset_x" not in payload and "reference_offset_y" not in payload
    assert "prompt" not in payload
    assert not payload["input_image"].startswith("data:")


def test_payload_carries_offsets_and_prompt() -> None:
    payload = make(reference_offset_x=-16, reference_offset_y=0, prompt="sea", auto_crop=True)
    body = payload.to_payload()
    assert body["reference_offset_x"] == -16 and body["reference_offset_y"] == 0
    assert body["prompt"] == "sea"


def test_hanging_off_names_the_edge_the_pixels_and_the_fix() -> None:
    found = messages(make(reference_offset_x=632, reference_offset_y=0))
    assert found == [
        "the source hangs 120 px off the right: move it, enlarge the canvas, scale it down, or "
        "allow auto-crop"
    ]
    assert make(reference_offset_x=632, reference_offset_y=0, auto_crop=True).problems() == []


def test_hanging_off_two_edges_names_both_in_one_message() -> None:
    found = messages(make(reference_offset_x=688, reference_offset_y=352))
    assert found == [
        "the source hangs 176 px off the right and 96 px off the bottom: move it, enlarge the "
        "canvas, scale it down, or allow auto-crop"
    ]
    found = messages(make(reference_offset_x=-8, reference_offset_y=-4))
    assert found[0].startswith("the source hangs 8 px off the left and 4 px off the top:")


@pytest.mark.parametrize("auto_crop", [False, True])
@pytest.mark.parametrize("offset", [(1024, 0), (-512, 0), (0, 768), (3000, -3000)])
def test_nothing_of_the_source_on_the_canvas_is_refused_even_with_auto_crop(
    offset: tuple[int, int], auto_crop: bool
) -> None:
    request = make(reference_offset_x=offset[0], reference_offset_y=offset[1], auto_crop=auto_crop)
    assert messages(request) == ["nothing of the source is on the canvas: move it onto the canvas"]
    with pytest.raises(InvalidRequest):
        request.to_payload()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"width": 63}, "width", "minimum is 64"),
        ({"height": 10}, "height", "minimum is 64"),
        ({"width": 2049, "height": 2048}, "width", "4 MP"),
        ({"safety_tolerance": 6}, "safety_tolerance", "0 (strict) to 5"),
        ({"safety_tolerance": -1}, "safety_tolerance", "out of range"),
        ({"mode": "ultra"}, "mode", "high, fast"),
        ({"output_format": "gif"}, "output_format", "png, jpeg, webp"),
        ({"width": 100.5}, "width", "whole number"),
        ({"width": True}, "width", "whole number"),
        ({"reference_offset_x": "3"}, "reference_offset_x", "whole number"),
        ({"input_image": "data:image/png;base64,AAAA"}, "input_image", "data: prefix"),
        ({"input_image": ""}, "input_image", "no source"),
        ({"auto_crop": "yes"}, "auto_crop", "true or false"),
    ],
)
def test_each_rejection_names_the_field(changes: dict, field: str, words: str) -> None:
    problems = make(**changes).problems()
    assert problems, changes
    assert problems[0].field == field
    assert words in problems[0].message
    with pytest.raises(InvalidRequest):
        make(**changes).to_payload()


def test_exactly_4mp_is_accepted() -> None:
    assert make(width=2048, height=2048).problems() == []


def test_repr_never_contains_the_image() -> None:
    request = make(input_image="A" * 10_000)
    assert "AAAA" not in repr(request)
