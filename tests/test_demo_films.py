"""The films in data/themes/*/films.yaml: media present, captions valid and complete, transcripts complete.

For demo films (those with a `script`) the generated captions and transcripts must say exactly what the script
says, and the outputs must be up to date with the script (tools/make_demo_films.py --check). No kernel, no
ffmpeg: media durations are read from the MP4 `mvhd` box and the WebM `Info` element.
"""

from __future__ import annotations

import html
import importlib.util
import re
import struct
import sys
from pathlib import Path

import pytest
import webvtt
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
DEMO_NOTICE = "Demofilm – erstattes av ekte film"
DESCRIPTION_PREFIX = "[Synstolking]"
# Common bokmål words; Norwegian captions contain several of them.
BOKMAL_WORDS = {
    "og",
    "er",
    "det",
    "du",
    "som",
    "en",
    "på",
    "å",
    "til",
    "ikke",
    "har",
    "med",
    "om",
    "hva",
    "jeg",
}


def _films() -> list[tuple[str, dict]]:
    films = []
    for manifest in sorted(DATA.glob("themes/*/films.yaml")):
        doc = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
        films += [(manifest.parent.name, film) for film in doc.get("films") or []]
    return films


FILMS = _films()
SCRIPTED = [(theme, film) for theme, film in FILMS if film.get("script")]


def _ids(params):
    return [f"{theme}/{film.get('id')}" for theme, film in params]


def _local(src: str) -> Path | None:
    """The file a media path points to, or None for a web address."""
    return None if src.startswith(("http://", "https://")) else DATA / src


def _norm(text: str) -> str:
    return " ".join(str(text).split())


def _referenced(film: dict) -> list[str]:
    described = film.get("described") or {}
    paths = [s["src"] for s in film.get("sources") or []] + [s["src"] for s in described.get("sources") or []]
    paths += [film.get("poster"), film.get("captions"), described.get("captions"), film.get("transcript")]
    return [p for p in paths if p]


# --- media durations without ffprobe ------------------------------------------------------------------------


def mp4_duration(path: Path) -> float:
    """Duration from the movie header box (moov/mvhd)."""
    data = path.read_bytes()

    def boxes(start: int, end: int):
        pos = start
        while pos + 8 <= end:
            size, kind = struct.unpack(">I4s", data[pos : pos + 8])
            header = 8
            if size == 1:
                size, header = struct.unpack(">Q", data[pos + 8 : pos + 16])[0], 16
            elif size == 0:
                size = end - pos
            yield kind, pos + header, pos + size
            pos += size

    for kind, body, end in boxes(0, len(data)):
        if kind == b"moov":
            for inner, ibody, _ in boxes(body, end):
                if inner == b"mvhd":
                    if data[ibody] == 1:
                        timescale, duration = struct.unpack(">IQ", data[ibody + 20 : ibody + 32])
                    else:
                        timescale, duration = struct.unpack(">II", data[ibody + 12 : ibody + 20])
                    return duration / timescale
    raise AssertionError(f"{path}: no moov/mvhd box")


def _vint(data: bytes, pos: int, keep_marker: bool) -> tuple[int, int]:
    first = data[pos]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    return value, pos + length


def webm_duration(path: Path) -> float:
    """Duration from Segment/Info (Duration × TimecodeScale)."""
    data = path.read_bytes()
    pos = 0
    while pos < len(data):
        element, pos = _vint(data, pos, keep_marker=True)
        size, pos = _vint(data, pos, keep_marker=False)
        if element == 0x18538067:  # Segment: descend
            continue
        if element == 0x1549A966:  # Info
            scale, duration, inner, end = 1_000_000, None, pos, pos + size
            while inner < end:
                child, inner = _vint(data, inner, keep_marker=True)
                csize, inner = _vint(data, inner, keep_marker=False)
                body = data[inner : inner + csize]
                if child == 0x2AD7B1:
                    scale = int.from_bytes(body, "big")
                elif child == 0x4489:
                    duration = struct.unpack(">f" if csize == 4 else ">d", body)[0]
                inner += csize
            assert duration is not None, f"{path}: Info has no Duration"
            return duration * scale / 1e9
        pos += size
    raise AssertionError(f"{path}: no Segment/Info element")


def media_duration(path: Path) -> float:
    return webm_duration(path) if path.suffix == ".webm" else mp4_duration(path)


# --- captions --------------------------------------------------------------------------------------------


def read_captions(path: Path) -> list:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT"), f"{path}: must start with WEBVTT"
    captions = webvtt.read(str(path)).captions
    assert captions, f"{path}: no cues"
    return captions


def seconds(timestamp: str) -> float:
    """A WebVTT timestamp ([hh:]mm:ss.ttt) in seconds (webvtt-py's *_in_seconds drop the milliseconds)."""
    *hours, minutes, rest = timestamp.split(":")
    return int(hours[0] if hours else 0) * 3600 + int(minutes) * 60 + float(rest)


def check_cues(path: Path, captions: list) -> None:
    previous_end = 0.0
    for n, cue in enumerate(captions, 1):
        start, end = seconds(cue.start), seconds(cue.end)
        assert cue.text.strip(), f"{path}: cue {n} is empty"
        assert start < end, f"{path}: cue {n} ends before it starts"
        assert start >= previous_end - 0.0005, f"{path}: cue {n} overlaps the one before"
        assert end - start >= 0.8, f"{path}: cue {n} is shown for less than 0.8 s"
        previous_end = end
        assert all(len(line) <= 50 for line in cue.text.splitlines()), f"{path}: cue {n} has a too long line"
        assert len(cue.text.splitlines()) <= 2, f"{path}: cue {n} has more than two lines"
    words = set(re.findall(r"\w+", " ".join(c.text for c in captions).lower()))
    assert len(words & BOKMAL_WORDS) >= 3, f"{path}: does not look like Norwegian bokmål"


def cue_text(captions: list) -> str:
    return _norm(html.unescape(" ".join(c.text for c in captions)))


# --- every film -------------------------------------------------------------------------------------------


def test_there_are_films():
    assert FILMS, "no films found in data/themes/*/films.yaml"


@pytest.mark.parametrize(("theme", "film"), FILMS, ids=_ids(FILMS))
def test_media_files_exist(theme, film):
    assert film.get("sources"), "a film needs at least one source"
    assert (film.get("described") or {}).get("sources"), "a film needs an audio-described version"
    assert film.get("captions") and film["described"].get("captions"), "both versions need captions"
    assert film.get("transcript"), "a film needs a transcript"
    missing = [src for src in _referenced(film) if (path := _local(src)) and not path.is_file()]
    assert not missing, f"{theme}/{film['id']}: missing media files {missing}"


@pytest.mark.parametrize(("theme", "film"), FILMS, ids=_ids(FILMS))
def test_captions_are_valid_and_cover_the_film(theme, film):
    for captions_src, sources in (
        (film["captions"], film["sources"]),
        (film["described"]["captions"], film["described"]["sources"]),
    ):
        path = _local(captions_src)
        if path is None:
            continue
        captions = read_captions(path)
        check_cues(path, captions)
        for source in sources:
            media = _local(source["src"])
            if media is None or media.suffix not in (".webm", ".mp4"):
                continue
            duration = media_duration(media)
            assert abs(seconds(captions[-1].end) - duration) <= 1.5, (
                f"{captions_src}: last cue ends at {seconds(captions[-1].end):.1f} s, "
                f"{source['src']} lasts {duration:.1f} s"
            )


@pytest.mark.parametrize(("theme", "film"), FILMS, ids=_ids(FILMS))
def test_described_version_differs(theme, film):
    normal, described = _local(film["captions"]), _local(film["described"]["captions"])
    if normal is None or described is None:
        pytest.skip("captions on the web")
    assert cue_text(read_captions(described)) != cue_text(read_captions(normal))
    normal_src = {s["src"] for s in film["sources"]}
    assert not normal_src & {s["src"] for s in film["described"]["sources"]}, (
        "the described version is its own file"
    )


def test_no_temporary_files_among_the_media():
    stray = [
        str(p.relative_to(DATA))
        for p in DATA.glob("media/**/*")
        if p.name.startswith(".") or p.suffix == ".tmp"
    ]
    assert not stray, f"temporary or hidden files in data/media (delete them, do not commit them): {stray}"


# --- demo films: outputs match the script ------------------------------------------------------------------


@pytest.mark.parametrize(("theme", "film"), SCRIPTED, ids=_ids(SCRIPTED))
def test_demo_film_is_labelled(theme, film):
    assert film.get("demo") is True, "a film with a script is a demo film: set demo: true"
    first = film["script"][0]["slide"]
    assert DEMO_NOTICE in f"{first['title']}\n{first['text']}", f"the first slide must say «{DEMO_NOTICE}»"
    assert 5 <= len(film["script"]) <= 7, "a demo film has 5–7 slides"
    for n, item in enumerate(film["script"], 1):
        for key in ("say", "describe"):
            assert _norm(item.get(key, "")), f"slide {n} has no {key}"


@pytest.mark.parametrize(("theme", "film"), SCRIPTED, ids=_ids(SCRIPTED))
def test_captions_say_the_narration(theme, film):
    captions = read_captions(_local(film["captions"]))
    assert cue_text(captions) == _norm(" ".join(item["say"] for item in film["script"]))


@pytest.mark.parametrize(("theme", "film"), SCRIPTED, ids=_ids(SCRIPTED))
def test_described_captions_contain_the_descriptions(theme, film):
    captions = read_captions(_local(film["described"]["captions"]))
    marked = [c for c in captions if c.text.startswith(DESCRIPTION_PREFIX)]
    unmarked = [c for c in captions if not c.text.startswith(DESCRIPTION_PREFIX)]
    descriptions = _norm(" ".join(c.text.removeprefix(DESCRIPTION_PREFIX) for c in marked))
    assert descriptions == _norm(" ".join(item["describe"] for item in film["script"]))
    assert cue_text(unmarked) == _norm(" ".join(item["say"] for item in film["script"]))
    # Each slide's description is heard before its narration.
    first_say = _norm(film["script"][0]["say"]).split()[0]
    assert captions[0].text.startswith(DESCRIPTION_PREFIX) and unmarked[0].text.startswith(first_say)


@pytest.mark.parametrize(("theme", "film"), SCRIPTED, ids=_ids(SCRIPTED))
def test_transcript_has_speech_and_descriptions(theme, film):
    transcript = _norm(_local(film["transcript"]).read_text(encoding="utf-8"))
    assert transcript.startswith(_norm(film["title"]))
    for n, item in enumerate(film["script"], 1):
        assert _norm(item["say"]) in transcript, f"slide {n}: narration missing from the transcript"
        assert f"[Bilde: {_norm(item['describe'])}]" in transcript, f"slide {n}: description missing"


@pytest.mark.parametrize(("theme", "film"), SCRIPTED, ids=_ids(SCRIPTED))
def test_described_version_is_longer(theme, film):
    normal = [media_duration(p) for s in film["sources"] if (p := _local(s["src"]))]
    described = [media_duration(p) for s in film["described"]["sources"] if (p := _local(s["src"]))]
    assert max(normal) - min(normal) < 0.25 and max(described) - min(described) < 0.25, (
        "formats differ in length"
    )
    assert min(described) > max(normal) + 2 * len(film["script"]), (
        "the described version adds a description per slide"
    )


def _generator():
    spec = importlib.util.spec_from_file_location("make_demo_films", ROOT / "tools" / "make_demo_films.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("theme", sorted({theme for theme, _ in SCRIPTED}))
def test_demo_films_are_up_to_date(theme):
    generator = _generator()
    sidecar = generator.read_sidecar(DATA / "media" / theme / generator.SIDECAR_NAME)
    stale = [f.id for f in generator.load_films(DATA, theme) if not generator.is_up_to_date(f, sidecar)]
    assert not stale, f"run `python tools/make_demo_films.py --theme {theme}` and commit the output: {stale}"


# --- the helpers above must be able to fail ---------------------------------------------------------------


def test_cue_checks_catch_overlap_and_foreign_text(tmp_path):
    bad = tmp_path / "bad.vtt"
    bad.write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nog det er du\n\n00:00:01.000 --> 00:00:03.000\nsom en på\n",
        encoding="utf-8",
    )
    with pytest.raises(AssertionError, match="overlaps"):
        check_cues(bad, read_captions(bad))
    english = tmp_path / "english.vtt"
    english.write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nThis is the English text\n", encoding="utf-8"
    )
    with pytest.raises(AssertionError, match="bokmål"):
        check_cues(english, read_captions(english))
