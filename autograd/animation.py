"""Watch error flow backwards: the backward pass as an animation of ``draw_dot`` pictures.

``animate_backward(root)`` runs ``root.backward()`` (through ``backward_steps``, the engine's
own loop, watched) and draws one frame per moment of it:

1. the forward pass done: every node has its data, no gradient yet (``—``);
2. the seed: the output's gradient d(output)/d(output) = 1;
3. one frame per operation, in the order backward visits them: the node passing its gradient
   on is outlined in red, and so are the edges to its parents, each labelled with the chain
   rule's product ∂node/∂parent × node.grad; its parents show their new gradients;
4. the end: exactly ``draw_dot(root)`` after ``backward()``.

Every frame is laid out once, by ``dot`` on the last frame, and pinned there, so nothing
moves between frames.  In Jupyter the animation shows as a player; ``save("x.html")``
writes that player as one self-contained file and ``save("x.gif")`` an animated GIF (Pillow).
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .engine import Value
from .extras import require
from .files import write_atomically
from .steps import BackwardStep, backward_steps, format_number, node_names
from .viz import MAX_EDGES, Diagram, GraphvizNotInstalled, Layout, check_draw_options, diagram


@dataclass(frozen=True)
class Frame:
    """One moment of the backward pass: its drawing and a sentence saying what happens."""

    drawing: Diagram
    caption: str


class BackwardAnimation:
    """The frames of one backward pass; ``save`` writes them, Jupyter plays them inline."""

    def __init__(self, frames: list[Frame], *, seconds_per_frame: float = 1.2) -> None:
        self.frames = frames
        self.seconds_per_frame = seconds_per_frame
        self._svgs: list[str] | None = None

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"<BackwardAnimation: {len(self.frames)} frames; .save('x.html') or .save('x.gif')>"

    # ---- rendering (needs Graphviz's dot) ------------------------------------------------

    def _render(self, fmt: str) -> list[bytes]:
        # neato_no_op=2: take every position from the pinned layout instead of laying out again
        return [frame.drawing.pipe(format=fmt, neato_no_op=2) for frame in self.frames]

    def svgs(self) -> list[str]:
        """Each frame as an SVG document (rendered once, then kept)."""
        if self._svgs is None:
            self._svgs = [svg.decode("utf-8") for svg in self._render("svg")]
        return self._svgs

    def to_html(self, *, standalone: bool = True) -> str:
        """The player: the frames, play/pause, step buttons and a slider, in one piece of HTML
        with no external script, style or font, so it works offline.  Element ids come from
        the content, so two players in one notebook do not clash and the bytes are stable."""
        images = [base64.b64encode(svg.encode("utf-8")).decode("ascii") for svg in self.svgs()]
        player = "bw" + hashlib.sha256("".join(images).encode("ascii")).hexdigest()[:12]
        frames = "\n".join(
            f'<img class="{player}-frame" alt="frame {i + 1}" src="data:image/svg+xml;base64,{data}"'
            f"{'' if i == 0 else ' hidden'}>"
            for i, data in enumerate(images)
        )
        captions = "[" + ",".join(_js_string(frame.caption) for frame in self.frames) + "]"
        body = _PLAYER.format(
            id=player,
            frames=frames,
            captions=captions,
            last=len(self.frames) - 1,
            count=len(self.frames),
            first_caption=html.escape(self.frames[0].caption),
            interval=round(self.seconds_per_frame * 1000),
        )
        if not standalone:
            return body
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            "<title>Backpropagation, step by step</title>\n</head>\n<body>\n" + body + "</body>\n</html>\n"
        )

    def _repr_html_(self) -> str:
        """Jupyter's display protocol: the player, inline."""
        return self.to_html(standalone=False)

    def to_gif(self) -> bytes:
        """The frames as an animated GIF (needs Pillow: the 'gif' extra)."""
        pil = require("PIL.Image", "gif", "Writing a GIF")
        images = [pil.open(io.BytesIO(png)).convert("RGB") for png in self._render("png")]
        width = max(im.width for im in images)
        height = max(im.height for im in images)
        canvas = []
        for im in images:  # the same size for every frame (they are, when the layout pins them)
            page = pil.new("RGB", (width, height), "white")
            page.paste(im, (0, 0))
            canvas.append(page.quantize(colors=255, method=pil.Quantize.MEDIANCUT, dither=pil.Dither.NONE))
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
    seconds_per_frame: float = 1.2,
) -> BackwardAnimation:
    """Run ``root.backward(grad)`` and return the animation of it (see the module docstring).

    Drawing options are ``draw_dot``'s.  Invalid options, a root that is not a Value
    (``TypeError``), a graph over ``max_nodes`` or ``max_edges`` (``ValueError``) and a missing
    Graphviz ``dot``, which lays the frames out (``GraphvizNotInstalled``), are refused before
    backward runs; if laying out fails all the same, every gradient is put back as it was, so
    a retry does not add the pass twice.  The frames are rendered when the animation is shown
    or saved.
    """
    nodes = check_draw_options("animate_backward", root, rankdir, max_nodes, precision, max_edges, compact=compact)
    if isinstance(seconds_per_frame, bool) or not (
        isinstance(seconds_per_frame, (int, float)) and 0 < seconds_per_frame < math.inf
    ):
        raise ValueError(f"animate_backward() seconds_per_frame must be a positive number; got {seconds_per_frame!r}")
    if shutil.which("dot") is None:  # the frames' layout needs dot: fail before running anything
        raise GraphvizNotInstalled()
    before = [node.grad for node in nodes]
    try:
        return _animate(root, nodes, grad, rankdir, precision, compact, seconds_per_frame)
    except BaseException:
        for node, g in zip(nodes, before):
            node.grad = g
        raise


def _animate(
    root: Value, nodes: list[Value], grad: float, rankdir: str, precision: int, compact: bool, seconds_per_frame: float
) -> BackwardAnimation:
    """The body of ``animate_backward``, once its options are checked."""
    steps = backward_steps(root, grad)
    names = node_names(nodes)
    n = lambda x: format_number(x, precision)  # noqa: E731 - a short name for a short formatter

    def draw(grads: dict[Value, float], caption: str | None, active: Value | None = None, **options):
        return diagram(
            root,
            nodes,
            grads,
            rankdir=rankdir,
            precision=precision,
            compact=compact,
            caption=caption,
            active=active,
            **options,
        )

    final_grads = {node: node.grad for node in nodes}
    # Laid out once, with every edge's local derivative on it, and every frame pinned there.
    layout = Layout.of(draw(final_grads, None, local_grads=True))
    grads: dict[Value, float] = {}
    frames = [
        Frame(
            draw(grads, "Forward pass done: every node has its data; no gradient yet (—)", layout=layout),
            "The forward pass is done: every node holds its data. No gradient is computed yet (—).",
        )
    ]
    grads[root] = root.grad
    root_name = names[root]
    seed_text = f"Backward starts at the output: {root_name}.grad = d{root_name}/d{root_name} = {n(root.grad)}"
    frames.append(Frame(draw(dict(grads), seed_text, layout=layout), seed_text + "."))
    for node, node_steps in _by_node(steps):
        for step in node_steps:
            grads[step.parent] = step.parent_grad
        upstream = node_steps[0].upstream
        short = (
            f"{names[node]} ({node.op}) passes its gradient {n(upstream)} back: each parent's grad "
            f"+= ∂{names[node]}/∂parent (on its red edge) × {n(upstream)}"
        )
        caption = short + "\n" + "\n".join(str(s) for s in node_steps)
        frames.append(Frame(draw(dict(grads), short, active=node, layout=layout), caption))
    end_text = "Done: every node shows d(output)/d(node), as draw_dot(root) after backward()"
    frames.append(Frame(draw(final_grads, None, layout=layout), end_text + "."))
    return BackwardAnimation(frames, seconds_per_frame=seconds_per_frame)


def _by_node(steps: list[BackwardStep]) -> list[tuple[Value, list[BackwardStep]]]:
    """The steps grouped by the node that took them (each node's steps are consecutive)."""
    groups: list[tuple[Value, list[BackwardStep]]] = []
    for step in steps:
        if groups and groups[-1][0] is step.node:
            groups[-1][1].append(step)
        else:
            groups.append((step.node, [step]))
    return groups


def _js_string(text: str) -> str:
    """``text`` as a JavaScript string literal that is also safe inside an HTML <script>: JSON
    escapes quotes, backslashes and every control and line-separator character, and ``<``, ``>``
    and ``&`` are written as escapes so no label can close the script or open a tag."""
    literal = json.dumps(text, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return literal.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_PLAYER = """<div id="{id}" style="font-family: sans-serif; max-width: 100%;">
<style>
#{id} .{id}-frame {{ max-width: 100%; height: auto; display: block; }}
#{id} .{id}-frame[hidden] {{ display: none; }}
#{id} button {{ font-size: 14px; min-width: 2.4em; margin-right: 2px; }}
#{id} pre {{ white-space: pre-wrap; font-size: 13px; background: #f6f6f6; padding: 6px; margin: 6px 0; }}
</style>
{frames}
<div>
<button data-go="first" title="first frame">|&#x25C0;</button>
<button data-go="back" title="step back">&#x25C0; step</button>
<button data-go="play" title="play / pause">&#x25B6; play</button>
<button data-go="next" title="step forward">step &#x25B6;</button>
<button data-go="last" title="last frame">&#x25B6;|</button>
<input type="range" min="0" max="{last}" value="0" style="width: 40%; vertical-align: middle;" aria-label="frame">
<span class="{id}-count">1 / {count}</span>
</div>
<pre class="{id}-caption">{first_caption}</pre>
<script>
(function () {{
  var root = document.getElementById("{id}");
  var frames = root.querySelectorAll(".{id}-frame");
  var captions = {captions};
  var slider = root.querySelector("input[type=range]");
  var count = root.querySelector(".{id}-count");
  var caption = root.querySelector(".{id}-caption");
  var play = root.querySelector("button[data-go=play]");
  var current = 0, timer = null;
  function show(i) {{
    i = Math.max(0, Math.min({last}, i));
    frames[current].hidden = true; frames[i].hidden = false; current = i;
    slider.value = i; count.textContent = (i + 1) + " / " + frames.length; caption.textContent = captions[i];
  }}
  function stop() {{ if (timer) {{ clearInterval(timer); timer = null; }} play.innerHTML = "&#x25B6; play"; }}
  function start() {{
    if (current === {last}) show(0);
    play.innerHTML = "|| pause";
    timer = setInterval(function () {{ if (current === {last}) stop(); else show(current + 1); }}, {interval});
  }}
  root.addEventListener("click", function (event) {{
    var go = event.target.getAttribute("data-go");
    if (!go) return;
    if (go === "play") {{ if (timer) stop(); else start(); return; }}
    stop();
    show({{first: 0, back: current - 1, next: current + 1, last: {last}}}[go]);
  }});
  slider.addEventListener("input", function () {{ stop(); show(parseInt(slider.value, 10)); }});
}})();
</script>
</div>
"""
