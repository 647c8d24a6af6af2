"""One self-contained HTML page of a trace: inline CSS, JS and SVG, formulas in MathML, no request
of any kind. Every cell carries its entry's formula with the numbers plugged in (``data-formula``,
the line ``--explain`` prints), shown on hover and on focus; a step-through control highlights
what is in play (forward, loss, backward, update).

``html`` builds the page from blocks (``page(title, [header, controls, *sections])``): a block
more, such as the network's diagram, is one more item in that list, and any of its elements with a
``data-stage`` attribute (one of STAGES) is highlighted with that stage's tables.
"""

from __future__ import annotations

import re
from html import escape

import numpy as np

from ..model import Trace, shape_text
from .document import LINES, Entry, Section, header_lines, scalar_text
from .text import as_2d, format_number, kept

STAGES = ("forward", "loss", "backward", "update")
"""The step-through's stages, in order."""
_DIAGRAM_STAGES = {"z": "forward", "a": "forward", "dz": "backward", "dw": "backward", "db": "backward"}
"""The stage of each kind of number on the diagram (present/diagram.py's text classes)."""
_STAGE = {"given": "", "forward": "forward", "loss": "loss", "grads": "backward"}
"""The stage of a value by the first word of its path; every other value (the update, the
optimizer's state, later steps) is the update's."""


def html(trace: Trace, parts: list[Section], precision: int = 8, full: bool = False) -> str:
    """The page: the network and its setting, the step-through control, the network's diagram with
    the step's numbers, then every section."""
    header, diagram, *tables = blocks(trace, parts, precision, full)
    return page(header_lines(trace)[0], [header, _controls(), diagram, *tables])


def blocks(trace: Trace, parts: list[Section], precision: int = 8, full: bool = False) -> list[str]:
    """The page's content without its chrome (what a notebook shows): the header, the diagram (with
    gradients), then a block per section, every cell carrying its formula."""
    from .diagram import svg

    network, details = header_lines(trace)
    header = f"<header><h1>{escape(network)}</h1><p>{escape(details)}</p></header>"
    drawn = svg(trace, grads=True).replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)  # inline: HTML's own
    for kind, stage in _DIAGRAM_STAGES.items():  # the step-through lights up the diagram's numbers too
        drawn = drawn.replace(f'class="{kind}"', f'class="{kind}" data-stage="{stage}"')
    diagram = f'<figure class="diagram">{drawn}</figure>'
    return [header, diagram, *(_section(trace, part, precision, full) for part in parts)]


def page(title: str, blocks: list[str]) -> str:
    """The whole document around ``blocks`` (HTML text, already escaped). The content security
    policy forbids every request, so a page that works here works offline."""
    from .html_assets import CSS, JS

    policy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>mlpstep: {escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(blocks)
        + f'\n<div id="tip" role="tooltip" hidden></div>\n<script>{JS}</script>\n</body>\n</html>\n'
    )


def _controls() -> str:
    buttons = "".join(f'<button type="button" data-go="{s}" aria-pressed="false">{s}</button>' for s in STAGES)
    return (
        '<nav aria-label="step through">'
        '<button type="button" id="prev" aria-label="previous stage">◀</button>'
        f'{buttons}<button type="button" id="next" aria-label="next stage">▶</button>'
        '<output aria-live="polite"></output></nav>'
    )


def stage(path: str) -> str:
    """The stage a value belongs to (``""`` for what is given)."""
    if path == "loss_after":
        return "update"
    return _STAGE.get(path.split(".")[0].split("[")[0], "update")


def _section(trace: Trace, part: Section, precision: int, full: bool) -> str:
    entries = "\n".join(_entry(trace, entry, precision, full) for entry in part.entries)
    return f"<section>\n<h2>{escape(part.title)}</h2>\n{entries}\n</section>"


def _entry(trace: Trace, entry: Entry, precision: int, full: bool) -> str:
    where = stage(entry.path)
    attributes = f' data-stage="{where}"' if where else ""
    title = _title(entry.title)
    if isinstance(entry.value, str):
        return f'<p{attributes}><span class="line">{title}: {escape(entry.value)}</span></p>'
    if entry.path == "losses":
        return f"<figure{attributes}><figcaption>{title}</figcaption>{loss_curve(entry.value)}</figure>"
    if entry.value.ndim == 0:
        formula = _formula(trace, entry, ()) or f"{entry.title} = {scalar_text(entry, 17)}"
        text = f"{title} = {escape(scalar_text(entry, precision))}"
        return f'<p{attributes}><span class="line" tabindex="0" data-formula="{escape(formula)}">{text}</span></p>'
    caption = f'{title}<span class="shape">{escape(shape_text(entry.value.shape, ""))}</span>'
    note = f'<p class="note">{escape(entry.kink_note)}</p>' if entry.at_kink is not None else ""
    table = _table(trace, entry, precision, full)
    return f'<figure{attributes}><figcaption>{caption}</figcaption><div class="scroll">{table}</div>{note}</figure>'


def _table(trace: Trace, entry: Entry, precision: int, full: bool) -> str:
    """The matrix, elided as the terminal elides it unless ``full``; each cell with its formula."""
    m = as_2d(entry.value)
    kinks = None if entry.at_kink is None else as_2d(entry.at_kink)
    rows, cols = kept(m.shape[0], full, m.size), kept(m.shape[1], full, m.size)
    one_row = entry.value.ndim < 2
    head = "".join("<th>…</th>" if j is None else f'<th scope="col">[{j}]</th>' for j in cols)
    lines = [f"<tr><th></th>{head}</tr>"]
    for i in rows:
        if i is None:
            lines.append("<tr><th>⋮</th>" + '<td class="elided">⋮</td>' * len(cols) + "</tr>")
            continue
        cells = []
        for j in cols:
            if j is None:
                cells.append('<td class="elided">⋯</td>')
                continue
            index = (j,) if one_row else (i, j)
            formula = _formula(trace, entry, index) or f"{_name(entry)}{_at(index)} = {format_number(m[i, j], 17)}"
            kink = ' class="kink"' if kinks is not None and kinks[i, j] else ""
            number = format_number(m[i, j], precision)
            cells.append(f'<td tabindex="0"{kink} data-formula="{escape(formula)}">{number}</td>')
        label = "" if one_row else f"[{i}]"
        lines.append(f'<tr><th scope="row">{label}</th>{"".join(cells)}</tr>')
    return "<table>" + "".join(lines) + "</table>"


def _formula(trace: Trace, entry: Entry, index: tuple[int, ...]) -> str | None:
    """The worked line of one entry (``z1[0,0] = 1·3 + 0·14 + (-1) = 2``), or None if it has none."""
    from ..quantities import split_key
    from .explain import worked

    path, alone = split_key(entry.path)
    if path in LINES and path != "loss":
        return None
    return worked(trace, path, alone if alone is not None else index or None)


def _name(entry: Entry) -> str:
    return entry.path.split("[")[0].split(".")[-1]


def _at(index: tuple[int, ...]) -> str:
    return f"[{','.join(map(str, index))}]" if index else ""


def loss_curve(losses: np.ndarray, width: int = 320, height: int = 140) -> str:
    """The loss before each step and after the last, as an SVG line with a labelled dot per step."""
    values = [float(v) for v in losses]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    left, right, top, bottom = 48, width - 10, 10, height - 22
    xs = [left + (right - left) * k / max(len(values) - 1, 1) for k in range(len(values))]
    ys = [bottom - (bottom - top) * (v - low) / span for v in values]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="currentColor" tabindex="0" '
        f'data-formula="{escape(_step_name(k, len(values)))}: L = {v!r}"><title>{v!r}</title></circle>'
        for k, (x, y, v) in enumerate(zip(xs, ys, values))
    )
    labels = (
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{format_number(high, 4)}</text>'
        f'<text x="{left - 4}" y="{bottom}" text-anchor="end">{format_number(low, 4)}</text>'
        f'<text x="{left}" y="{height - 6}">step 1</text>'
        f'<text x="{right}" y="{height - 6}" text-anchor="end">after step {len(values) - 1}</text>'
    )
    return (
        f'<svg class="curve" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="loss curve"><polyline points="{points}" fill="none" stroke="currentColor" stroke-width="2"/>'
        f"{dots}{labels}</svg>"
    )


def _step_name(k: int, count: int) -> str:
    return f"before step {k + 1}" if k < count - 1 else f"after step {k}"


_TOKEN = re.compile(
    r"(?P<d>dL/d)?(?P<name>[A-Za-zα-ωΣ_']+?)(?P<sub>\d+)?(?P<t>ᵀ)?(?=[^A-Za-z0-9α-ω_']|$)"
    r"|(?P<num>\d+(?:\.\d+)?(?:e-?\d+)?)|(?P<op>\S)"
)


def _title(text: str) -> str:
    """A title with a formula (``z1 = W1ᵀ x + w10``) as MathML, with the text as its alternative;
    a title without one as text."""
    if " = " not in text and " ← " not in text:
        return escape(text)
    return f'<math alttext="{escape(text)}"><mrow>{"".join(map(_math, _TOKEN.finditer(text)))}</mrow></math>'


def _math(token: re.Match) -> str:
    if token.group("num"):
        return f"<mn>{escape(token.group('num'))}</mn>"
    if token.group("op"):
        return f"<mo>{escape(token.group('op'))}</mo>"
    name = f"<mi>{escape(token.group('name'))}</mi>"
    if token.group("sub"):
        name = f"<msub>{name}<mn>{token.group('sub')}</mn></msub>"
    if token.group("t"):
        name = f"<msup>{name}<mi>T</mi></msup>"
    if token.group("d"):
        name = f"<mfrac><mi>∂L</mi><mrow><mi>∂</mi>{name}</mrow></mfrac>"
    return name
