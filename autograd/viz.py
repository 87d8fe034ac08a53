"""Pictures of the graph: every Value with its data and its gradient.

``draw_dot(root)`` returns a ``graphviz.Digraph`` (unrendered): one record per Value, one
small node per operation between a result and its parents, laid out left to right the
way the forward pass runs, so that after ``backward()`` you can read the gradients
flowing right to left.  Building it and reading ``.source`` need only the ``graphviz``
Python package; rendering (``.render()``, ``.pipe()``, Jupyter's inline display) needs
Graphviz's ``dot`` program.
"""

from __future__ import annotations

import os
from pathlib import Path

import graphviz

from .engine import Value, topological_order, type_name

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


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering errors say how to install Graphviz."""

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
# so the picture still reads when printed in grey.
_FONT = "Helvetica"
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
_OPERATION = {
    "shape": "ellipse",
    "style": "filled",
    "fillcolor": "#eeeeee",
    "color": "#777777",
    "fontsize": "10",
    "height": "0.3",
    "width": "0.3",
    "margin": "0.04,0.02",
}
_RANKDIRS = ("LR", "RL", "TB", "BT")
_NOT_COMPUTED = "—"


def _escape_record(text: str) -> str:
    """Escape the characters that structure a Graphviz record label (and backslashes)."""
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")


def _escape_plain(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def draw_dot(root: Value, rankdir: str = "LR", max_nodes: int = 500, *, precision: int = 4) -> Diagram:
    """The graph behind ``root`` as a ``graphviz.Digraph``, with data and grad on every Value.

    - one record per Value: its label (if any), ``data`` and ``grad`` with ``precision``
      significant digits (``nan`` and ``inf`` print as such);
    - one small node per operation (``+``, ``*``, ``tanh``, ``dot``, …) between a result
      and its parents;
    - leaves (inputs, parameters, constants) are shaded with rounded corners, computed
      nodes are white, the output has a double border;
    - until ``backward()`` has run from ``root`` (its grad is still 0) gradients show as
      ``—`` (not computed) instead of a misleading 0 on every node.

    Node names follow a topological order, so the same graph gives the same ``.source`` in
    every run.  ``rankdir`` is Graphviz's layout direction (``"LR"``, ``"TB"``, …).  A graph
    of more than ``max_nodes`` Values raises ``ValueError`` instead of hanging Graphviz.
    In Jupyter the result displays inline; ``.render()`` or ``save_graph`` write files.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot() root must be a Value; got {type_name(root)}")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_dot() rankdir must be one of {', '.join(_RANKDIRS)}; got {rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_dot() max_nodes must be a positive int; got {max_nodes!r}")
    if isinstance(precision, bool) or not isinstance(precision, int) or precision < 1:
        raise ValueError(f"draw_dot() precision must be a positive int; got {precision!r}")

    nodes = topological_order(root)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"draw_dot(): the graph has {len(nodes)} Values, more than max_nodes={max_nodes}. "
            f"Draw a smaller graph, or raise the limit with draw_dot(root, max_nodes={len(nodes)}) "
            "(Graphviz gets slow, and the picture unreadable, on large graphs)."
        )

    grads_computed = root.grad != 0.0

    def number(x: float) -> str:
        return format(x + 0.0, f".{precision}g")  # + 0.0 turns −0.0 into 0.0: no "-0" on screen

    caption = "grad = d(output)/d(node)" if grads_computed else "grad — : not computed yet, call backward()"
    diagram = Diagram(
        name="autograd",
        graph_attr={
            "rankdir": rankdir,
            "fontname": _FONT,
            "fontsize": "10",
            "label": caption,
            "labelloc": "b",
            "nodesep": "0.25",
            "ranksep": "0.35",
            "bgcolor": "white",
        },
        node_attr={"fontname": _FONT, "fontsize": "11"},
        edge_attr={"color": "#444444", "arrowsize": "0.7"},
    )
    # In a left-to-right layout Graphviz stacks a record's fields vertically; braces
    # flip them back into one horizontal row, so every layout shows label | data | grad.
    horizontal = "{%s}" if rankdir in ("LR", "RL") else "%s"
    names: dict[Value, str] = {}
    for i, node in enumerate(nodes):
        name = names[node] = f"v{i}"
        fields = [_escape_record(node.label)] if node.label else []
        fields.append(f"data {number(node.data)}")
        fields.append(f"grad {number(node.grad) if grads_computed else _NOT_COMPUTED}")
        style = _OUTPUT if node is root else _COMPUTED if node.parents else _LEAF
        diagram.node(name, horizontal % " | ".join(fields), **style)
        if node.parents:
            op_name = f"{name}_op"
            diagram.node(op_name, _escape_plain(node.op), **_OPERATION)
            for parent in node.parents:
                diagram.edge(names[parent], op_name)
            diagram.edge(op_name, name)
    return diagram


def save_graph(root: Value, path: str | os.PathLike, **draw_options) -> Path:
    """Draw the graph behind ``root`` and write it to ``path`` in one call; returns the path.

    The format comes from the suffix: ``.svg``, ``.png``, ``.pdf`` (rendered by Graphviz's
    ``dot``), or ``.dot``/``.gv`` (the DOT source, which needs no Graphviz).  Options
    are those of ``draw_dot``.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    diagram = draw_dot(root, **draw_options)
    if fmt in ("dot", "gv"):
        path.write_text(diagram.source, encoding="utf-8")
    elif fmt in ("svg", "png", "pdf"):
        path.write_bytes(diagram.pipe(format=fmt))
    else:
        raise ValueError(f"save_graph() cannot tell the format from {path.name!r}: use .svg, .png, .pdf or .dot")
    return path
