"""Fused n-ary operations: each is ONE node in the graph, not a chain of binary nodes.

``sum(xs)`` over 100 Values is one node with 100 parents instead of 99 ``+`` nodes:
a shallow graph (a readable picture, a short backward), better numerics (``math.fsum``,
softmax shifted by its maximum) and far fewer Python objects.  Each docstring states
the local Jacobian that the node stores.

All of them accept Values and plain numbers mixed (numbers become constant leaves), and
raise ``ValueError`` for an empty sequence or sequences of different lengths.  With a batched
input (see batching.py) each hands over to its batched twin there.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, repeat
from operator import mul

from . import batching, ieee
from .batching import any_batched, is_batched
from .engine import BackwardPass, EdgeBlock, Value, _new, _node, as_float, constant, type_name

Scalar = Value | float | int


def as_values(values: Iterable[Scalar], func: str, arg: str = "values") -> list[Value]:
    """``values`` as a non-empty list of Values; numbers become constant leaves.

    Raises ``TypeError`` naming the offending element, ``ValueError`` when empty.
    """
    if isinstance(values, (Value, str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{func}() {arg} must be a sequence of Values or numbers; got {type_name(values)}")
    if isinstance(values, (set, frozenset, dict)):
        raise TypeError(
            f"{func}() {arg} must be a sequence (a list or tuple); got a {type_name(values)}, whose order is "
            "not the order you wrote it in"
        )
    out: list = list(values)
    if not all(map(isinstance, out, repeat(Value))):  # (checked in C: a model's parameters are all Values)
        for i, v in enumerate(out):
            if not isinstance(v, Value):
                try:
                    out[i] = constant(as_float(v))
                except TypeError as e:
                    raise TypeError(f"{func}() {arg}[{i}]: {e}") from None
    if not out:
        raise ValueError(f"{func}() got an empty sequence for {arg}")
    return out


def sum(values: Iterable[Scalar]) -> Value:
    """Σᵢ xᵢ (summed exactly with ``math.fsum``);  ∂/∂xᵢ = 1."""
    xs = as_values(values, "sum")
    if any_batched(xs):
        return batching.sum_(xs)
    return _node(ieee.fsum([x.data for x in xs]), tuple(xs), (1.0,) * len(xs), "sum")


def mean(values: Iterable[Scalar]) -> Value:
    """(1/n) Σᵢ xᵢ;  ∂/∂xᵢ = 1/n."""
    xs = as_values(values, "mean")
    if any_batched(xs):
        return batching.mean_(xs)
    n = len(xs)
    return _node(ieee.fsum([x.data for x in xs]) / n, tuple(xs), (1.0 / n,) * n, "mean")


def dot(xs: Iterable[Scalar], ws: Iterable[Scalar], *, bias: Scalar | None = None) -> Value:
    """Σᵢ xᵢ·wᵢ (+ b);  ∂/∂xᵢ = wᵢ,  ∂/∂wᵢ = xᵢ,  ∂/∂b = 1.

    With ``bias`` it is a neuron's whole pre-activation w·x + b in one node.  The
    products are added left to right, starting from the bias, as a hand-written loop
    would (``sum`` and ``mean`` use the exactly rounded ``math.fsum``; here the speed of a
    neuron's forward pass matters more).
    """
    xs = as_values(xs, "dot", "xs")
    ws = as_values(ws, "dot", "ws")
    if len(xs) != len(ws):
        raise ValueError(f"dot() got sequences of different lengths: xs has {len(xs)}, ws has {len(ws)}")
    b = None if bias is None else as_values([bias], "dot", "bias")[0]
    if any_batched(xs) or any_batched(ws) or (b is not None and is_batched(b)):
        return batching.dot_(xs, ws, b)
    return affine(xs, ws, b)


def affine(xs: list[Value], ws: list[Value], b: Value | None, x_data: list[float] | None = None) -> Value:
    """``dot`` without the argument checks, for callers that have done them (``nn``).

    Parents are (x₁…xₙ, w₁…wₙ[, b]) and their local gradients (w₁…wₙ, x₁…xₙ[, 1]).  A
    layer passes ``x_data`` (its inputs' values), read once for all of its neurons.
    """
    if x_data is None:
        x_data = [x.data for x in xs]
    # dot(v, v), a sum of squares such as an L2 penalty on model.parameters(), reads each value once
    # (a layer's weight reads its number through a property: autograd.parameters)
    w_data = x_data if ws == xs else [w.data for w in ws]
    if b is None:
        return _node(builtins.sum(map(mul, x_data, w_data)), (*xs, *ws), (*w_data, *x_data), "dot")
    # b + x₁w₁ + x₂w₂ + …, left to right: the order of a hand-written loop (and micrograd's)
    return _node(builtins.sum(map(mul, x_data, w_data), b.data), (*xs, *ws, b), (*w_data, *x_data, 1.0), "dot")


def affine_row(
    xs: tuple[Value, ...],
    x_data: list[float],
    ws: tuple[Value, ...],
    w_data: list[float],
    b: Value | None,
    b_data: float,
) -> Value:
    """``affine`` for a layer whose parameters sit in one store (``autograd.parameters``) and
    whose inputs are not parameters: the values (``w_data``, ``b_data``) come read, and the
    local derivatives are an ``AffineEdges``.  The same node, the same numbers."""
    edges = _new(AffineEdges)  # (slots set here: an __init__ call would cost a third of the node)
    edges.xs, edges.x_data, edges.ws, edges.w_data, edges.b = xs, x_data, ws, w_data, b
    if b is None:
        return _node(builtins.sum(map(mul, x_data, w_data)), (*xs, *ws), edges, "dot")
    return _node(builtins.sum(map(mul, x_data, w_data), b_data), (*xs, *ws, b), edges, "dot")


_ONE = (1.0,)  # the bias's local derivative


class AffineEdges(EdgeBlock):
    """The local derivatives of a layer neuron's dot node, ∂/∂xₖ = wₖ, ∂/∂wₖ = xₖ, ∂/∂b = 1,
    kept as the lists of values that a layer's neurons share (the inputs' for one sample, the
    weights' until the next step), beside the parents they belong to.

    Backward, watched or not, runs the rule ``parent.grad += local_grad · node.grad`` on
    input k's edge and weight k's side by side, then on the bias's: each edge's own product,
    and each parent's contributions in the order of the parents, since no input is one of the
    weights (the caller makes sure: ``autograd.parameters.any_parameter``).  Not one loop
    over the parents because the inputs are Values and the weights ``Parameter``s: CPython
    speeds up ``parent.grad`` for one class of object per line of code, and a line that met
    both would lose that on every edge.  The weights and bias are leaves (Parameters always
    are), so only the inputs are visited after this node."""

    __slots__ = ("xs", "x_data", "ws", "w_data", "b")

    xs: tuple[Value, ...]
    x_data: list[float]
    ws: tuple[Value, ...]
    w_data: list[float]
    b: Value | None

    def __len__(self) -> int:
        return len(self.xs) + len(self.ws) + (self.b is not None)

    def __getitem__(self, i):
        return tuple(self)[i]  # (drawings and backward_steps iterate instead)

    def __iter__(self) -> Iterator[float]:
        if self.b is None:
            return chain(self.w_data, self.x_data)
        return chain(self.w_data, self.x_data, _ONE)

    def edge_by_edge(self, node: Value, backward: BackwardPass | None = None) -> None:
        g = node.grad
        for x, w, p, xv in zip(self.xs, self.w_data, self.ws, self.x_data):
            x.grad += w * g
            p.grad += xv * g
        if self.b is not None:
            self.b.grad += g  # the local derivative 1: 1.0 · g is g, to the bit

    accumulate = edge_by_edge  # one node's edges are its whole block (and a call fewer per node)

    def operations(self, parents: Sequence[Value]) -> Sequence[Value]:
        return self.xs


def shifted_exps(x_data: list[float]) -> tuple[float, list[float], float]:
    """(m, [e^(xᵢ−m)], Σ e^(xᵢ−m)) with m = max xᵢ, so no exponential overflows.

    When the maximum is ±inf (or nan) there is nothing finite to shift by, so m = 0 and
    the IEEE results follow (logsumexp of all −inf is −inf, with +inf it is +inf).
    """
    m = builtins.max(x_data)
    if not math.isfinite(m):
        m = 0.0
    exps = [ieee.exp(x - m) for x in x_data]
    return m, exps, ieee.fsum(exps)


def logsumexp(values: Iterable[Scalar]) -> Value:
    """log Σᵢ e^(xᵢ) = m + log Σᵢ e^(xᵢ − m) with m = max xᵢ;  ∂/∂xᵢ = softmax(x)ᵢ."""
    xs = as_values(values, "logsumexp")
    if any_batched(xs):
        return batching.logsumexp_(xs)
    m, exps, total = shifted_exps([x.data for x in xs])
    probs = tuple(ieee.div(e, total) for e in exps)
    return _node(m + ieee.log(total), tuple(xs), probs, "logsumexp")


def softmax(values: Iterable[Scalar]) -> list[Value]:
    """sᵢ = e^(xᵢ) / Σⱼ e^(xⱼ) (shifted by the max);  ∂sᵢ/∂xⱼ = sᵢ·(δᵢⱼ − sⱼ).

    Returns one node per output, each with every input as a parent.
    """
    xs = as_values(values, "softmax")
    if any_batched(xs):
        return batching.softmax_(xs)
    _, exps, total = shifted_exps([x.data for x in xs])
    probs = [ieee.div(e, total) for e in exps]
    parents = tuple(xs)
    return [
        _node(s_i, parents, tuple((s_i if i == j else 0.0) - s_i * s_j for j, s_j in enumerate(probs)), "softmax")
        for i, s_i in enumerate(probs)
    ]


def log_softmax(values: Iterable[Scalar]) -> list[Value]:
    """yᵢ = xᵢ − logsumexp(x) = (xᵢ − m) − log Σⱼ e^(xⱼ − m);  ∂yᵢ/∂xⱼ = δᵢⱼ − softmax(x)ⱼ."""
    xs = as_values(values, "log_softmax")
    if any_batched(xs):
        return batching.log_softmax_(xs)
    x_data = [x.data for x in xs]
    m, exps, total = shifted_exps(x_data)
    log_total = ieee.log(total)
    probs = [ieee.div(e, total) for e in exps]
    parents = tuple(xs)
    return [
        _node(
            (x_i - m) - log_total,
            parents,
            tuple((1.0 if i == j else 0.0) - s_j for j, s_j in enumerate(probs)),
            "log_softmax",
        )
        for i, x_i in enumerate(x_data)
    ]
