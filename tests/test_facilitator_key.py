"""The facilitator key: the facilitator page (notebooks/plenum.ipynb) is refused without it.

The check itself (widgets.plenum.facilitator_access and the page function), where `trygge serve` gets the key and what
it prints, and that the key goes to Voilà's environment. The page in a real browser: tests/browser/test_plenum.py.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import ClassVar

import pytest

from widgets.lesson import plenum as notebook_call  # what notebooks/plenum.ipynb calls as ts.plenum()
from widgets.plenum import REFUSAL_TEXT, WRONG_KEY_TEXT, PlenumView, facilitator_access

KEY = "k3y-Med_æøå+/=tegn-0123456789"


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TRYGGE_FACILITATOR_KEY", KEY)
    return KEY


def _query(**params: str) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def test_the_right_key_opens_the_page(keyed: str) -> None:
    assert facilitator_access(_query(nokkel=keyed)) == "open"
    assert facilitator_access(_query(tema="rus", nokkel=keyed)) == "open"
    assert facilitator_access(_query(nokkel=keyed), key=f"  {keyed} ") == "open"  # as an env file may hold it


def test_a_wrong_key_is_refused(keyed: str) -> None:
    assert facilitator_access(_query(nokkel=keyed[:-1])) == "wrong"
    assert facilitator_access(_query(nokkel=keyed + "x")) == "wrong"
    assert facilitator_access(_query(nokkel=keyed.upper())) == "wrong"
    assert facilitator_access(_query(nokkel="ü" * 40)) == "wrong"  # not ASCII: still compared, never an error
    assert facilitator_access(_query(nokel=keyed)) == "missing"  # a misspelt name carries no key


def test_a_missing_key_is_refused(keyed: str) -> None:
    assert facilitator_access("") == "missing"
    assert facilitator_access("tema=samtalen") == "missing"
    assert facilitator_access("nokkel=") == "missing"
    assert facilitator_access("nokkel") == "missing"


def test_the_query_comes_from_voilas_environment(keyed: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUERY_STRING", _query(nokkel=keyed))
    assert facilitator_access() == "open"
    monkeypatch.setenv("QUERY_STRING", "nokkel=gjett")
    assert facilitator_access() == "wrong"
    monkeypatch.delenv("QUERY_STRING")
    assert facilitator_access() == "missing"


@pytest.mark.parametrize("configured", [None, "", "   "])
def test_with_no_key_configured_the_page_opens_as_before(configured, monkeypatch: pytest.MonkeyPatch) -> None:
    """The trainer's own machine: the notebook in JupyterLab (trygge trainer) or run by nbclient."""
    if configured is None:
        monkeypatch.delenv("TRYGGE_FACILITATOR_KEY", raising=False)
    else:
        monkeypatch.setenv("TRYGGE_FACILITATOR_KEY", configured)
    assert facilitator_access("") == "open"
    assert facilitator_access("nokkel=hva-som-helst") == "open"


def test_the_page_shows_a_calm_refusal_without_notes_or_poll_controls(keyed: str, monkeypatch: pytest.MonkeyPatch,
                                                                       session) -> None:
    for query, extra in ((_query(tema="samtalen"), ""), (_query(tema="samtalen", nokkel="feil-nøkkel"), WRONG_KEY_TEXT)):
        monkeypatch.setenv("QUERY_STRING", query)
        shown = notebook_call()
        assert not isinstance(shown, PlenumView)
        page = shown._repr_html_()
        assert REFUSAL_TEXT in page and extra in page
        assert 'href="00-start.ipynb"' in page  # the start page is next to it in notebooks/
        assert "feil-nøkkel" not in page and keyed not in page
        assert "ts-plenum-notes" not in page and "For kursholdere" not in page and "avstemning" not in page.lower()
        assert "Traceback" not in page


def test_the_right_key_shows_the_view_and_keeps_the_key_out_of_its_state(keyed: str, monkeypatch: pytest.MonkeyPatch,
                                                                          session, store) -> None:
    monkeypatch.setenv("QUERY_STRING", _query(tema="samtalen", nokkel=keyed))
    view = notebook_call()
    assert isinstance(view, PlenumView)
    assert view.nav.theme == "samtalen" and view.nav.step["notes_html"]
    view.polls.on_start({})
    view.polls.on_ask({"key": "s0"} if view.polls.suggestions else {"custom": {"kind": "text", "text": "Ett ord?"}})
    for widget in (view.nav, view.polls, view.stage, view.box):
        assert keyed not in json.dumps(widget.get_state(), default=str)
    events = store.events(actor=f"PLENUM-{view.polls.code}")
    assert events and keyed not in json.dumps(events, default=str)


def test_the_facilitator_notebook_calls_the_checked_page() -> None:
    """The notebook calls ts.plenum(), which goes through the key check (not PlenumView directly)."""
    import nbformat

    nb = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks" / "plenum.ipynb", as_version=4)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert "ts.plenum()" in code and "PlenumView" not in code


# -- trygge serve ---------------------------------------------------------------------------------------------------


def test_serve_takes_the_key_from_the_argument_then_the_environment_then_makes_one() -> None:
    from widgets.cli import facilitator_key

    assert facilitator_key(" fra-argumentet ", {"TRYGGE_FACILITATOR_KEY": "fra-miljøet"}) == ("fra-argumentet", "argument")
    assert facilitator_key(None, {"TRYGGE_FACILITATOR_KEY": " fra-miljøet "}) == ("fra-miljøet", "environment")
    assert facilitator_key("", {"TRYGGE_FACILITATOR_KEY": "fra-miljøet"}) == ("fra-miljøet", "environment")
    first, source = facilitator_key(None, {"TRYGGE_FACILITATOR_KEY": ""})
    second, _ = facilitator_key(None, {})
    assert source == "new" and first != second and len(first) >= 20
    assert set(first) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_facilitator_url_and_voila_env() -> None:
    from widgets.voila_config import REPO_ROOT, facilitator_url, voila_env

    assert facilitator_url(8866, "a+b/c") == "http://127.0.0.1:8866/voila/render/notebooks/plenum.ipynb?nokkel=a%2Bb%2Fc"
    assert facilitator_url(9000, "k", "0.0.0.0", "kurs-a") == (
        "http://127.0.0.1:9000/kurs-a/voila/render/notebooks/plenum.ipynb?nokkel=k")
    assert voila_env(REPO_ROOT, facilitator_key="hemmelig")["TRYGGE_FACILITATOR_KEY"] == "hemmelig"
    assert "TRYGGE_FACILITATOR_KEY" not in voila_env(REPO_ROOT)
    # The address round-trips through the query string the kernel sees.
    query = facilitator_url(8866, KEY).partition("?")[2]
    assert facilitator_access(query, key=KEY) == "open"


class _FakeVoila:
    """Stands in for the Voilà process: records its environment, exits at once."""

    seen: ClassVar[list[dict]] = []

    def __init__(self, command, env=None, **_kwargs) -> None:
        self.command, self.env = command, env
        _FakeVoila.seen.append(env)

    def wait(self) -> int:
        return 0

    def send_signal(self, _signum) -> None:
        pass


def _serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, *argv: str) -> tuple[dict, str]:
    import signal

    from widgets import cli

    monkeypatch.setattr(cli.subprocess, "Popen", _FakeVoila)
    monkeypatch.setattr(signal, "signal", lambda *_a: None)
    _FakeVoila.seen = []
    args = cli.build_parser().parse_args(["serve", "--port", "8999", "--db-url",
                                          f"sqlite:///{tmp_path / 'results.sqlite'}", *argv])
    assert cli.cmd_serve(args) == 0
    (env,) = _FakeVoila.seen
    return env, capsys.readouterr().out


def test_serve_passes_the_key_to_voila_and_prints_the_facilitator_address(tmp_path: Path, capsys,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRYGGE_FACILITATOR_KEY", raising=False)
    env, out = _serve(tmp_path, monkeypatch, capsys, "--facilitator-key", "en-lang-nokkel-fra-kurset-1234")
    assert env["TRYGGE_FACILITATOR_KEY"] == "en-lang-nokkel-fra-kurset-1234"
    assert "Kursholdersiden (del ikke lenken med deltakerne):" in out
    assert "http://127.0.0.1:8999/voila/render/notebooks/plenum.ipynb?nokkel=en-lang-nokkel-fra-kurset-1234" in out
    assert "http://127.0.0.1:8999/voila/render/notebooks/00-start.ipynb" in out

    env, out = _serve(tmp_path, monkeypatch, capsys)  # nothing given: a new random key, printed
    made = env["TRYGGE_FACILITATOR_KEY"]
    assert len(made) >= 20 and f"plenum.ipynb?nokkel={made}" in out
    env_again, _ = _serve(tmp_path, monkeypatch, capsys)
    assert env_again["TRYGGE_FACILITATOR_KEY"] != made  # a new one at each start


def test_serve_does_not_repeat_a_key_from_the_environment(tmp_path: Path, capsys,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Under systemd the key is in /etc/trygge/trygge.env and what serve prints goes to the service log."""
    monkeypatch.setenv("TRYGGE_FACILITATOR_KEY", "nokkel-fra-trygge-env-5678")
    env, out = _serve(tmp_path, monkeypatch, capsys)
    assert env["TRYGGE_FACILITATOR_KEY"] == "nokkel-fra-trygge-env-5678"
    assert "nokkel-fra-trygge-env-5678" not in out
    assert "plenum.ipynb?nokkel=<nøkkelen>" in out and "TRYGGE_FACILITATOR_KEY" in out


def test_serve_warns_about_a_short_key(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    from widgets import cli

    monkeypatch.setattr(cli.subprocess, "Popen", _FakeVoila)
    monkeypatch.setattr("signal.signal", lambda *_a: None)
    args = cli.build_parser().parse_args(["serve", "--db-url", f"sqlite:///{tmp_path / 'r.sqlite'}",
                                          "--facilitator-key", "kort"])
    assert cli.cmd_serve(args) == 0
    assert "kursholdernøkkelen er kort" in capsys.readouterr().err


def test_trainer_mode_drops_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """JupyterLab has no address to carry the key: the facilitator notebook opens there as on any trainer's machine."""
    from widgets import trainer

    seen = []
    monkeypatch.setattr(trainer.subprocess, "Popen", lambda command, env=None, **_k: seen.append(env) or _FakeVoila([]))
    monkeypatch.setattr(trainer, "write_locale_settings", lambda root: None)
    monkeypatch.setattr("widgets.cli._course_dir", lambda _value: tmp_path)
    monkeypatch.setenv("TRYGGE_FACILITATOR_KEY", "nokkel-i-skallet")
    assert trainer.cmd_trainer(argparse.Namespace(course_dir=None, port=8899, no_browser=True)) == 0
    assert "TRYGGE_FACILITATOR_KEY" not in seen[0]
