"""Pictures of the graph: every Value with its data and its gradient.

``draw_dot(root)`` returns a ``graphviz.Digraph`` (unrendered): one record per Value, one
small node per operation between a result and its parents, laid out left to right the
way the forward pass runs, so that after ``backward()`` you can read the gradients
flowing right to left.  Building it and reading ``.source`` need only the ``graphviz``
Python package; rendering (``.render()``, ``.pipe()``, Jupyter's inline display) needs
Graphviz's ``dot`` program.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import graphviz

from .engine import Value, is_constant, topological_order, type_name
from .files import write_atomically
from .steps import format_number, node_names, visible

INSTALL_HELP = (
    "Rendering needs Graphviz's 'dot' program, which is not installed (pip cannot install it).\n"
    "Install it with one of:\n"
    "    sudo apt-get install graphviz            # Debian, Ubuntu\n"
    "    brew install graphviz                    # macOS\n"
    "    conda install -c conda-forge graphviz    # conda\n"
    "Building the diagram and reading its .source work without it."
)


class GraphvizNotInstalled(graphviz.ExecutableNotFound):
    """Graphviz's ``dot`` is missing; the message says how to install it."""

    def __init__(self) -> None:
        RuntimeError.__init__(self, INSTALL_HELP)


PNG_DPI = 192  # files: twice the screen's 96, sharp when a projector enlarges them


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering errors say how to install Graphviz, and which shows
    in Jupyter as an SVG with a PNG beside it: a notebook opened untrusted, or on GitHub, shows
    the PNG (an SVG could carry scripts, so it is not shown there)."""

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            bundle = {"image/svg+xml": self.pipe(format="svg", encoding="utf-8"), "image/png": self.pipe_png(96)}
        except GraphvizNotInstalled as missing:
            bundle = {}
            text = f"<a draw_dot drawing: rendering it needs Graphviz>\n{missing}"
        else:
            text = "<a draw_dot drawing: shown as SVG, or as PNG where SVG is not shown>"
        bundle["text/plain"] = text
        return {k: v for k, v in bundle.items() if (include is None or k in include) and k not in (exclude or ())}

    def pipe_png(self, dpi: int = PNG_DPI, **kwargs) -> bytes:
        """The drawing as PNG at ``dpi`` dots per inch (72 points per inch: 192 is 2.67 px a point)."""
        copy = self.copy()
        copy.graph_attr["dpi"] = str(dpi)
        return Diagram.pipe(copy, format="png", **kwargs)

    def pipe(self, *args, **kwargs):
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotInstalled() from None

    def render(self, *args, **kwargs):
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotInstalled() from None


# Leaves, computed nodes and the output differ in shape and border, not only in colour,
# so the picture still reads when printed in grey.  Sizes are relative to ``fontsize``.
_FONT = "Helvetica"
FONTSIZE = 14.0  # points: legible in a notebook at 100%, and on a projector at 1280 px wide
_LEAF = {"shape": "Mrecord", "style": "filled", "fillcolor": "#d6e6f5", "color": "#2f5f8a", "penwidth": "1.4"}
_COMPUTED = {"shape": "record", "style": "filled", "fillcolor": "#ffffff", "color": "#555555"}
_OUTPUT = {
    "shape": "record",
    "style": "filled",
    "fillcolor": "#f7c99b",
    "color": "#6b3a0c",
    "penwidth": "2.2",
    "peripheries": "2",
}
_OPERATION = {"shape": "ellipse", "style": "filled", "fillcolor": "#eeeeee", "color": "#777777", "margin": "0.04,0.02"}
_CONSTANT = {
    "shape": "record",
    "style": "dashed,filled",
    "fillcolor": "#f4f4f4",
    "color": "#888888",
    "fontcolor": "#444444",
    "margin": "0.05,0.02",
}
_CONSTANT_EDGE = {"style": "dashed", "color": "#999999"}
_GROUP = {"style": "rounded,dashed", "color": "#9aaec2", "fontcolor": "#4d6680"}
_ACTIVE = {"color": "#c0392b", "penwidth": "3"}  # the node passing its gradient on, in animations
_FLOWING = {"color": "#c0392b", "fontcolor": "#c0392b", "penwidth": "2.4"}  # the edges it passes it along
_LOCAL_GRAD = {"fontcolor": "#1f5f99"}
_RANKDIRS = ("LR", "RL", "TB", "BT")
_NOT_COMPUTED = "—"


def _escape_record(text: str) -> str:
    """Text (already ``visible``) for a field of a Graphviz record label, shown exactly as typed:
    the characters that structure a record (``{}|<>``), spaces (separators there), quotes and
    backslashes are escaped, and ``&`` becomes ``&amp;`` (Graphviz reads entities in every label)."""
    text = text.replace("\\", "\\\\").replace("&", "&amp;")
    for ch in '{}|<>" ':
        text = text.replace(ch, "\\" + ch)
    return text


def _escape_plain(text: str) -> str:
    """Text for an ordinary Graphviz label, shown exactly as typed (``\\n`` breaks our own lines).
    Marked ``nohtml``: the graphviz package would otherwise take ``<…>`` for an HTML-like label."""
    text = text.replace("\\", "\\\\").replace("&", "&amp;").replace('"', '\\"').replace("\n", "\\n")
    return graphviz.nohtml(text)


MAX_EDGES = 3000  # Graphviz lays out a few thousand edges in seconds; 57,840 took it minutes


def check_draw_options(
    who: str, root: object, rankdir: str, max_nodes: int, precision: int, max_edges: int = MAX_EDGES, **flags: object
) -> list[Value]:
    """Validate the drawing options shared by ``draw_dot`` and ``animate_backward`` (``flags``
    must be bools), before anything runs; returns the graph's nodes in topological order."""
    if not isinstance(root, Value):
        raise TypeError(f"{who}() root must be a Value; got {type_name(root)}")
    if not isinstance(rankdir, str) or rankdir not in _RANKDIRS:
        raise ValueError(f"{who}() rankdir must be one of {', '.join(_RANKDIRS)}; got {rankdir!r}")
    for name, limit in (("max_nodes", max_nodes), ("max_edges", max_edges), ("precision", precision)):
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"{who}() {name} must be a positive int; got {limit!r}")
    for name, flag in flags.items():
        if not isinstance(flag, bool):
            raise TypeError(f"{who}() {name} must be True or False; got {flag!r}")
    nodes = topological_order(root)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"{who}(): the graph has {len(nodes)} Values, more than max_nodes={max_nodes}. "
            f"Draw a smaller graph, or raise the limit with {who}(root, max_nodes={len(nodes)}) "
            "(Graphviz gets slow, and the picture unreadable, on large graphs)."
        )
    edges = sum(len(node.parents) for node in nodes)
    if edges > max_edges:
        raise ValueError(
            f"{who}(): the graph has {edges} edges, more than max_edges={max_edges} (it has {len(nodes)} "
            f"Values, but fused operations such as softmax connect every input to every output). Draw a "
            f"smaller graph, or raise the limit with {who}(root, max_edges={edges}) (Graphviz may take minutes)."
        )
    return nodes


def check_fontsize(who: str, fontsize: object) -> float:
    if isinstance(fontsize, bool) or not isinstance(fontsize, (int, float)) or not 4 <= fontsize <= 200:
        raise ValueError(f"{who}() fontsize must be a number of points from 4 to 200; got {fontsize!r}")
    return float(fontsize)


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    max_nodes: int = 500,
    *,
    max_edges: int = MAX_EDGES,
    precision: int = 4,
    local_grads: bool = False,
    compact: bool = False,
    fontsize: float = FONTSIZE,
) -> Diagram:
    """The graph behind ``root`` as a ``graphviz.Digraph``, with data and grad on every Value.

    - one record per Value: its name, ``data`` and ``grad`` with ``precision`` significant
      digits (``nan`` and ``inf`` print as such).  The name is the label; ``nn`` labels its
      parameters (``W1[0,2]``, ``b1[2]``) and the numbers given to a model as inputs
      (``x₀``, ``x₁``), and a neuron's pre-activation and activation are named after the
      lesson's z₁ = W₁x + b₁, a₁ = σ(z₁): ``z1[2]``, ``a1[2]``; other nodes are named ``v``
      and their position in the graph;
    - one small node per operation (``+``, ``*``, ``tanh``, ``dot``, …) between a result
      and its parents; a loss of ``nn`` shows its targets beside it;
    - leaves (inputs, parameters) are shaded with rounded corners, computed nodes are white,
      the output has a double border; constants (numbers that became leaves, the 2 in
      ``2 * x``) are small dashed records showing only their value: nothing trains them.
      A model's inputs, and each layer's parameters, are kept together in a dashed group;
    - until ``backward()`` has run from ``root`` (its grad is still 0) gradients show as
      ``—`` (not computed) instead of a misleading 0 on every node;
    - ``local_grads=True`` writes on each edge into an operation the local derivative
      ∂node/∂parent: the number the chain rule multiplies by on that edge (one label per
      edge, placed by the layout so that no two texts overlap);
    - ``compact=True`` stacks each record's name, data and grad instead of putting them side
      by side: a narrower picture of a bigger graph;
    - ``fontsize`` (points) scales every text together: raise it for a projector.

    Node names follow a topological order, so the same graph gives the same ``.source`` in
    every run.  ``rankdir`` is Graphviz's layout direction (``"LR"``, ``"TB"``, …).  A graph
    of more than ``max_nodes`` Values or ``max_edges`` edges raises ``ValueError`` instead of
    hanging Graphviz.  Labels and operation names are text, never markup: they show exactly as
    typed, and characters no picture can show appear as visible stand-ins (see ``visible``).
    In Jupyter the result displays inline (an SVG, with a PNG beside it for viewers that do not
    show SVG); ``.render()`` or ``save_graph`` write files.
    """
    nodes = check_draw_options(
        "draw_dot", root, rankdir, max_nodes, precision, max_edges, local_grads=local_grads, compact=compact
    )
    fontsize = check_fontsize("draw_dot", fontsize)
    computed = not (type(root.grad) is float and root.grad == 0.0)  # a batched root's grad is an array
    grads = {node: node.grad for node in nodes} if computed else {}
    return diagram(
        root,
        nodes,
        grads,
        rankdir=rankdir,
        precision=precision,
        local_grads=local_grads,
        compact=compact,
        fontsize=fontsize,
    )


def diagram(
    root: Value,
    nodes: list[Value],
    grads: Mapping[Value, float],
    *,
    rankdir: str = "LR",
    precision: int = 4,
    local_grads: bool = False,
    compact: bool = False,
    fontsize: float = FONTSIZE,
    caption: str | None = None,
    active: Value | None = None,
    layout: Layout | None = None,
) -> Diagram:
    """The drawing of ``draw_dot``, for any state of the backward pass (``animate_backward``
    draws its frames with it): ``grads`` holds the gradients to show (a node missing from it
    shows ``—``); ``active`` is the node passing its gradient on, drawn highlighted together
    with its operation and the edges to its parents, which show their local derivatives.
    ``layout`` pins every node and edge where an earlier layout put them (see ``Layout``)."""

    def number(x: float) -> str:
        return format_number(x, precision)

    def points(scale: float) -> str:
        return f"{fontsize * scale:.3g}"

    if caption is None:
        caption = "grad = d(output)/d(node)" if grads else "grad — : not computed yet, call backward()"
        if local_grads:
            caption += ";  edge numbers: ∂node/∂parent"
        if any(is_constant(node) for node in nodes):
            caption += ";  dashed: constants (numbers in the formula, not trained)"
    names = node_names(nodes)
    pin = layout or Layout()
    spacing = fontsize / 11.0  # the gaps grow with the text
    out = Diagram(
        name="autograd",
        engine="neato" if layout else "dot",
        graph_attr={
            "rankdir": rankdir,
            "fontname": _FONT,
            "fontsize": points(0.9),
            "label": _escape_plain(caption),
            "labelloc": "b",
            "nodesep": f"{0.25 * spacing:.3g}",
            "ranksep": f"{0.35 * spacing:.3g}",
            "bgcolor": "white",
            **pin.graph,
        },
        node_attr={"fontname": _FONT, "fontsize": points(1.0)},
        edge_attr={"color": "#444444", "arrowsize": "0.7", "fontname": _FONT, "fontsize": points(0.85)},
    )
    # In a left-to-right layout Graphviz stacks a record's fields vertically; braces
    # flip them into one horizontal row, so every layout shows name | data | grad side by
    # side, unless compact asks for them stacked.
    horizontal = "{%s}" if (rankdir in ("LR", "RL")) != compact else "%s"
    ids = {node: f"v{i}" for i, node in enumerate(nodes)}
    groups: dict[str, list[str]] = {}
    small = {"fontsize": points(0.9), "height": f"{0.3 * spacing:.3g}", "width": f"{0.3 * spacing:.3g}"}
    for node in nodes:
        node_id = ids[node]
        if is_constant(node):
            label = horizontal % f"{_escape_record(names[node])} | const {number(node.data)}"
            out.node(node_id, label, **{**_CONSTANT, **small, **pin.node(node_id)})
            continue
        if not node.parents and (group := _group_of(names[node])):
            groups.setdefault(group, []).append(node_id)
        fields = [
            _escape_record(names[node]),
            f"data {number(node.data)}",
            f"grad {number(grads[node]) if node in grads else _NOT_COMPUTED}",
        ]
        style = _OUTPUT if node is root else _COMPUTED if node.parents else _LEAF
        if node is active:
            style = {**style, **_ACTIVE}
        out.node(node_id, horizontal % " | ".join(fields), id=node_id, **{**style, **pin.node(node_id)})
        if not node.parents:
            continue
        op_id = f"{node_id}_op"
        op_style = _OPERATION if node is not active else {**_OPERATION, **_ACTIVE}
        out.node(op_id, _escape_plain(visible(node.op)), id=op_id, **{**op_style, **small, **pin.node(op_id)})
        for k, (parent, local_grad) in enumerate(zip(node.parents, node.local_grads)):
            edge: dict[str, str] = dict(_CONSTANT_EDGE) if is_constant(parent) else {}
            if node is active:  # red, arrowheads kept: the caption says which way the gradient goes
                edge = dict(_FLOWING)
            if local_grads or node is active:
                # one label per edge (x * x has two), placed by the layout like a node: nothing overlaps
                # (a batch shows its first value only: an edge has little room)
                edge = {**_LOCAL_GRAD, **edge, "label": format_number(local_grad, precision, shown=1)}
            repeat = node.parents[:k].count(parent)  # x * x: the second edge from x
            out.edge(
                ids[parent],
                op_id,
                id=edge_id(ids[parent], op_id, repeat),
                **edge,
                **pin.edge(ids[parent], op_id, repeat),
            )
        out.edge(
            op_id,
            node_id,
            id=edge_id(op_id, node_id, 0),
            **(_FLOWING if node is active else {}),
            **pin.edge(op_id, node_id),
        )
        targets = getattr(node.op, "targets", None)
        if targets is not None:  # a loss's targets: the numbers it compares the predictions with
            target_id = f"{node_id}_targets"
            label = horizontal % f"targets | {_escape_record(format_number(targets, precision))}"
            out.node(target_id, label, **{**_CONSTANT, **small, **pin.node(target_id)})
            out.edge(target_id, op_id, **_CONSTANT_EDGE, **pin.edge(target_id, op_id))
    for i, (group, members) in enumerate(groups.items()):
        if len(members) > 1:
            with out.subgraph(name=f"cluster_{i}") as cluster:
                cluster.attr(
                    label=_escape_plain(group),
                    fontsize=points(0.85),
                    fontname=_FONT,
                    **_GROUP,
                    **pin.cluster(f"cluster_{i}"),
                )
                for member in members:
                    cluster.node(member)
    return out


def edge_id(tail: str, head: str, repeat: int = 0) -> str:
    """The id of an edge in a drawing (its SVG element's too): the repeat-th from tail to head."""
    return f"{tail}__{head}__{repeat}"


_SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉"


def _group_of(name: str) -> str | None:
    """The group a leaf is drawn in: a model's inputs (x₀, x₁, …) together, each layer's
    parameters (W1[…], b1[…]) together; None for any other leaf."""
    if name[:1] == "x" and len(name) > 1 and all(ch in _SUBSCRIPT_DIGITS for ch in name[1:]):
        return "inputs"
    bracket = name.find("[")
    if bracket > 0 and name[0] in "Wb" and name.endswith("]"):
        layer = name[1:bracket]
        return f"layer {layer} parameters" if layer.isdigit() else "parameters"
    return None


class Layout:
    """Where Graphviz put every node and edge of one drawing, to pin them there in others.

    ``Layout.of(diagram)`` runs ``dot`` once; a ``diagram(..., layout=…)`` drawn with it is laid
    out by ``neato -n2``, which takes positions as given.  The frames of an animation share
    one layout, so nothing moves between frames, only texts and colours change.
    """

    def __init__(
        self,
        graph: dict | None = None,
        nodes: dict | None = None,
        edges: dict | None = None,
        clusters: dict | None = None,
    ) -> None:
        self.graph: dict[str, str] = graph or {}
        self._nodes: dict[str, dict[str, str]] = nodes or {}
        self._edges: dict[tuple[str, str], list[dict[str, str]]] = edges or {}
        self._clusters: dict[str, dict[str, str]] = clusters or {}

    def cluster(self, name: str) -> dict[str, str]:
        return self._clusters.get(name, {})

    @classmethod
    def of(cls, drawing: graphviz.Digraph) -> Layout:
        laid_out = json.loads(drawing.pipe(format="json"))
        objects = laid_out.get("objects", [])
        nodes = {
            obj["name"]: {"pos": obj["pos"], "width": obj["width"], "height": obj["height"], "fixedsize": "true"}
            for obj in objects
            if "pos" in obj  # the groups (clusters) are objects too, with a bounding box instead
        }
        clusters = {
            obj["name"]: {key: obj[key] for key in ("bb", "lp") if key in obj}
            for obj in objects
            if "bb" in obj and "pos" not in obj
        }
        names = {obj["_gvid"]: obj["name"] for obj in objects}
        edges: dict[tuple[str, str], list[dict[str, str]]] = {}
        for e in laid_out.get("edges", []):
            pinned = {key: e[key] for key in ("pos", "lp") if key in e}  # lp: where its label goes
            edges.setdefault((names[e["tail"]], names[e["head"]]), []).append(pinned)
        graph = {key: laid_out[key] for key in ("bb", "lp") if key in laid_out}
        return cls(graph, nodes, edges, clusters)

    def node(self, name: str) -> dict[str, str]:
        return self._nodes.get(name, {})

    def edge(self, tail: str, head: str, i: int = 0) -> dict[str, str]:
        """The i-th edge from ``tail`` to ``head`` (two when a node uses a parent twice, x * x)."""
        found = self._edges.get((tail, head), [])
        return found[i] if i < len(found) else {}


def save_graph(root: Value, path: str | os.PathLike, **draw_options) -> Path:
    """Draw the graph behind ``root`` and write it to ``path`` in one call; returns the path.

    The format comes from the suffix: ``.svg``, ``.png``, ``.pdf`` (rendered by Graphviz's
    ``dot``), or ``.dot``/``.gv`` (the DOT source, which needs no Graphviz).  Options
    are those of ``draw_dot``.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"save_graph() path must be a str or a pathlib.Path; got {type_name(path)}")
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("dot", "gv", "svg", "png", "pdf"):
        raise ValueError(f"save_graph() cannot tell the format from {path.name!r}: use .svg, .png, .pdf or .dot")
    diagram = draw_dot(root, **draw_options)
    if fmt in ("dot", "gv"):
        data = diagram.source.encode("utf-8")
    else:  # a PNG at twice the screen's resolution, so that it stays sharp when projected
        data = diagram.pipe_png() if fmt == "png" else diagram.pipe(format=fmt)
    write_atomically(path, lambda f: f.write(data))
    return path
