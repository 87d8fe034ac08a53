"""Watch error flow backwards: the backward pass as an animation of ``draw_dot`` pictures.

``animate_backward(root)`` runs ``root.backward()`` (through ``backward_steps``, the engine's
own loop, watched) and shows it moment by moment:

1. the forward pass done: every node has its data, no gradient yet (``—``);
2. the seed: the output's gradient d(output)/d(output) = 1;
3. one frame per operation, in the order backward visits them (or, with ``frames="edge"``,
   one per edge): the node passing its gradient on is outlined in red, and so are the edges
   to its parents, each labelled with its local derivative ∂node/∂parent; the parents show
   their new gradients, and the caption writes out the chain rule with the numbers;
4. the end: exactly ``draw_dot(root)`` after ``backward()``.

The graph is laid out once, by ``dot``.  The HTML player carries that one picture and, per
frame, only what changes (gradient texts, which node and edges are red, the caption), so
nothing moves between frames and a big graph stays small.  The GIF draws every frame on the
same pinned layout.  In Jupyter the animation shows as the player, with a still picture of
the last frame where scripts do not run (an untrusted notebook, GitHub).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import json
import math
import os
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .engine import Value, is_constant
from .extras import require
from .files import write_atomically
from .steps import BackwardStep, backward_steps, format_number, node_names
from .viz import (
    FONTSIZE,
    MAX_EDGES,
    Diagram,
    GraphvizNotInstalled,
    Layout,
    check_draw_options,
    check_fontsize,
    diagram,
    edge_id,
)

FRAME_KINDS = ("node", "edge")
GIF_WIDTH = 1920  # pixels at most: a GIF is for slides and READMEs


@dataclass(frozen=True)
class Frame:
    """One moment of the backward pass: its drawing (on the shared layout), a sentence saying
    what happens, and what the player changes for it: each record's gradient text, the node
    passing its gradient on and the edges it passes it along."""

    drawing: Diagram
    caption: str
    grads: dict[str, str] = field(default_factory=dict)  # record id → "grad …"
    active: str | None = None  # the record (and its operation) passing its gradient on
    flowing: tuple[str, ...] = ()  # the edges it passes it along


class BackwardAnimation:
    """The frames of one backward pass; ``save`` writes them, Jupyter plays them inline."""

    def __init__(self, frames: list[Frame], picture: Diagram, *, seconds_per_frame: float = 1.2) -> None:
        self.frames = frames
        self.picture = picture  # the last frame with every edge's local derivative: the player's one layout
        self.seconds_per_frame = seconds_per_frame
        self._svg: str | None = None

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"<BackwardAnimation: {len(self.frames)} frames; .save('x.html') or .save('x.gif')>"

    # ---- rendering (needs Graphviz's dot) ------------------------------------------------

    def _render(self, fmt: str) -> list[bytes]:
        # neato_no_op=2: take every position from the pinned layout instead of laying out again
        return [frame.drawing.pipe(format=fmt, neato_no_op=2) for frame in self.frames]

    def svg(self) -> str:
        """The player's one picture, as SVG (rendered once, then kept)."""
        if self._svg is None:
            self._svg = self.picture.pipe(format="svg", encoding="utf-8")
        return self._svg

    def to_html(self, *, standalone: bool = True) -> str:
        """The player: the picture, play/pause, step, a slider and a speed control, keyboard keys
        (Space, →, PageDown: next; ←, PageUp: back; Home, End), in one piece of HTML with no
        external script, style or font, so it works offline.  Element ids come from the content,
        so two players in one notebook do not clash and the bytes are stable.  Without scripts
        it shows the last frame as a still picture."""
        svg = self.svg()
        player = "bw" + hashlib.sha256((svg + repr([f.caption for f in self.frames])).encode()).hexdigest()[:12]
        frames: list[dict] = []
        shown: dict[str, str] = {}
        for frame in self.frames:  # each frame carries only the gradient texts that change
            changed = {k: v for k, v in frame.grads.items() if shown.get(k) != v}
            shown.update(changed)
            frames.append(
                {"grads": changed, "active": frame.active, "flowing": frame.flowing, "caption": frame.caption}
            )
        data = {"frames": frames, "interval": round(self.seconds_per_frame * 1000)}
        body = _PLAYER.format(
            id=player,
            still=base64.b64encode(svg.encode("utf-8")).decode("ascii"),
            data=_script_json(data),
            last=len(self.frames) - 1,
            count=len(self.frames),
            final_caption=html.escape(self.frames[-1].caption),
            css=_static("player.css"),
            script=_static("player.js").replace("PLAYER_ID", player),
        )
        if not standalone:
            return body
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "<title>Backpropagation, step by step</title>\n"
            "<style>html, body { margin: 0; padding: 0; }</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n"
        )

    def _repr_html_(self) -> str:
        return self.to_html(standalone=False)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        """Jupyter: the player, and a PNG of the last frame for viewers that run no scripts."""
        bundle = {
            "text/html": self.to_html(standalone=False),
            "image/png": self.picture.pipe_png(96),
            "text/plain": repr(self),
        }
        return {k: v for k, v in bundle.items() if (include is None or k in include) and k not in (exclude or ())}

    def to_gif(self) -> bytes:
        """The frames as an animated GIF (needs Pillow: the 'gif' extra)."""
        pil = require("PIL.Image", "gif", "Writing a GIF", package="Pillow")
        canvas: list = []
        for png in self._render("png"):  # one at a time, palette-coded at once: a big graph stays in memory
            image = pil.open(io.BytesIO(png)).convert("RGB")
            if image.width > GIF_WIDTH:
                image = image.resize((GIF_WIDTH, round(image.height * GIF_WIDTH / image.width)), pil.Resampling.LANCZOS)
            if canvas and image.size != canvas[0].size:  # the same size for every frame (pinned: they are)
                page = pil.new("RGB", canvas[0].size, "white")
                page.paste(image, (0, 0))
                image = page
            canvas.append(image.quantize(colors=255, method=pil.Quantize.FASTOCTREE, dither=pil.Dither.NONE))
        durations = [round(self.seconds_per_frame * 1000)] * len(canvas)
        durations[0] = durations[-1] = 3 * durations[0]  # linger on the start and the end
        out = io.BytesIO()
        canvas[0].save(out, format="GIF", save_all=True, append_images=canvas[1:], duration=durations, loop=0)
        return out.getvalue()

    def save(self, path: str | os.PathLike) -> Path:
        """Write the animation to ``path``: ``.html`` (the player) or ``.gif``; returns the path.

        Everything is rendered first and the file written under a temporary name, then renamed,
        so a failure (no ``dot``, no Pillow) never leaves a half-written file.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix in (".html", ".htm"):
            data = self.to_html().encode("utf-8")
        elif suffix == ".gif":
            data = self.to_gif()
        else:
            raise ValueError(f"BackwardAnimation.save() writes .html or .gif; got {path.name!r}")
        write_atomically(path, lambda f: f.write(data))
        return path


def animate_backward(
    root: Value,
    grad: float = 1.0,
    *,
    rankdir: str = "LR",
    max_nodes: int = 500,
    max_edges: int = MAX_EDGES,
    precision: int = 4,
    compact: bool = False,
    fontsize: float = FONTSIZE,
    frames: str = "node",
    seconds_per_frame: float = 1.2,
) -> BackwardAnimation:
    """Run ``root.backward(grad)`` and return the animation of it (see the module docstring).

    Drawing options are ``draw_dot``'s; ``frames="edge"`` shows one edge's step of the chain
    rule per frame instead of one node's.  Invalid options, a root that is not a Value
    (``TypeError``), a graph over ``max_nodes`` or ``max_edges`` (``ValueError``) and a missing
    Graphviz ``dot``, which lays the frames out (``GraphvizNotInstalled``), are refused before
    backward runs; if laying out fails all the same, every gradient is put back as it was, so
    a retry does not add the pass twice.
    """
    nodes = check_draw_options("animate_backward", root, rankdir, max_nodes, precision, max_edges, compact=compact)
    fontsize = check_fontsize("animate_backward", fontsize)
    if frames not in FRAME_KINDS:
        raise ValueError(f"animate_backward() frames must be 'node' or 'edge'; got {frames!r}")
    if isinstance(seconds_per_frame, bool) or not (
        isinstance(seconds_per_frame, (int, float)) and 0 < seconds_per_frame < math.inf
    ):
        raise ValueError(f"animate_backward() seconds_per_frame must be a positive number; got {seconds_per_frame!r}")
    if shutil.which("dot") is None:  # the frames' layout needs dot: fail before running anything
        raise GraphvizNotInstalled()
    before = [node.grad for node in nodes]
    try:
        steps = backward_steps(root, grad)
        return _animate(root, nodes, steps, frames, seconds_per_frame, rankdir, precision, compact, fontsize)
    except BaseException:
        for node, g in zip(nodes, before):
            node.grad = g
        raise


def _animate(
    root: Value,
    nodes: list[Value],
    steps: list[BackwardStep],
    kind: str,
    seconds_per_frame: float,
    rankdir: str,
    precision: int,
    compact: bool,
    fontsize: float,
) -> BackwardAnimation:
    """The frames of a backward pass that has run (``steps``), on one layout."""
    names = node_names(nodes)
    ids = {node: f"v{i}" for i, node in enumerate(nodes)}
    n = lambda x: format_number(x, precision)  # noqa: E731 - a short name for a short formatter
    draw = functools.partial(
        diagram, root, nodes, rankdir=rankdir, precision=precision, compact=compact, fontsize=fontsize
    )
    final_grads = {node: node.grad for node in nodes}
    # Laid out once, with every edge's local derivative on it; every frame is pinned there.
    picture = draw(final_grads, local_grads=True)
    layout = Layout.of(picture)
    # GIF frames at screen resolution, or less for a graph wider than GIF_WIDTH: small, quick to write
    width_points = float(layout.graph.get("bb", "0,0,1,1").split(",")[2]) or 1.0
    gif_dpi = {"dpi": f"{min(96.0, GIF_WIDTH * 72.0 / width_points):.4g}"}

    grads: dict[Value, float] = {}
    made: list[Frame] = []

    def frame(caption: str, drawing_caption: str | None, active: Value | None = None, edges: tuple = ()) -> None:
        drawing = draw(dict(grads), caption=drawing_caption, active=active, layout=layout)
        drawing.graph_attr.update(gif_dpi)
        texts = {ids[v]: f"grad {n(grads[v])}" if v in grads else "grad —" for v in nodes if not is_constant(v)}
        made.append(Frame(drawing, caption, texts, None if active is None else ids[active], edges))

    frame(
        "The forward pass is done: every node holds its data. No gradient is computed yet (—).",
        "Forward pass done: every node has its data; no gradient yet (—)",
    )
    grads[root] = root.grad
    root_name = names[root]
    seed_text = f"Backward starts at the output: {root_name}.grad = d{root_name}/d{root_name} = {n(root.grad)}"
    frame(seed_text + ".", seed_text)
    for node, node_steps in _by_node(steps):
        upstream = node_steps[0].upstream
        op_id = f"{ids[node]}_op"
        edge_ids = [edge_id(ids[s.parent], op_id, node.parents[:k].count(s.parent)) for k, s in enumerate(node_steps)]
        short = (
            f"{names[node]} ({node.op}) passes its gradient {n(upstream)} back: each parent's grad "
            f"+= ∂{names[node]}/∂parent (on its red edge) × {n(upstream)}"
        )
        if kind == "node":
            for step in node_steps:
                grads[step.parent] = step.parent_grad
            everything = (edge_id(op_id, ids[node]), *edge_ids)
            frame(short + "\n" + "\n".join(str(s) for s in node_steps), short, node, everything)
        else:
            for step, parent_edge in zip(node_steps, edge_ids):
                grads[step.parent] = step.parent_grad
                frame(f"{short}\n{step}", str(step), node, (edge_id(op_id, ids[node]), parent_edge))
    grads.update(final_grads)  # the end: draw_dot(root) after backward()
    frame("Done: every node shows d(output)/d(node), as draw_dot(root) after backward().", None)
    return BackwardAnimation(made, picture, seconds_per_frame=seconds_per_frame)


def _by_node(steps: list[BackwardStep]) -> list[tuple[Value, list[BackwardStep]]]:
    """The steps grouped by the node that took them (each node's steps are consecutive)."""
    groups: list[tuple[Value, list[BackwardStep]]] = []
    for step in steps:
        if groups and groups[-1][0] is step.node:
            groups[-1][1].append(step)
        else:
            groups.append((step.node, [step]))
    return groups


def _static(name: str) -> str:
    """A front-end file shipped in ``autograd/static``."""
    return resources.files(__package__).joinpath("static").joinpath(name).read_text(encoding="utf-8")


def _script_json(data: object) -> str:
    """``data`` as JSON that is also safe inside an HTML <script>: ``<``, ``>`` and ``&`` are
    written as escapes (no label can close the script or open a tag), and so are the line
    separators U+2028 and U+2029; JSON itself escapes quotes, backslashes and control characters."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch in "<>&\u2028\u2029":
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


_PLAYER = """<div id="{id}" class="cr-player" tabindex="0" aria-label="backpropagation, step by step">
<style>{css}</style>
<div class="cr-stage"><img class="cr-still" alt="the graph after backward(): every node shows d(output)/d(node)"
 src="data:image/svg+xml;base64,{still}"></div>
<div class="cr-controls" hidden>
<button type="button" data-go="first" aria-label="first frame" title="first frame (Home)">&#xAB;</button>
<button type="button" data-go="back" aria-label="step back" title="step back (&#x2190;, PageUp)">&#x25C0;</button>
<button type="button" data-go="play" aria-label="play" title="play / pause">&#x25B6; play</button>
<button type="button" data-go="next" aria-label="step forward" title="step forward (Space, &#x2192;)">&#x25B6;</button>
<button type="button" data-go="last" aria-label="last frame" title="last frame (End)">&#xBB;</button>
<input type="range" min="0" max="{last}" value="{last}" aria-label="frame">
<span class="cr-count" aria-live="polite">{count} / {count}</span>
<select aria-label="speed" title="speed"><option value="0.5">0.5&#xD7;</option>
<option value="1" selected>1&#xD7;</option><option value="2">2&#xD7;</option><option value="4">4&#xD7;</option></select>
<button type="button" data-go="zoom" aria-label="zoom" title="fit the window / full size">fit</button>
</div>
<pre class="cr-caption">{final_caption}</pre>
<script type="application/json" class="cr-data">{data}</script>
<script>{script}</script>
</div>
"""
