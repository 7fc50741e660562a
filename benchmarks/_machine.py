"""What every benchmark prints and records: the machine, the date, and a results file in benchmarks/results/."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
    except OSError:
        pass
    return "unknown"


def machine() -> dict[str, str]:
    """The facts a reader needs to compare a result with their own machine."""
    load = os.getloadavg()
    return {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": f"{_cpu()}, {os.cpu_count()} cores, {_memory_gb()} RAM",
        "system": f"{platform.system()} {platform.release()}",
        "python": f"{sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}",
        "load average at start": f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} (1, 5, 15 min)",
    }


def header(title: str, info: dict[str, str] | None = None) -> str:
    """A Markdown title and the machine facts (``info`` as measured when the run started, else now)."""
    lines = [f"# {title}", ""]
    lines += [f"- **{k}**: {v}" for k, v in (info or machine()).items()]
    return "\n".join(lines) + "\n"


def table(columns: list[str], rows: list[list[object]]) -> str:
    out = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out) + "\n"


def record(name: str, text: str) -> Path:
    """Write ``benchmarks/results/<name>.md`` (written through a .tmp file, so a stopped run leaves no half file)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.md"
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
