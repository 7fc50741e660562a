"""A scenario as a diagram, for trainers: Mermaid text, Graphviz DOT text, or an SVG laid out here (no CDN, no tools).

    trygge scenario diagram samtalen/forste-kontakt                  # SVG on stdout
    trygge scenario diagram samtalen/forste-kontakt --format mermaid
    trygge scenario diagram samtalen/forste-kontakt --format dot | dot -Tpng > forste-kontakt.png

In a trainer's notebook cell (tagged ``trener``)::

    from widgets.simulation.diagram import show
    show("samtalen/forste-kontakt")

Solid arrows are suggested replies (``choices``, «forslag 1»), dashed arrows free text only (``routes``; «✎» and
the condition). Hover an arrow for its full label.
Green boxes are good ends, red boxes «caller left», a ⚠ marks a node where the caller shows signs (``signs``).
A target that does not exist is drawn as a red dashed box, so a broken scenario can still be looked at.
The SVG layout: nodes in layers by their distance from the start, the ends in a row at the bottom, ordered within a
layer by where their neighbours are (two barycentre sweeps); arrows that go back up are drawn round the right.
"""

from __future__ import annotations

import dataclasses
import html
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any

from .engine import END_TITLES

GOOD_ENDS = {"safety_plan", "referred", "good_close"}
_SHORT = {
    "open_question": "åpent spm.", "closed_question": "lukket spm.", "reflection": "refleksjon",
    "affirmation": "anerkjennelse", "summary": "oppsummering", "suicide_question": "spør om selvmord",
    "advice": "råd", "minimizing": "bagatellisering", "referral": "viser videre", "safety_planning": "sikkerhet",
}


@dataclasses.dataclass
class Edge:
    source: str
    target: str
    choices: list[int]
    routes: list[str]

    def label(self) -> str:
        """«forslag 1, 2 · ✎ refleksjon / åpent spm.» (✎: a free-text route and its condition)."""
        parts = []
        if self.choices:
            parts.append("forslag " + ", ".join(str(i + 1) for i in self.choices))
        if self.routes:
            parts.append("✎ " + " | ".join(self.routes))
        return " · ".join(parts)

    @property
    def free_only(self) -> bool:
        return not self.choices


def condition_text(when: dict[str, Any] | None) -> str:
    """A route's ``when`` in short Norwegian («åpent spm. / refleksjon», «ellers»)."""
    if not when:
        return "ellers"
    parts = []
    if when.get("any"):
        parts.append(" / ".join(_SHORT.get(x, x) for x in when["any"]))
    if when.get("all"):
        parts.append(" + ".join(_SHORT.get(x, x) for x in when["all"]))
    if when.get("none"):
        parts.append("ikke " + " / ".join(_SHORT.get(x, x) for x in when["none"]))
    for name, expression in (when.get("state") or {}).items():
        parts.append(f"{name} {expression}")
    return ", ".join(parts)


def edges(scenario: dict[str, Any]) -> list[Edge]:
    """The arrows, one per (from, to) pair, with the suggested replies and routes that take it."""
    out: dict[tuple[str, str], Edge] = {}
    for name, node in scenario["nodes"].items():
        for i, choice in enumerate(node.get("choices", [])):
            out.setdefault((name, choice["next"]), Edge(name, choice["next"], [], [])).choices.append(i)
        for route in node.get("routes", []):
            out.setdefault((name, route["next"]), Edge(name, route["next"], [], [])).routes.append(
                condition_text(route.get("when")))
    return list(out.values())


def _missing(scenario: dict[str, Any]) -> list[str]:
    nodes = scenario["nodes"]
    return sorted({e.target for e in edges(scenario) if e.target not in nodes})


def _first_line(node: dict[str, Any], limit: int = 60) -> str:
    text = " ".join(node["say"][0].split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _kind(scenario: dict[str, Any], name: str) -> str:
    node = scenario["nodes"].get(name)
    if node is None:
        return "missing"
    if node.get("end") in GOOD_ENDS:
        return "good"
    if "end" in node:
        return "left"
    return "start" if name == scenario["start"] else "node"


# -- Mermaid and DOT ---------------------------------------------------------------------------------------------------


def to_mermaid(scenario: dict[str, Any]) -> str:
    """Mermaid ``flowchart`` source (node ids are renamed N0, N1 …, since Mermaid reserves words like «end»)."""
    names = list(scenario["nodes"]) + _missing(scenario)
    ids = {name: f"N{i}" for i, name in enumerate(names)}

    def q(text: str) -> str:
        return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")

    lines = ["flowchart TD"]
    for name in names:
        node = scenario["nodes"].get(name)
        if node is None:
            lines.append(f'  {ids[name]}["{q(name)}: finnes ikke"]:::missing')
            continue
        signs = " ⚠ " + ", ".join(node["signs"]) if node.get("signs") else ""
        text = q(f"{name}{signs}") + "<br/>" + q(_first_line(node, 48))
        if "end" in node:
            lines.append(f'  {ids[name]}(["{text}<br/>{q(END_TITLES.get(node["end"], node["end"]))}"])'
                         f':::{_kind(scenario, name)}')
        else:
            lines.append(f'  {ids[name]}["{text}"]' + (":::start" if name == scenario["start"] else ""))
    for e in edges(scenario):
        arrow = "-.->" if e.free_only else "-->"
        lines.append(f'  {ids[e.source]} {arrow}|"{q(e.label())}"| {ids[e.target]}')
    lines += [
        "  classDef start stroke:#1d3a5f,stroke-width:3px",
        "  classDef good fill:#e6f4ea,stroke:#1b5e20",
        "  classDef left fill:#fbe9e9,stroke:#8e1b1b",
        "  classDef missing fill:#fff,stroke:#8e1b1b,stroke-dasharray:4 3",
    ]
    return "\n".join(lines) + "\n"


def to_dot(scenario: dict[str, Any]) -> str:
    """Graphviz DOT source."""
    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    fills = {"good": "#e6f4ea", "left": "#fbe9e9", "missing": "#ffffff", "start": "#f3f6fa", "node": "#f3f6fa"}
    borders = {"good": "#1b5e20", "left": "#8e1b1b", "missing": "#8e1b1b", "start": "#1d3a5f", "node": "#1d3a5f"}
    out = [f"digraph {q(scenario['id'])} {{", "  rankdir=TB;",
           '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
           '  edge [fontname="Helvetica", fontsize=9];']
    for name in list(scenario["nodes"]) + _missing(scenario):
        node = scenario["nodes"].get(name)
        kind = _kind(scenario, name)
        if node is None:
            label = f"{name}\nfinnes ikke"
        else:
            label = name + (" ⚠ " + ", ".join(node["signs"]) if node.get("signs") else "") + "\n" + \
                "\n".join(textwrap.wrap(_first_line(node), 30)[:2])
            if "end" in node:
                label += "\n" + END_TITLES.get(node["end"], node["end"])
        style = ', style="rounded,dashed"' if kind == "missing" else ""
        width = ", penwidth=2.5" if kind == "start" else ""
        out.append(f"  {q(name)} [label={q(label)}, fillcolor={q(fills[kind])}, color={q(borders[kind])}{style}{width}];")
    for e in edges(scenario):
        style = "dashed" if e.free_only else "solid"
        out.append(f"  {q(e.source)} -> {q(e.target)} [label={q(e.label())}, style={style}];")
    out.append("}")
    return "\n".join(out) + "\n"


# -- SVG, laid out here ------------------------------------------------------------------------------------------------

BOX_W, LINE_H, PAD, GAP_X, GAP_Y, MARGIN = 210, 15, 8, 40, 70, 20


def _layers(scenario: dict[str, Any]) -> list[list[str]]:
    nodes = scenario["nodes"]
    names = list(nodes) + _missing(scenario)
    depth: dict[str, int] = {}
    order: list[str] = []
    if scenario["start"] in nodes:
        depth[scenario["start"]] = 0
        queue = [scenario["start"]]
        while queue:
            current = queue.pop(0)
            order.append(current)
            node = nodes.get(current) or {}
            for step in node.get("choices", []) + node.get("routes", []):
                if step["next"] not in depth:
                    depth[step["next"]] = depth[current] + 1
                    queue.append(step["next"])
    last = max(depth.values(), default=-1)
    for name in names:  # unreachable nodes go below the rest
        if name not in depth:
            depth[name] = last + 1
            order.append(name)
    # Ends go in one row at the bottom, so the many arrows into «caller left» point down, not back up.
    bottom = max(depth.values()) + 1
    for name in names:
        if "end" in (nodes.get(name) or {}):
            depth[name] = bottom
    used = sorted(set(depth.values()))
    depth = {name: used.index(d) for name, d in depth.items()}
    layers: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for name in order:
        layers[depth[name]].append(name)
    parents: dict[str, list[str]] = {name: [] for name in names}
    for e in edges(scenario):
        parents.setdefault(e.target, []).append(e.source)
    children: dict[str, list[str]] = {name: [] for name in names}
    for e in edges(scenario):
        children.setdefault(e.source, []).append(e.target)
    # Two sweeps (down, then up) ordering each layer by the mean position of its neighbours in the layer before.
    for neighbours, sequence in ((parents, range(1, len(layers))), (children, range(len(layers) - 2, -1, -1))):
        for index in sequence:
            ref = layers[index - 1] if neighbours is parents else layers[index + 1]
            position = {name: i for i, name in enumerate(ref)}
            before = {name: i for i, name in enumerate(layers[index])}

            def key(name: str, pos: dict[str, int] = position, around: dict[str, list[str]] = neighbours,
                    was: dict[str, int] = before) -> float:
                near = [pos[n] for n in around.get(name, []) if n in pos]
                return sum(near) / len(near) if near else float(was[name])

            layers[index].sort(key=key)
    return layers


def _box_lines(scenario: dict[str, Any], name: str) -> list[str]:
    node = scenario["nodes"].get(name)
    if node is None:
        return [name, "finnes ikke"]
    head = name + ("  ⚠ " + ", ".join(node["signs"]) if node.get("signs") else "")
    lines = [head] + textwrap.wrap(_first_line(node, 80), 30)[:2]
    if "end" in node:
        lines += textwrap.wrap("→ " + END_TITLES.get(node["end"], node["end"]).rstrip("."), 30)
    return lines


def to_svg(scenario: dict[str, Any]) -> str:
    """A self-contained SVG (no scripts, no external fonts)."""
    layers = _layers(scenario)
    heights = {name: len(_box_lines(scenario, name)) * LINE_H + 2 * PAD for layer in layers for name in layer}
    widest = max(len(layer) for layer in layers)
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X + 260  # room on the right for arrows going back up
    pos: dict[str, tuple[float, float]] = {}
    y = MARGIN
    layer_of: dict[str, int] = {}
    for index, layer in enumerate(layers):
        row_w = len(layer) * BOX_W + (len(layer) - 1) * GAP_X
        x0 = MARGIN + (widest * BOX_W + (widest - 1) * GAP_X - row_w) / 2
        for i, name in enumerate(layer):
            pos[name] = (x0 + i * (BOX_W + GAP_X), y)
            layer_of[name] = index
        y += max(heights[n] for n in layer) + GAP_Y
    height = y - GAP_Y + MARGIN + 40
    fills = {"good": "#e6f4ea", "left": "#fbe9e9", "missing": "#ffffff", "start": "#f3f6fa", "node": "#f3f6fa"}
    borders = {"good": "#1b5e20", "left": "#8e1b1b", "missing": "#8e1b1b", "start": "#1d3a5f", "node": "#1d3a5f"}
    e = html.escape
    nodes = scenario["nodes"]
    n_ends = sum(1 for n in nodes.values() if "end" in n)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-labelledby="d-{e(scenario["id"])}-t d-{e(scenario["id"])}-d" '
        'font-family="Helvetica, Arial, sans-serif" font-size="12">',
        f'<title id="d-{e(scenario["id"])}-t">Scenario «{e(scenario["title"])}» som diagram</title>',
        f'<desc id="d-{e(scenario["id"])}-d">{len(nodes)} noder og {n_ends} slutter. Start: {e(scenario["start"])}. '
        'Heltrukne piler er svarforslag, stiplede piler er fritekst.</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#4a4a4a"/></marker></defs>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    right = MARGIN + widest * BOX_W + (widest - 1) * GAP_X
    side = 0
    for edge in edges(scenario):
        sx, sy = pos[edge.source]
        tx, ty = pos[edge.target]
        dash = ' stroke-dasharray="5 4"' if edge.free_only else ""
        if layer_of[edge.target] > layer_of[edge.source]:
            x1, y1 = sx + BOX_W / 2, sy + heights[edge.source]
            x2, y2 = tx + BOX_W / 2, ty
            mid = (y1 + y2) / 2
            path = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{mid:.0f} {x2:.0f},{mid:.0f} {x2:.0f},{y2 - 2:.0f}"
            # The label sits near the arrow's end, so the labels of arrows fanning out of one box do not collide.
            lx, ly, anchor = x1 + (x2 - x1) * 0.8, y1 + (y2 - y1) * 0.72, "middle"
        elif layer_of[edge.target] == layer_of[edge.source] and edge.target != edge.source:
            leftwards = tx < sx
            x1 = sx if leftwards else sx + BOX_W
            x2 = tx + BOX_W if leftwards else tx
            y1 = sy + heights[edge.source] / 2 + 6
            y2 = ty + heights[edge.target] / 2 + 6
            path = f"M{x1:.0f},{y1:.0f} L{x2 + (2 if leftwards else -2):.0f},{y2:.0f}"
            lx, ly, anchor = (x1 + x2) / 2, min(y1, y2) - 14, "middle"
        else:  # back up (or to itself): out to the right-hand margin and back
            side += 1
            x1, y1 = sx + BOX_W, sy + heights[edge.source] / 2
            x2, y2 = tx + BOX_W, ty + heights[edge.target] / 2 - 8
            bulge = right + 18 + 9 * (side % 8)
            path = (f"M{x1:.0f},{y1:.0f} C{bulge:.0f},{y1:.0f} {bulge:.0f},{y1:.0f} {bulge:.0f},{(y1 + y2) / 2:.0f} "
                    f"S{bulge:.0f},{y2:.0f} {x2 + 2:.0f},{y2:.0f}")
            lx, ly, anchor = bulge + 4, (y1 + y2) / 2 + 4, "start"
        full = edge.label()
        label = full if len(full) <= 30 else full[:29] + "…"
        out.append(f'<g><title>{e(edge.source)} → {e(edge.target)}: {e(full)}</title>'
                   f'<path d="{path}" fill="none" stroke="#4a4a4a" stroke-width="1.4"{dash} marker-end="url(#arrow)"/>'
                   f'<text x="{lx:.0f}" y="{ly:.0f}" text-anchor="{anchor}" font-size="10" fill="#1a1a1a" '
                   f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{e(label)}</text></g>')
    for name, (x, y0) in pos.items():
        kind = _kind(scenario, name)
        dash = ' stroke-dasharray="4 3"' if kind == "missing" else ""
        stroke_w = 3 if kind == "start" else 1.5
        out.append(f'<g><rect x="{x:.0f}" y="{y0:.0f}" width="{BOX_W}" height="{heights[name]}" rx="8" '
                   f'fill="{fills[kind]}" stroke="{borders[kind]}" stroke-width="{stroke_w}"{dash}/>')
        for i, line in enumerate(_box_lines(scenario, name)):
            weight = ' font-weight="bold"' if i == 0 else ""
            out.append(f'<text x="{x + PAD:.0f}" y="{y0 + PAD + (i + 1) * LINE_H - 3:.0f}" fill="#1a1a1a"{weight}>'
                       f'{e(line)}</text>')
        out.append("</g>")
    ly = height - 22
    out.append(f'<g font-size="11" fill="#1a1a1a"><line x1="{MARGIN}" y1="{ly}" x2="{MARGIN + 30}" y2="{ly}" '
               f'stroke="#4a4a4a" stroke-width="1.4"/><text x="{MARGIN + 36}" y="{ly + 4}">svarforslag</text>'
               f'<line x1="{MARGIN + 130}" y1="{ly}" x2="{MARGIN + 160}" y2="{ly}" stroke="#4a4a4a" stroke-width="1.4" '
               f'stroke-dasharray="5 4"/><text x="{MARGIN + 166}" y="{ly + 4}">bare fritekst (✎ = fritekst og betingelsen)'
               '</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def graphviz_svg(scenario: dict[str, Any]) -> str:
    """SVG made by Graphviz ``dot`` (when it is installed; raises :class:`FileNotFoundError` when not)."""
    dot = shutil.which("dot")
    if dot is None:
        raise FileNotFoundError("Graphviz (dot) er ikke installert. Bruk den innebygde tegningen (--engine builtin).")
    done = subprocess.run([dot, "-Tsvg"], input=to_dot(scenario).encode("utf-8"), capture_output=True, check=True,
                          timeout=30)
    return done.stdout.decode("utf-8")


def render(scenario: dict[str, Any], fmt: str = "svg", engine: str = "builtin") -> str:
    """The diagram as text in ``fmt`` (``svg``, ``mermaid`` or ``dot``)."""
    if fmt == "mermaid":
        return to_mermaid(scenario)
    if fmt == "dot":
        return to_dot(scenario)
    if fmt == "svg":
        return graphviz_svg(scenario) if engine == "graphviz" else to_svg(scenario)
    raise ValueError(f"Ukjent format {fmt!r}: bruk svg, mermaid eller dot")


def load_scenario(ref: str, root: Path | None = None, *, playable: bool = False) -> dict[str, Any]:
    """A scenario by ``<theme>/<id>``, read straight from its file (also when other content has problems).

    The file must pass its schema (a diagram may still show a broken graph: that is what it is for); with
    ``playable`` its graph must be sound too, so the engine can walk it. Raises
    :class:`widgets.content.ContentError` otherwise.
    """
    from ..content import course_dir, read_yaml

    theme, _, sid = ref.partition("/")
    if not theme or not sid:
        raise ValueError(f"Skriv scenarioet som <tema>/<id>, for eksempel samtalen/forste-kontakt (ikke {ref!r}).")
    root = Path(root or course_dir())
    path = root / "data" / "themes" / theme / "scenarios" / f"{sid}.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"Fant ikke {path}")
    return checked_scenario(path, root, graph=playable)


def checked_scenario(path: Path, root: Path, *, graph: bool = True) -> dict[str, Any]:
    """A scenario file, read and checked on its own (schema, and with ``graph`` the graph; not the cross-file checks).

    Raises :class:`widgets.content.ContentError` with file, line and hint, as `trygge validate` reports them, so a
    trainer's tool never draws or plays a scenario the checks would refuse (nor fails on one with a traceback).
    """
    from ..content import ContentError, Problem, _rel, read_yaml, schema_problems
    from .scenario import graph_problems

    doc = read_yaml(path, root)
    problems = schema_problems(doc, "scenario", root)
    if not problems and graph:
        problems = [Problem(_rel(path, root), doc.line_of(location), message, hint)
                    for location, message, hint in graph_problems(doc.data)]
    if problems:
        raise ContentError(problems)
    return doc.data


class ScenarioDiagram:
    """A scenario diagram for a notebook cell: the SVG, with the Mermaid source underneath to copy."""

    def __init__(self, scenario: dict[str, Any]) -> None:
        self.scenario = scenario

    def _repr_html_(self) -> str:
        mermaid = html.escape(to_mermaid(self.scenario))
        return (f'<figure class="ts-diagram" style="overflow-x:auto;max-width:100%">{to_svg(self.scenario)}'
                f"<figcaption>{html.escape(self.scenario['title'])}</figcaption>"
                "<details><summary>Mermaid-kilde (til dokumentasjon eller en Mermaid-editor)</summary>"
                f"<pre>{mermaid}</pre></details></figure>")

    def svg(self) -> str:
        return to_svg(self.scenario)

    def mermaid(self) -> str:
        return to_mermaid(self.scenario)


def show(ref: str | dict[str, Any]) -> ScenarioDiagram:
    """The diagram of a scenario (``"samtalen/forste-kontakt"`` or a scenario dict), for a trainer's notebook cell."""
    return ScenarioDiagram(load_scenario(ref) if isinstance(ref, str) else ref)
