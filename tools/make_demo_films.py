#!/usr/bin/env python3
"""Render the demo films of the course from the ``script`` in ``data/themes/<theme>/films.yaml``.

A demo film is a row of still slides with synthetic Norwegian speech (espeak-ng). For every film with a
``script`` this tool writes, at the paths the film's manifest names:

* the normal version (WebM VP9/Opus and/or MP4 H.264/AAC) and its captions (WebVTT),
* the audio-described version (its own video files: each slide's description is spoken before its
  narration) and its captions, where the descriptions are marked «[Synstolking]»,
* the transcript (title, then per slide «[Bilde: …]» and the narration) and the poster (the first slide).

The outputs are committed, so learners and CI never need espeak-ng or ffmpeg; trainers and developers who
change a ``script`` run this tool. A film is rebuilt only when its script, its output paths or the render
settings changed (a hash stored in ``data/media/<theme>/demo-films.json``) or when ``--force`` is given.
``--check`` only reports which films are out of date and needs neither tool.

Usage::

    python tools/make_demo_films.py                     # every theme with demo-film scripts
    python tools/make_demo_films.py --theme samtalen --force
    python tools/make_demo_films.py --check             # exit 1 if a film must be regenerated
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# Bump when a change to this file changes what the outputs look or sound like; every film is then rebuilt.
GENERATOR_VERSION = 1

# Everything that shapes the outputs goes into the film's hash (see `film_hash`).
SETTINGS = {
    "generator_version": GENERATOR_VERSION,
    # 960x540 keeps large text sharp; each slide costs one key frame (about 12 KB), the rest is audio.
    "size": (960, 540),
    "fps": 2,  # still slides: a low frame rate keeps the files small; slide changes fall on frame boundaries
    "voice": "nb",
    "words_per_minute": 165,
    "pause_after_narration": 0.5,  # seconds of silence after each spoken clip
    # Synthetic speech needs little: 16 kHz mono. Opus in 60 ms frames halves the WebM container overhead;
    # ffmpeg's AAC encoder overshoots low targets on this material (12k gives about 17 kbit/s).
    "audio_rate": 16000,
    "webm": {"crf": 56, "audio_bitrate": "12k"},
    # Constant QP with equal I/P quality: the key frame of a still slide is the only costly frame, and the
    # frames after it are skipped blocks (CRF with mb-tree would spend twice as much on the key frame).
    "mp4": {"qp": 35, "audio_bitrate": "12k"},
    "caption_chars": 84,  # at most two lines of about 42 characters
    "caption_line_chars": 42,
}

DESCRIPTION_PREFIX = "[Synstolking]"
SIDECAR_NAME = "demo-films.json"
DEMO_LABEL = "DEMOFILM"
FOOTER_TEXT = "Trygge samtaler"

COLORS = {
    "background": "#0f2740",  # dark navy; white text on it has a contrast ratio of about 15:1
    "text": "#ffffff",
    "muted": "#c9d6e3",
    "accent": "#ffd35c",
    "label_text": "#111111",
}

FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
]

# espeak-ng reads «113» as «hundre og tretten» and «OARS» as a Norwegian word; say them the way people do.
# Only the spoken text is changed; captions and transcripts keep the written form.
PRONUNCIATIONS = [
    (re.compile(r"\b(11[0-3]|116 ?\d{3}|0\d{4})\b"), lambda m: " ".join(m.group(0).replace(" ", ""))),
    (re.compile(r"\bOARS\b"), lambda m: "O A R S"),
]

VIDEO_TYPES = {"video/webm": "webm", "video/mp4": "mp4"}
EXPECTED_CODECS = {"webm": ("vp9", "opus"), "mp4": ("h264", "aac")}


class DemoFilmError(Exception):
    """A film cannot be generated: bad script, missing tool or a failed encoding. The message says why."""


# ---------------------------------------------------------------------------------------------------------
# Reading the manifests


@dataclass
class Slide:
    """One slide of a demo film: what is on screen, what is said and how the screen is described."""

    title: str
    text: str
    say: str
    describe: str


@dataclass
class Film:
    """A film with a script, and where its outputs go (absolute paths)."""

    theme: str
    id: str
    title: str
    entry: dict  # the film's manifest entry, for the hash
    slides: list[Slide]
    sources: list[tuple[Path, str]]  # (path, "webm" | "mp4")
    described_sources: list[tuple[Path, str]]
    captions: Path
    described_captions: Path
    transcript: Path
    poster: Path

    @property
    def outputs(self) -> list[Path]:
        paths = [p for p, _ in self.sources] + [p for p, _ in self.described_sources]
        return paths + [self.captions, self.described_captions, self.transcript, self.poster]


def _clean(text: object) -> str:
    """Collapse the whitespace of a single-paragraph YAML string."""
    return " ".join(str(text).split())


def _local_path(data_dir: Path, where: str, value: object) -> Path:
    if not isinstance(value, str) or not value:
        raise DemoFilmError(f"{where}: expected a path relative to data/, got {value!r}")
    if value.startswith(("http://", "https://")):
        raise DemoFilmError(
            f"{where}: a demo film is generated locally; use a path under media/, not {value}"
        )
    path = (data_dir / value).resolve()
    if data_dir.resolve() not in path.parents:
        raise DemoFilmError(f"{where}: {value} points outside data/")
    return path


def _video_sources(data_dir: Path, where: str, sources: object) -> list[tuple[Path, str]]:
    if not isinstance(sources, list) or not sources:
        raise DemoFilmError(f"{where}: expected a list of {{src, type}}")
    result = []
    for i, source in enumerate(sources):
        kind = VIDEO_TYPES.get((source or {}).get("type", ""))
        if kind is None:
            raise DemoFilmError(f"{where}[{i}]: type must be one of {', '.join(VIDEO_TYPES)}")
        result.append((_local_path(data_dir, f"{where}[{i}].src", source.get("src")), kind))
    return result


def load_films(data_dir: Path, theme: str) -> list[Film]:
    """The films of `theme` that have a `script`, with their output paths resolved."""
    manifest = data_dir / "themes" / theme / "films.yaml"
    if not manifest.is_file():
        raise DemoFilmError(f"{manifest}: not found (is {theme!r} a theme id?)")
    with manifest.open(encoding="utf-8") as f:
        doc = yaml.safe_load(f) or {}
    films = []
    for n, entry in enumerate(doc.get("films") or []):
        if not entry.get("script"):
            continue
        where = f"{manifest}: films[{n}] ({entry.get('id', '?')})"
        slides = []
        for i, item in enumerate(entry["script"]):
            slide = (item or {}).get("slide") or {}
            missing = [k for k in ("title", "text") if not slide.get(k)] + [
                k for k in ("say", "describe") if not (item or {}).get(k)
            ]
            if missing:
                raise DemoFilmError(f"{where}: script[{i}] is missing {', '.join(missing)}")
            slides.append(
                Slide(
                    title=_clean(slide["title"]),
                    text=str(slide["text"]).strip(),
                    say=_clean(item["say"]),
                    describe=_clean(item["describe"]),
                )
            )
        described = entry.get("described") or {}
        try:
            films.append(
                Film(
                    theme=theme,
                    id=entry["id"],
                    title=_clean(entry["title"]),
                    entry=entry,
                    slides=slides,
                    sources=_video_sources(data_dir, f"{where}: sources", entry.get("sources")),
                    described_sources=_video_sources(
                        data_dir, f"{where}: described.sources", described.get("sources")
                    ),
                    captions=_local_path(data_dir, f"{where}: captions", entry.get("captions")),
                    described_captions=_local_path(
                        data_dir, f"{where}: described.captions", described.get("captions")
                    ),
                    transcript=_local_path(data_dir, f"{where}: transcript", entry.get("transcript")),
                    poster=_local_path(data_dir, f"{where}: poster", entry.get("poster")),
                )
            )
        except KeyError as e:
            raise DemoFilmError(f"{where}: missing {e.args[0]}") from None
    return films


def themes_with_scripts(data_dir: Path) -> list[str]:
    """Ids of the themes whose films.yaml has at least one film with a script."""
    found = []
    for manifest in sorted((data_dir / "themes").glob("*/films.yaml")):
        doc = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
        if any(film.get("script") for film in doc.get("films") or []):
            found.append(manifest.parent.name)
    return found


# ---------------------------------------------------------------------------------------------------------
# Up-to-date check


# The parts of a film's manifest entry its outputs are made from (not `description`: only the page shows it).
HASHED_KEYS = ("id", "title", "script", "sources", "described", "captions", "transcript", "poster")


def film_hash(film: Film) -> str:
    """Hash of everything the film's outputs are made from."""
    made_from = {key: film.entry.get(key) for key in HASHED_KEYS}
    payload = json.dumps({"film": made_from, "settings": SETTINGS}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def read_sidecar(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def is_up_to_date(film: Film, sidecar: dict) -> bool:
    recorded = (sidecar.get("films") or {}).get(film.id) or {}
    return recorded.get("hash") == film_hash(film) and all(p.is_file() for p in film.outputs)


# ---------------------------------------------------------------------------------------------------------
# Slides


def find_font(bold: bool) -> Path | None:
    """DejaVu Sans from the system, else the copy bundled with matplotlib."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return folder / name
    try:
        import matplotlib

        bundled = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
        return bundled if bundled.is_file() else None
    except ImportError:
        return None


class SlideRenderer:
    """Draws slides as high-contrast PNGs with large text and a «DEMOFILM» label."""

    def __init__(self, size: tuple[int, int]):
        try:
            from PIL import Image, ImageDraw, ImageFont
        except ImportError:
            raise DemoFilmError("Pillow is missing: pip install pillow") from None
        self.Image, self.ImageDraw, self.ImageFont = Image, ImageDraw, ImageFont
        self.width, self.height = size
        self.regular_path, self.bold_path = find_font(bold=False), find_font(bold=True)
        if self.regular_path is None or self.bold_path is None:
            raise DemoFilmError("DejaVu Sans not found: install fonts-dejavu-core (apt) or matplotlib (pip)")
        self.margin = round(self.width * 0.07)

    def font(self, bold: bool, size: int):
        return self.ImageFont.truetype(str(self.bold_path if bold else self.regular_path), size)

    def wrap(self, text: str, font, width: int) -> list[tuple[str, int]]:
        """Lines of `text` that fit `width` pixels, as (line, x offset); list items get a hanging indent."""
        lines = []
        for paragraph in text.splitlines():
            paragraph = paragraph.strip()
            if not paragraph:
                continue
            marker = re.match(r"^(•|–|-|\d+\.)\s+", paragraph)
            indent = round(font.getlength(marker.group(0))) if marker else 0
            words = paragraph.split()
            line, offset = words[0], 0
            for word in words[1:]:
                candidate = f"{line} {word}"
                if font.getlength(candidate) <= width - offset:
                    line = candidate
                else:
                    lines.append((line, offset))
                    line, offset = word, indent
            lines.append((line, offset))
        return lines

    def render(self, slide: Slide, number: int, count: int, path: Path) -> None:
        W, H, m = self.width, self.height, self.margin
        image = self.Image.new("RGB", (W, H), COLORS["background"])
        draw = self.ImageDraw.Draw(image)
        scale = H / 720

        draw.rectangle([0, 0, round(14 * scale), H], fill=COLORS["accent"])

        label_font = self.font(True, round(28 * scale))
        pad_x, pad_y = round(16 * scale), round(9 * scale)
        lw = label_font.getlength(DEMO_LABEL)
        ascent, descent = label_font.getmetrics()
        box = [
            W - m - lw - 2 * pad_x,
            round(30 * scale),
            W - m,
            round(30 * scale) + ascent + descent + 2 * pad_y,
        ]
        draw.rounded_rectangle(box, radius=round(6 * scale), fill=COLORS["accent"])
        draw.text((box[0] + pad_x, box[1] + pad_y), DEMO_LABEL, font=label_font, fill=COLORS["label_text"])

        footer_font = self.font(False, round(26 * scale))
        footer_y = H - round(56 * scale)
        draw.text((m, footer_y), FOOTER_TEXT, font=footer_font, fill=COLORS["muted"])
        counter = f"{number} / {count}"
        draw.text(
            (W - m - footer_font.getlength(counter), footer_y),
            counter,
            font=footer_font,
            fill=COLORS["muted"],
        )

        top, bottom, width = box[3] + round(28 * scale), footer_y - round(24 * scale), W - 2 * m
        # Shrink the text only as far as stays readable; past that the author must shorten the slide.
        for title_size, body_size in [(60, 40), (56, 38), (52, 36), (50, 34), (48, 32)]:
            title_font = self.font(True, round(title_size * scale))
            body_font = self.font(False, round(body_size * scale))
            title_lines = self.wrap(slide.title, title_font, width)
            body_lines = self.wrap(slide.text, body_font, width)
            title_step, body_step = round(title_size * 1.2 * scale), round(body_size * 1.4 * scale)
            gap = round(36 * scale)
            needed = len(title_lines) * title_step + gap + len(body_lines) * body_step
            too_wide = any(title_font.getlength(line) > width for line, _ in title_lines) or any(
                body_font.getlength(line) + offset > width for line, offset in body_lines
            )  # a single word longer than the line
            if needed <= bottom - top and not too_wide:
                break
        else:
            raise DemoFilmError(f"slide {number} ({slide.title!r}) has too much text; shorten title or text")

        y = top
        for line, _ in title_lines:
            draw.text((m, y), line, font=title_font, fill=COLORS["text"])
            y += title_step
        y += gap
        draw.line([m, y - gap // 2, m + round(120 * scale), y - gap // 2], fill=COLORS["accent"], width=4)
        for line, offset in body_lines:
            draw.text((m + offset, y), line, font=body_font, fill=COLORS["text"])
            y += body_step
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, optimize=True)

    def save_poster(self, slide_png: Path, poster: Path) -> None:
        """The first slide as a small palette PNG (flat colours and anti-aliased text survive 64 colours)."""
        with self.Image.open(slide_png) as image:
            small = image.quantize(colors=64, dither=self.Image.Dither.NONE)
            poster.parent.mkdir(parents=True, exist_ok=True)
            small.save(poster, optimize=True)


# ---------------------------------------------------------------------------------------------------------
# Speech


@dataclass
class Clip:
    """A spoken piece of text and its audio frames (16-bit mono PCM)."""

    text: str
    frames: bytes
    rate: int

    @property
    def duration(self) -> float:
        return len(self.frames) / 2 / self.rate


def spoken_form(text: str) -> str:
    for pattern, replace in PRONUNCIATIONS:
        text = pattern.sub(replace, text)
    return text


def speak(text: str, workdir: Path, name: str) -> Clip:
    """Synthesize `text` with espeak-ng and read the WAV back."""
    txt, wav_path = workdir / f"{name}.txt", workdir / f"{name}.wav"
    txt.write_text(spoken_form(text), encoding="utf-8")
    voice, speed = SETTINGS["voice"], SETTINGS["words_per_minute"]
    run(["espeak-ng", "-v", voice, "-s", str(speed), "-b", "1", "-f", str(txt), "-w", str(wav_path)])
    with wave.open(str(wav_path), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise DemoFilmError(f"espeak-ng wrote an unexpected WAV format for {name}")
        return Clip(text=text, frames=w.readframes(w.getnframes()), rate=w.getframerate())


# ---------------------------------------------------------------------------------------------------------
# Timeline and captions


@dataclass
class Cue:
    """A caption: seconds from the start of the film, and one or two lines of text."""

    start: float
    end: float
    text: str


@dataclass
class Timeline:
    """One version of a film: the audio, how long each slide is shown, and the caption cues."""

    rate: int
    audio: bytearray = field(default_factory=bytearray)
    slide_durations: list[float] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return len(self.audio) / 2 / self.rate


def split_sentences(text: str) -> list[str]:
    """Split after ., ! , ? or … (optionally followed by a closing quote) when a new sentence follows."""
    parts = re.split(r"(?:(?<=[.!?…])|(?<=[.!?…]»))\s+(?=[«A-ZÆØÅ0-9])", text)
    return [p.strip() for p in parts if p and p.strip()]


def split_long(text: str, limit: int) -> list[str]:
    """Split `text` into chunks of at most `limit` characters, at the most balanced break.

    A clause break («, », «: », «; », « – ») is preferred over a plain word break unless it leaves a much
    shorter piece: the score of a cut is the length of its longer side, plus a penalty for a word break.
    """
    if len(text) <= limit:
        return [text]
    cuts = {m.end(): 0 for m in re.finditer(r" ", text)}
    cuts.update({m.end(): -12 for m in re.finditer(r"[,;:]\s|\s–\s", text)})
    if not cuts:
        return [text]
    cut = min(cuts, key=lambda c: (max(len(text[:c].strip()), len(text[c:].strip())) + 12 + cuts[c], c))
    return split_long(text[:cut].strip(), limit) + split_long(text[cut:].strip(), limit)


def break_lines(text: str, line_chars: int) -> str:
    """Break a cue into at most two lines at the most balanced space."""
    if len(text) <= line_chars:
        return text
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    if not spaces:
        return text
    cut = min(spaces, key=lambda i: max(i, len(text) - i - 1))
    return text[:cut] + "\n" + text[cut + 1 :]


def caption_chunks(text: str, prefix: str = "") -> list[str]:
    """Cue texts for a narration: sentence by sentence, long sentences split to fit two lines."""
    limit = SETTINGS["caption_chars"] - (len(prefix) + 1 if prefix else 0)
    chunks = [c for sentence in split_sentences(text) for c in split_long(sentence, limit)]
    return [f"{prefix} {c}" if prefix else c for c in chunks]


def add_clip(timeline: Timeline, clip: Clip, prefix: str = "") -> float:
    """Append a clip and the pause after it; cue timing is proportional to characters within the speech."""
    start = timeline.duration
    timeline.audio += clip.frames
    timeline.audio += b"\x00\x00" * round(SETTINGS["pause_after_narration"] * timeline.rate)
    chunks = caption_chunks(clip.text, prefix)
    weights = [len(c) - (len(prefix) + 1 if prefix else 0) for c in chunks]
    total, done = sum(weights), 0
    for chunk, weight in zip(chunks, weights, strict=True):
        begin = start + clip.duration * done / total
        done += weight
        end = start + clip.duration * done / total
        timeline.cues.append(Cue(begin, end, break_lines(chunk, SETTINGS["caption_line_chars"])))
    # The last cue stays up through the pause, so the captions have no gaps.
    timeline.cues[-1].end = timeline.duration
    return start


def end_slide(timeline: Timeline, slide_start: float) -> None:
    """Pad the audio so the slide lasts a whole number of video frames, and record its duration."""
    frame = timeline.rate // SETTINGS["fps"]
    samples = len(timeline.audio) // 2
    timeline.audio += b"\x00\x00" * (math.ceil(samples / frame) * frame - samples)
    if timeline.cues:
        timeline.cues[-1].end = timeline.duration
    timeline.slide_durations.append(timeline.duration - slide_start)


def build_timeline(clips: list[list[tuple[Clip, str]]], rate: int) -> Timeline:
    """`clips[i]` are the (clip, caption prefix) pairs spoken while slide i is shown."""
    timeline = Timeline(rate=rate)
    for slide_clips in clips:
        start = timeline.duration
        for clip, prefix in slide_clips:
            add_clip(timeline, clip, prefix)
        end_slide(timeline, start)
    return timeline


def timestamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def webvtt(cues: list[Cue], note: str) -> str:
    blocks = ["WEBVTT\nKind: captions\nLanguage: nb", f"NOTE\n{note}"]
    for n, cue in enumerate(cues, 1):
        text = cue.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append(f"{n}\n{timestamp(cue.start)} --> {timestamp(cue.end)}\n{text}")
    return "\n\n".join(blocks) + "\n"


def transcript(film: Film) -> str:
    lines = [film.title, "", "Demofilm – erstattes av ekte film. Tekst til filmen og synstolkingen.", ""]
    for n, slide in enumerate(film.slides, 1):
        lines += [f"Bilde {n}: {slide.title}", f"[Bilde: {slide.describe}]", slide.say, ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------
# Encoding


def run(cmd: list[str]) -> str:
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise DemoFilmError(f"{cmd[0]} is not installed") from None
    if result.returncode != 0:
        raise DemoFilmError(
            f"{cmd[0]} failed ({result.returncode}):\n{' '.join(cmd)}\n{result.stderr[-2000:]}"
        )
    return result.stdout


def write_wav(path: Path, timeline: Timeline) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(timeline.rate)
        w.writeframes(bytes(timeline.audio))


def encode(slide_pngs: list[Path], timeline: Timeline, wav: Path, out: Path, kind: str) -> None:
    """Encode the slides (each shown for its duration) and the audio into a WebM or MP4 file at `out`."""
    fps, settings = SETTINGS["fps"], SETTINGS[kind]
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"]
    for png, duration in zip(slide_pngs, timeline.slide_durations, strict=True):
        cmd += ["-loop", "1", "-framerate", str(fps), "-t", f"{duration:.6f}", "-i", str(png)]
    n = len(slide_pngs)
    cmd += ["-i", str(wav)]
    graph = "".join(f"[{i}:v]" for i in range(n)) + f"concat=n={n}:v=1:a=0,format=yuv420p[v]"
    # A key frame where each slide starts, none in between (a still slide needs no refresh).
    starts = [sum(timeline.slide_durations[:i]) for i in range(n)]
    cmd += ["-filter_complex", graph, "-force_key_frames", ",".join(f"{t:.3f}" for t in starts)]
    # bitexact + no metadata: the same input gives byte-identical files.
    cmd += (
        f"-map [v] -map {n}:a -r {fps} -g 9999 -ac 1 -ar {SETTINGS['audio_rate']} -t {timeline.duration:.6f} "
        "-map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact -threads 1"
    ).split()
    if kind == "webm":
        cmd += (
            f"-c:v libvpx-vp9 -crf {settings['crf']} -b:v 0 -deadline good -cpu-used 2 "
            f"-c:a libopus -b:a {settings['audio_bitrate']} -application voip -frame_duration 60 -f webm"
        ).split()
    else:
        cmd += (
            f"-c:v libx264 -profile:v high -preset veryslow -tune stillimage -qp {settings['qp']} "
            f"-x264-params ipratio=1.0 -c:a aac -b:a {settings['audio_bitrate']} -movflags +faststart -f mp4"
        ).split()
    run([*cmd, str(out)])


def install(src: Path, out: Path) -> None:
    """Copy a finished file into place; the temporary copy beside `out` exists only for the copy itself."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def probe(path: Path) -> dict:
    """Codec and end time (last packet) of the video and the audio stream, from ffprobe."""
    entries = ["-show_entries", "stream=index,codec_type,codec_name,pix_fmt"]
    entries += ["-show_entries", "packet=stream_index,pts_time,duration_time"]
    info = json.loads(run(["ffprobe", "-v", "error", *entries, "-of", "json", str(path)]))
    streams = {s["index"]: s for s in info.get("streams", [])}
    result = {}
    for stream in streams.values():
        ends = [
            float(p["pts_time"]) + float(p.get("duration_time") or 0)
            for p in info.get("packets", [])
            if p["stream_index"] == stream["index"] and "pts_time" in p
        ]
        result[stream["codec_type"]] = {
            "codec": stream["codec_name"],
            "pix_fmt": stream.get("pix_fmt"),
            "end": max(ends, default=0.0),
        }
    return result


def verify(path: Path, kind: str, duration: float) -> None:
    """Fail unless the file has a video and an audio stream of the right codecs, as long as the timeline."""
    streams = probe(path)
    video_codec, audio_codec = EXPECTED_CODECS[kind]
    video, audio = streams.get("video"), streams.get("audio")
    problems = []
    if not video or video["codec"] != video_codec or video["pix_fmt"] != "yuv420p":
        problems.append(f"video stream is {video}, expected {video_codec} yuv420p")
    if not audio or audio["codec"] != audio_codec:
        problems.append(f"audio stream is {audio}, expected {audio_codec}")
    for name, stream in (("video", video), ("audio", audio)):
        if stream and abs(stream["end"] - duration) > 0.15:
            problems.append(f"{name} ends at {stream['end']:.3f} s, the film is {duration:.3f} s")
    if problems:
        raise DemoFilmError(f"{path}: " + "; ".join(problems))


# ---------------------------------------------------------------------------------------------------------
# One film


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_film(film: Film, renderer: SlideRenderer) -> dict:
    """Render, speak, time and encode one film; return what the sidecar records about it."""
    with tempfile.TemporaryDirectory(prefix=f"demofilm-{film.id}-") as tmp:
        work = Path(tmp)
        pngs = []
        for n, slide in enumerate(film.slides, 1):
            png = work / f"slide{n:02d}.png"
            renderer.render(slide, n, len(film.slides), png)
            pngs.append(png)
        renderer.save_poster(pngs[0], film.poster)

        says = [speak(s.say, work, f"say{n:02d}") for n, s in enumerate(film.slides, 1)]
        describes = [speak(s.describe, work, f"describe{n:02d}") for n, s in enumerate(film.slides, 1)]
        rates = {c.rate for c in says + describes}
        if len(rates) != 1 or next(iter(rates)) % SETTINGS["fps"]:
            raise DemoFilmError(f"unexpected espeak-ng sample rates {rates}")
        rate = rates.pop()

        normal = build_timeline([[(say, "")] for say in says], rate)
        described = build_timeline(
            [[(desc, DESCRIPTION_PREFIX), (say, "")] for desc, say in zip(describes, says, strict=True)], rate
        )
        note = f"Demofilm – erstattes av ekte film. Laget med tools/make_demo_films.py: {film.title}"
        write_text(film.captions, webvtt(normal.cues, note))
        write_text(film.described_captions, webvtt(described.cues, note + " (synstolket versjon)"))
        write_text(film.transcript, transcript(film))

        jobs = []
        for timeline, sources, name in (
            (normal, film.sources, "normal"),
            (described, film.described_sources, "described"),
        ):
            wav = work / f"{name}.wav"
            write_wav(wav, timeline)
            jobs += [(timeline, wav, path, kind) for path, kind in sources]

        def encode_and_verify(job):
            timeline, wav, path, kind = job
            # Encode in the work folder: a half-written or broken file never sits among the media.
            encoded = work / f"{wav.stem}-{path.name}"
            encode(pngs, timeline, wav, encoded, kind)
            verify(encoded, kind, timeline.duration)
            install(encoded, path)

        # Each encoder runs single-threaded (the same output on every machine); encode the files side by side.
        with ThreadPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:
            for _ in pool.map(encode_and_verify, jobs):
                pass
        return {
            "hash": film_hash(film),
            "duration": round(normal.duration, 3),
            "described_duration": round(described.duration, 3),
        }


# ---------------------------------------------------------------------------------------------------------
# Command line


def require_tools() -> None:
    missing = [tool for tool in ("espeak-ng", "ffmpeg", "ffprobe") if shutil.which(tool) is None]
    if missing:
        raise DemoFilmError(
            f"missing {', '.join(missing)}. The demo-film generator needs espeak-ng (with the Norwegian "
            "voice 'nb') and ffmpeg (with libvpx-vp9, libopus and libx264), "
            "e.g. `apt-get install espeak-ng ffmpeg`. "
            "Learners and CI do not need them: the generated films are committed."
        )
    voices = run(["espeak-ng", f"--voices={SETTINGS['voice']}"])
    if not re.search(rf"^\s*\d+\s+{SETTINGS['voice']}\s", voices, re.MULTILINE):
        raise DemoFilmError(f"espeak-ng has no voice {SETTINGS['voice']!r}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--theme",
        action="append",
        metavar="ID",
        help="theme id (repeatable); default: every theme whose films.yaml has scripts",
    )
    parser.add_argument(
        "--course-dir",
        type=Path,
        default=Path(__file__).resolve().parents[1],
        help="course directory with data/ (default: the repository root)",
    )
    parser.add_argument("--force", action="store_true", help="rebuild films that are up to date")
    parser.add_argument(
        "--check",
        action="store_true",
        help="only report films whose outputs are missing or out of date; exit 1 if any",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir = args.course_dir / "data"
    try:
        if not data_dir.is_dir():
            raise DemoFilmError(f"{data_dir}: not found; --course-dir must contain data/")
        themes = args.theme or themes_with_scripts(data_dir)
        if not themes:
            print("No films with a script found.")
            return 0
        if not args.check:
            require_tools()
            renderer = SlideRenderer(SETTINGS["size"])
        stale = 0
        for theme in themes:
            sidecar_path = data_dir / "media" / theme / SIDECAR_NAME
            sidecar = read_sidecar(sidecar_path)
            films = load_films(data_dir, theme)
            if not films:
                print(f"{theme}: no films with a script")
            for film in films:
                if is_up_to_date(film, sidecar) and not args.force:
                    print(f"{theme}/{film.id}: up to date")
                    continue
                if args.check:
                    print(f"{theme}/{film.id}: out of date — run tools/make_demo_films.py --theme {theme}")
                    stale += 1
                    continue
                started = time.monotonic()
                record = make_film(film, renderer)
                sidecar.setdefault("films", {})[film.id] = record
                sidecar["generator_version"] = GENERATOR_VERSION
                write_text(
                    sidecar_path, json.dumps(sidecar, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
                )
                size = sum(p.stat().st_size for p in film.outputs)
                print(
                    f"{theme}/{film.id}: {record['duration']:.1f} s "
                    f"(synstolket {record['described_duration']:.1f} s), {size / 1024:.0f} KB, "
                    f"{time.monotonic() - started:.1f} s"
                )
        return 1 if stale else 0
    except DemoFilmError as e:
        print(f"make_demo_films: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
