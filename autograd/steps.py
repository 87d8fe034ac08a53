"""The backward pass as a list of chain-rule steps, each with names and numbers.

``backward_steps(root)`` runs exactly ``root.backward()`` (the engine's own loop, watched)
and returns one step per (node, parent) edge, in the order the loop took them::

    parent.grad += ∂node/∂parent × node.grad

Printed, the list is the chain rule written out, one line per step.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .batching import summary
from .engine import Value, _edge_by_edge, run_backward, topological_order, type_name


def node_names(nodes: list[Value]) -> dict[Value, str]:
    """A name for each node, as drawings and steps show it: its label (see ``visible``), else
    the lesson's name of a neuron's pre-activation or activation (see ``_lesson_name``), else
    ``v`` and its position in ``nodes`` (a topological order, so names are stable from run to run)."""
    names: dict[Value, str] = {}
    for i, node in enumerate(nodes):  # parents first, so a node's name may build on its parent's
        names[node] = visible(node.label) if node.label else _lesson_name(node, names) or f"v{i}"
    return names


_ACTIVATIONS = frozenset({"relu", "tanh", "sigmoid", "gelu", "silu", "leaky_relu"})


def _lesson_name(node: Value, names: dict[Value, str]) -> str | None:
    """The lesson's z₁ = W₁x + b₁, a₁ = σ(z₁) for what ``nn`` computes: a ``dot`` node whose bias is
    a parameter named ``b1[2]`` is the pre-activation ``z1[2]``, and the activation of a node named
    ``z1[2]`` is ``a1[2]`` (a lone Neuron's are z and a).  Worked out when drawing, so building
    the graph pays nothing for it.  A loss of ``nn`` is ``L``."""
    if not node.parents:
        return None
    if getattr(node.op, "targets", None) is not None:  # a loss of nn (its op carries the targets)
        return "L"
    if node.op == "dot":
        index = _index_of("b", names.get(node.parents[-1], ""))
        return None if index is None else "z" + index
    if node.op in _ACTIVATIONS and len(node.parents) == 1:
        index = _index_of("z", names.get(node.parents[0], ""))
        return None if index is None else "a" + index
    return None


def _index_of(letter: str, name: str) -> str | None:
    """What follows ``letter`` in a name such as b1[2], b[2] or b (its layer and neuron), or None."""
    if name[:1] != letter or not (len(name) == 1 or name[1] == "[" or name[1].isdigit()):
        return None
    return name[1:]


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def visible(text: str) -> str:
    """``text`` with every character that no picture can show replaced by a visible stand-in.

    Control characters become their Unicode control pictures (a NUL is ␀, a newline ␊, a
    carriage return ␍, DEL ␡); line and paragraph separators, bidirectional overrides (which
    would reorder what is drawn) and lone surrogates (which cannot be written as UTF-8) become
    �.  Everything else, markup included, is kept: each output escapes it for itself.
    """
    if text.isprintable():  # the common case; False also for separators such as U+00A0
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if code < 0x20:
            out.append(chr(0x2400 + code))
        elif code == 0x7F:
            out.append("\u2421")
        elif ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp"):
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def format_number(x: object, precision: int = 4, shown: int = 3) -> str:
    """``x`` with ``precision`` significant digits; −0 shows as 0 (no "-0" on screen).  A batch
    shows its size and first values, ``[n=100: 0.1, -2.3, 0.5, …]``."""
    if type(x) is float:
        return format(x + 0.0, f".{precision}g")
    return summary(x, shown, precision)


@dataclass(frozen=True)
class BackwardStep:
    """One step of the chain rule: ``parent.grad += local_grad × upstream``.

    ``local_grad`` is ∂node/∂parent, ``upstream`` is d root/d node (the gradient the node passes
    on), ``contribution = local_grad × upstream``, and ``parent_grad`` the parent's ``.grad``
    right after this step.
    """

    node: Value
    parent: Value
    local_grad: float
    upstream: float
    contribution: float
    parent_grad: float
    names: Mapping[Value, str] = field(repr=False, compare=False)

    def __str__(self) -> str:
        node, parent = self.names[self.node], self.names[self.parent]
        n = format_number
        return (
            f"{parent}.grad += ∂{node}/∂{parent} × {node}.grad = {n(self.local_grad)} × {n(self.upstream)} "
            f"= {n(self.contribution)}  →  {parent}.grad = {n(self.parent_grad)}"
        )


class BackwardSteps(list):
    """The steps of one backward pass; printed, one line of the chain rule per step."""

    def __str__(self) -> str:
        return "\n".join(map(str, self))

    def __getitem__(self, index):  # a slice of the steps prints as steps too
        item = super().__getitem__(index)
        return BackwardSteps(item) if isinstance(index, slice) else item

    def of(self, *nodes: Value) -> BackwardSteps:
        """The steps taken by the given nodes (as they pass their gradients on)."""
        return BackwardSteps(step for step in self if any(step.node is node for node in nodes))


class _NamesBelow(Mapping):
    """The names of the graph below ``node`` (as ``draw_dot(node)`` shows them), worked out the
    first time a step is printed: a walk by hand over a big graph should not sort it every step."""

    def __init__(self, node: Value) -> None:
        self._node = node
        self._names: dict[Value, str] | None = None

    def _all(self) -> dict[Value, str]:
        if self._names is None:
            self._names = node_names(topological_order(self._node))
        return self._names

    def __getitem__(self, node: Value) -> str:
        return self._all()[node]

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


Step = tuple[Value, Value, Any, Any, Any, Any]  # node, parent, local_grad, upstream, contribution, parent_grad


def _replay(node: Value, upstream: Any) -> list[Step]:
    """The steps ``node`` takes when it passes ``upstream`` to its parents, computed as the backward
    loop computes them (the same float operations in the same order, so the same bits), from the
    parents' gradients as they are now.  A parent may appear twice (x * x): its second step adds
    to its first."""
    steps: list[Step] = []
    running: dict[int, Any] = {}
    for parent, local_grad in zip(node.parents, node.local_grads):
        before = running.get(id(parent), parent.grad)
        if before is None:  # data that wants no gradient: the edge is not taken (see EdgeBlock)
            continue
        contribution = local_grad * upstream
        after = running[id(parent)] = before + contribution  # a new array for a batch: the loop adds in place
        steps.append((node, parent, local_grad, upstream, contribution, after))
    return steps


def step_at(node: Value) -> BackwardSteps:
    """``node.backward_step()``: one node's step of the chain rule, taken and returned."""
    upstream = node.grad
    steps = _replay(node, upstream)
    _edge_by_edge(node)  # the rule itself, as the backward loop takes it edge by edge
    names = _NamesBelow(node)
    return BackwardSteps(BackwardStep(*step, names=names) for step in steps)


def backward_steps(root: Value, grad: float = 1.0) -> BackwardSteps:
    """Run ``root.backward(grad)`` and return its chain-rule steps, in the order they were taken.

    It is the same pass, not a re-run of it: the engine's backward loop calls back before each
    node passes its gradient on, and each step's ``parent_grad`` replays that node's additions
    in the loop's order from the parents' gradients at that moment (the same float operations,
    so the same bits).  Leaves accumulate as in ``backward()``; gradients afterwards are identical
    (in a batched graph, where ``backward()`` takes a layer's edges with matrix products, equal
    up to the order in which the same contributions were summed).
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps() root must be a Value; got {type_name(root)}")
    steps: list[Step] = []

    def watch(node: Value, upstream: float) -> None:
        # Called just before the loop adds this node's contributions (see _replay).
        steps.extend(_replay(node, upstream))

    order = run_backward(root, grad, watch)
    names = node_names(order)
    return BackwardSteps(BackwardStep(*step, names=names) for step in steps)
