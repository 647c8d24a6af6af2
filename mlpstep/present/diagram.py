"""The network drawn with one step's numbers: a layout (units, edges, labels, elision) computed once
by ``layout``, and renderers of it: ``svg`` (self-contained SVG), ``tikz`` (a tikzpicture for LaTeX)
and ``Drawing`` (what a notebook shows, ``trace.draw()``).

Columns from the input to the output; each unit shows z and a (and dL/dz with ``grads``), each edge
its weight (and dL/dW), coloured by sign and as wide as its size. A layer's bias is a unit of its own
under the column before it. A unit whose activation has a kink and whose derivative is 0 there
(a ReLU at or below 0) is greyed, and with ``grads`` its incoming gradient is drawn stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import numpy as np

from ..errors import OptionError
from ..model import Trace, bias_name, flipped, weight_name
from .text import format_number

MAX_UNITS = 6
"""A layer wider than this shows its first MAX_UNITS - 1 units, then "... n more"."""
DIGITS = 4
CHAR_W, LINE_H = 6.3, 13
"""About how wide an edge label's character is and how high its line, at 11 px."""
COLUMN, ROW, UNIT_W, UNIT_H, MARGIN = 440, 120, 124, 74, 40


@dataclass
class Unit:
    id: str  # u{layer}_{index}, b{layer} for a bias, m{layer} for "... n more"
    kind: str  # input | unit | bias | more
    x: float
    y: float
    name: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (class, text): ("z", "z = 2")
    inactive: bool = False


@dataclass
class Edge:
    id: str  # e{layer}_{from}_{to}, or e{layer}_b_{to} from the bias
    source: Unit
    target: Unit
    name: str
    value: float
    grad: float | None
    stopped: bool = False  # into an inactive unit: the gradient stops there
    at: float = 0.5  # where its label sits along it, from 0 (source) to 1 (target)

    @property
    def texts(self) -> list[str]:
        """Its label: the weight, then its gradient; none for a shared bias (its unit shows it)."""
        if not self.name:
            return []
        grad = [] if self.grad is None else [f"dL/d{self.name} = {_num(self.grad)}"]
        return [f"{self.name} = {_num(self.value)}", *grad]

    @property
    def ends(self) -> tuple[float, float, float, float]:
        """x1, y1, x2, y2: from its source's right side to its target's left."""
        return self.source.x + UNIT_W / 2, self.source.y, self.target.x - UNIT_W / 2, self.target.y

    def label_box(self, at: float) -> tuple[float, float, float, float]:
        """Left, top, right and bottom of its label centred at ``at`` along it (its first line's baseline)."""
        x1, y1, x2, y2 = self.ends
        x, y, half = x1 + (x2 - x1) * at, y1 + (y2 - y1) * at, CHAR_W * max(map(len, self.texts)) / 2
        return x - half, y - LINE_H, x + half, y + LINE_H * (len(self.texts) - 1) + 1


@dataclass
class Layout:
    units: list[Unit]
    edges: list[Edge]
    width: float
    height: float
    title: str
    note: str


def _num(v: float) -> str:
    return format_number(float(v), DIGITS)


def _aliases(trace: Trace) -> dict[str, str]:
    """The config's course names by the entry they name: ``{"W2[0][0]": "w5"}``."""
    return {target.replace(" ", "").replace(",", "]["): name for name, target in trace.problem.names.items()}


def _unit_names(sizes: list[int], aliases: dict[str, str]) -> list[list[str]]:
    """Inputs i1, i2 (or the config's names of x[0], ...), hidden h1, ... (h2_1 with several hidden
    layers), outputs o1, ... as in Mazur's figure."""
    last = len(sizes) - 1
    out = [[aliases.get(f"x[{j}]", f"i{j + 1}") for j in range(sizes[0])]]
    for l in range(1, last + 1):
        stem = "o" if l == last else "h" if last == 2 else f"h{l}_"
        out.append([f"{stem}{j + 1}" for j in range(sizes[l])])
    return out


def _shown(n: int) -> list[int]:
    return list(range(n)) if n <= MAX_UNITS else list(range(MAX_UNITS - 1))


def layout(trace: Trace, grads: bool = False, point: int = 0) -> Layout:
    """Where every unit and edge goes and what it says, for data point ``point`` (from 0)."""
    p = trace.problem
    if not 0 <= point < p.batch_size:
        raise OptionError("--point", f"{point} is not a point of the batch; give 0 to {p.batch_size - 1}")
    aliases, sizes = _aliases(trace), p.sizes
    names = _unit_names(sizes, aliases)
    columns = [_column(trace, l, names[l], point, grads) for l in range(len(sizes))]
    biases = [_bias_unit(trace, l, columns[l - 1], aliases, grads) for l in range(1, len(sizes))]
    edges = []
    for l in range(1, len(sizes)):
        edges += _weight_edges(trace, l, columns[l - 1], columns[l], aliases, grads)
        if biases[l - 1] is not None:
            edges += _bias_edges(trace, l, biases[l - 1], columns[l], aliases, grads)
    _place_labels(edges, columns)
    units = [u for column in columns for u in column] + [b for b in biases if b is not None]
    height = max(u.y for u in units) + UNIT_H / 2 + MARGIN + 20
    note = f"point {point} of {p.batch_size} (from 0); weights and their gradients are the batch's" * (p.batch_size > 1)
    title = f"{trace.network}   loss {_num(trace.loss)} -> {_num(trace.loss_after)}"
    title += f"   (step {trace.shown} of {p.steps})" * (p.steps > 1)
    return Layout(units, edges, MARGIN * 2 + UNIT_W + COLUMN * (len(sizes) - 1), height, title, note)


def _place_labels(edges: list[Edge], columns: list[list[Unit]]) -> None:
    """Each edge label where it overlaps none placed before: first tried where the labels into one
    unit sit at one distance and those of one source spread along its edges, then nearer or farther."""
    placed: list[tuple[float, float, float, float]] = []
    for e in (e for e in edges if e.texts):
        shown = len(columns[int(e.id[1:].split("_")[0])]) - 1
        preferred = 0.2 + 0.4 * int(e.target.id.split("_")[1]) / max(shown, 1)
        x1, _, x2, _ = e.ends
        tried = sorted((0.04 * k for k in range(1, 25)), key=lambda at: abs(at - preferred))
        fits = [at for at in tried if x1 + 4 <= e.label_box(at)[0] and e.label_box(at)[2] <= x2 - 4]
        free = (at for at in fits if not any(_overlap(e.label_box(at), box) for box in placed))
        e.at = next(free, preferred)
        placed.append(e.label_box(e.at))


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _column(trace: Trace, l: int, names: list[str], point: int, grads: bool) -> list[Unit]:
    p = trace.problem
    n, x = p.sizes[l], MARGIN + UNIT_W / 2 + COLUMN * l
    units = []
    for row, j in enumerate(_shown(n)):
        y = MARGIN + 40 + UNIT_H / 2 + ROW * row
        if l == 0:
            units.append(Unit(f"u0_{j}", "input", x, y, names[j], [("x", f"x = {_num(p.x[j, point])}")]))
            continue
        z, a = (flipped(trace.forward[f"{k}{l}"], p.layout)[j, point] for k in "za")
        lines = [("z", f"z = {_num(z)}"), ("a", f"a = {_num(a)}")]
        if grads:
            lines.append(("dz", f"dL/dz = {_num(flipped(trace.grads[f'z{l}'], p.layout)[j, point])}"))
        activation = p.layers[l - 1].activation
        inactive = bool(activation.kinks) and bool(activation.derivative(np.array([z]), np.array([a]))[0] == 0)
        units.append(Unit(f"u{l}_{j}", "unit", x, y, names[j], lines, inactive))
    if n > MAX_UNITS:
        y = MARGIN + 40 + UNIT_H / 2 + ROW * (MAX_UNITS - 1)
        units.append(Unit(f"m{l}", "more", x, y, f"... {n - MAX_UNITS + 1} more"))
    return units


def _bias_unit(trace: Trace, l: int, before: list[Unit], aliases: dict[str, str], grads: bool) -> Unit | None:
    layer = trace.problem.layers[l - 1]
    if layer.bias_mode == "none":
        return None
    name = bias_name(l, trace.problem.layout)
    y = before[-1].y + ROW
    shown = aliases.get(name, name)
    lines = [("value", f"= {_num(layer.bias[0])}")] if layer.bias_mode == "shared" else [("value", "1")]
    if grads and layer.bias_mode == "shared":
        lines.append(("db", f"dL/d{shown} = {_num(trace.grads[name])}"))
    return Unit(f"b{l}", "bias", before[0].x, y, shown, lines)


def _entry(l: int, i: int, j: int, layout_: str) -> str:
    return f"{weight_name(l)}[{i}][{j}]" if layout_ == "columns" else f"{weight_name(l)}[{j}][{i}]"


def _weight_edges(trace, l, sources, targets, aliases, grads) -> list[Edge]:
    p = trace.problem
    w = flipped(trace.params[weight_name(l)], p.layout)  # (n_in, n_out)
    dw = flipped(trace.grads[weight_name(l)], p.layout)
    edges = []
    for s in (u for u in sources if u.kind != "more"):
        for t in (u for u in targets if u.kind != "more"):
            i, j = int(s.id.split("_")[1]), int(t.id.split("_")[1])
            name = _entry(l, i, j, p.layout)
            grad = float(dw[i, j]) if grads else None
            edges.append(Edge(f"e{l}_{i}_{j}", s, t, aliases.get(name, name), float(w[i, j]), grad, t.inactive))
    return edges


def _bias_edges(trace, l, bias, targets, aliases, grads) -> list[Edge]:
    p = trace.problem
    name = bias_name(l, p.layout)
    b, db = trace.params[name], trace.grads[name]
    edges = []
    for t in (u for u in targets if u.kind != "more"):
        j = int(t.id.split("_")[1])
        shared = np.ndim(b) == 0
        label = "" if shared else f"{name}[{j}]" + "[0]" * (p.layout == "columns")
        value = float(b) if shared else float(np.ravel(b)[j])
        grad = (float(db) if shared else float(np.ravel(db)[j])) if grads else None
        edges.append(Edge(f"e{l}_b_{j}", bias, t, aliases.get(label, label), value, grad, t.inactive))
    return edges


# -- SVG -----------------------------------------------------------------------
POSITIVE, NEGATIVE, GREY, INK, PAPER = "#d9622b", "#2b7bd9", "#9a9a9a", "#222222", "#fcfcfa"
UNIT, BIAS, OFF = "#eef3fb", "#f6efe2", "#e6e6e6"
COLOURS = {"pos": POSITIVE, "neg": NEGATIVE, "grey": GREY, "on": UNIT, "bias": BIAS, "off": OFF}


def svg(trace: Trace, grads: bool = False, point: int = 0) -> str:
    """The diagram as a self-contained SVG document: no fonts, scripts or links to fetch.
    Units are ``<g class="unit" id="u1_0">`` (bias ``b1``, elided ``m1``), edges ``<g class="edge"
    id="e1_0_1">``; each text line has a class (``name``, ``z``, ``a``, ``dz``, ``w``, ``dw``)."""
    lay = layout(trace, grads, point)
    biggest = max((abs(e.value) for e in lay.edges), default=1.0) or 1.0
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width:.0f}" height="{lay.height:.0f}" '
        f'viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" font-family="sans-serif" font-size="12">',
        f'<rect width="100%" height="100%" rx="8" fill="{PAPER}"/>',
        f'<text x="{MARGIN}" y="{MARGIN - 10}" font-size="14" fill="{INK}">{escape(lay.title)}</text>',
    ]
    if lay.note:
        out.append(f'<text x="{MARGIN}" y="{lay.height - 14}" fill="{INK}">{escape(lay.note)}</text>')
    out += [_svg_edge(e, biggest) for e in lay.edges]
    out += [_svg_unit(u) for u in lay.units]
    return "\n".join([*out, "</svg>"]) + "\n"


def _svg_edge(e: Edge, biggest: float) -> str:
    colour = GREY if e.stopped else POSITIVE if e.value >= 0 else NEGATIVE
    width = 0.8 + 3.2 * abs(e.value) / biggest
    x1, y1, x2, y2 = e.ends
    stop = ""
    if e.stopped and e.grad is not None:  # the gradient stops at the unit: a bar across the edge's end
        sx, sy = x2 - 0.06 * (x2 - x1), y2 - 0.06 * (y2 - y1)
        stop = (
            f'<path class="stop" d="M{sx - 5:.1f},{sy - 7:.1f} L{sx + 5:.1f},{sy + 7:.1f}" '
            f'stroke="{INK}" stroke-width="2"/>'
        )
    line = (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{colour}" stroke-width="{width:.2f}" stroke-opacity="0.75"/>'
    )
    hover = f"<title>{escape(' · '.join(e.texts))}</title>" if e.texts else ""  # readable where labels crowd
    return f'<g class="edge" id="{e.id}">{hover}{line}{stop}{_svg_label(e)}</g>'


def _svg_label(e: Edge) -> str:
    """The weight over its gradient, level (easier to read than along the edge), on a pale card."""
    if not e.texts:
        return ""
    left, top, right, bottom = e.label_box(e.at)
    lines = [
        f'<text class="{cls}" x="{(left + right) / 2:.1f}" y="{top + LINE_H * (k + 1) - 3:.1f}">{escape(text)}</text>'
        for k, (cls, text) in enumerate(zip(("w", "dw"), e.texts))
    ]
    card = (
        f'<rect x="{left:.1f}" y="{top:.1f}" width="{right - left:.1f}" height="{bottom - top:.1f}" rx="3" '
        f'fill="{PAPER}" fill-opacity="0.85"/>'
    )
    return f'<g fill="{INK}" text-anchor="middle" font-size="11">{card}{"".join(lines)}</g>'


def _svg_unit(u: Unit) -> str:
    fill = OFF if u.inactive else UNIT if u.kind != "bias" else BIAS
    dash = ' stroke-dasharray="4 3"' if u.inactive or u.kind == "more" else ""
    x, y = u.x - UNIT_W / 2, u.y - UNIT_H / 2
    shape = (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{UNIT_W}" height="{UNIT_H}" rx="12" fill="{fill}" '
        f'stroke="{GREY if u.inactive else INK}"{dash}/>'
    )
    texts = [f'<text class="name" x="{u.x:.1f}" y="{y + 18:.1f}" font-weight="bold">{escape(u.name)}</text>']
    for k, (cls, line) in enumerate(u.lines):
        texts.append(f'<text class="{escape(cls)}" x="{u.x:.1f}" y="{y + 36 + 15 * k:.1f}">{escape(line)}</text>')
    colour = GREY if u.inactive else INK
    return (
        f'<g class="{u.kind}{" inactive" * u.inactive}" id="{u.id}">{shape}'
        f'<g fill="{colour}" text-anchor="middle">{"".join(texts)}</g></g>'
    )


# -- TikZ ----------------------------------------------------------------------
CM = 0.016
"""Centimetres per SVG pixel: Mazur's network is 17.3 cm wide, the seed's as wide and 11 cm high."""


def tikz(trace: Trace, grads: bool = False, point: int = 0) -> str:
    """The same diagram as a ``tikzpicture`` (needs ``\\usepackage{tikz}``; colours defined before it).
    Units are nodes named by their SVG ids with ``-`` for ``_`` (``u1-0``, ``b1``, ``m1``)."""
    from .text import escape_text

    lay = layout(trace, grads, point)
    biggest = max((abs(e.value) for e in lay.edges), default=1.0) or 1.0
    out = [f"\\definecolor{{mlp{name}}}{{HTML}}{{{colour[1:]}}}" for name, colour in COLOURS.items()]
    size = f"minimum width={UNIT_W * CM:.2f}cm, minimum height={UNIT_H * CM:.2f}cm"
    out += ["\\begin{tikzpicture}[x=1cm, y=-1cm, font=\\scriptsize,",
            f"  unit/.style={{draw, rounded corners, align=center, {size}}},",
            "  label/.style={fill=white, fill opacity=0.85, text opacity=1, text=black, align=center,",
            "    font=\\tiny}]"]  # fmt: skip
    title = escape_text(lay.title).replace("->", r"$\to$")  # text mode has no ">" (OT1 prints "¿")
    out.append(f"\\node[anchor=west, font=\\small] at (0, {(MARGIN - 14) * CM:.2f}) {{{title}}};")
    for u in lay.units:
        style = "unit, fill=mlp" + ("off, text=mlpgrey, dashed" if u.inactive else "bias" if u.kind == "bias" else "on")
        text = "\\\\".join([f"\\textbf{{{escape_text(u.name)}}}", *(escape_text(line) for _, line in u.lines)])
        out.append(f"\\node[{style}] ({u.id.replace('_', '-')}) at ({u.x * CM:.2f}, {u.y * CM:.2f}) {{{text}}};")
    for e in lay.edges:
        colour = "mlpgrey" if e.stopped else "mlppos" if e.value >= 0 else "mlpneg"
        label = "\\\\".join(map(escape_text, e.texts))
        node = f" node[pos={e.at:.2f}, label] {{{label}}}" * bool(label)
        if e.stopped and e.grad is not None:  # the gradient stops at the unit
            node += " node[pos=0.95, sloped, inner sep=0] {$\\parallel$}"
        ends = f"({e.source.id.replace('_', '-')}.east) -- ({e.target.id.replace('_', '-')}.west)"
        width = 0.3 + 1.2 * abs(e.value) / biggest
        out.append(f"\\draw[{colour}, line width={width:.2f}pt] {ends}{node};")
    if lay.note:
        out.append(f"\\node[anchor=west] at (0, {(lay.height - 18) * CM:.2f}) {{{escape_text(lay.note)}}};")
    return "\n".join([*out, "\\end{tikzpicture}"]) + "\n"


class Drawing:
    """What ``trace.draw()`` returns: shown as SVG in a notebook, or saved with ``save(path)``."""

    def __init__(self, trace: Trace, grads: bool = False, point: int = 0):
        self.text = svg(trace, grads, point)

    def _repr_svg_(self) -> str:
        return self.text

    def save(self, path) -> None:
        from pathlib import Path

        Path(path).write_text(self.text, encoding="utf-8")
