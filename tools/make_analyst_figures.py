"""Make the analyst figures the README and docs/analysts.md show: real figures from `widgets.analytics`, drawn on
synthetic demo data (`trygge demo-data`'s generator, 400 learners in 8 organisations, seed 1), saved as small PNGs.

    .venv/bin/python tools/make_analyst_figures.py [--out docs/screenshots]

Uses a throw-away database in the temporary folder; nothing is written to the course's own results.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from widgets import analytics, demo_data
from widgets.store import Store

#: file name → the analytics function that draws it
FIGURES = {
    "analyse-trygghet.png": analytics.plot_confidence,
    "analyse-simulator.png": analytics.plot_simulator,
}
#: Keep the images small for the repository (checked after saving).
MAX_BYTES = 150_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'demo.sqlite'}")
        demo_data.generate(store, learners=400, orgs=8, seed=1)
        data = analytics.load(store)
        store.dispose()
    for name, plot in FIGURES.items():
        path = out / name
        plot(data).savefig(path, format="png", dpi=100, metadata={"Software": None})
        size = path.stat().st_size
        print(f"{path} ({size // 1000} kB)")
        if size > MAX_BYTES:
            raise SystemExit(f"{path} is {size} bytes; keep it under {MAX_BYTES}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
