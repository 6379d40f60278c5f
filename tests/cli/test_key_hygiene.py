"""The key goes only where it belongs: never into files, logs, output or error text."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from bfl_sim import BflSimulator
from photos import API_KEY

from outpaint_studio.app import main
from outpaint_studio.engines.bfl import BflClient


def all_text_under(folder: Path) -> str:
    return "\n".join(p.read_bytes().decode("latin-1") for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("fault", "params"),
    [
        (None, {}),
        ("submit_drop_after", {}),
        ("status", {"status": "Error", "details": {"echo": API_KEY}}),
        ("delivery_status", {"status": 410}),
        ("poll_5xx_html", {"status": 502}),
        ("poll_redirect", {"to": "http://localhost:{port}"}),  # another host: no key there
        ("poll_redirect", {}),  # another path on the same host: the key goes along
        ("delivery_redirect", {"to": "http://127.0.0.1:{port}"}),  # the API's host, yet no key
        ("poll_auth", {"status": 403}),
    ],
)
def test_key_never_leaks(
    keyed_env: BflSimulator,
    photo: Path,
    tmp_path: Path,
    app_home: Path,
    fault: str | None,
    params: dict,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    if fault:
        keyed_env.inject(fault, **params)
    out_dir = tmp_path / "out"
    main(["extend", str(photo), "--width", "512", "--height", "384", "--out-dir", str(out_dir),
          "--json"])  # fmt: skip
    main(["jobs", "--json"])
    captured = capsys.readouterr()
    assert API_KEY not in captured.out + captured.err
    assert API_KEY not in caplog.text
    assert API_KEY not in all_text_under(app_home)
    if out_dir.exists():
        assert API_KEY not in all_text_under(out_dir)
    assert keyed_env.key_leaks() == []


def test_client_repr_and_errors_hide_the_key(sim: BflSimulator) -> None:
    client = BflClient(API_KEY, sim.base_url)
    assert API_KEY not in repr(client)
    try:
        BflClient("bad-" + API_KEY, sim.base_url).credits()
    except Exception as exc:  # the message a user sees
        assert API_KEY not in str(exc)
    else:
        raise AssertionError("a wrong key was accepted")
