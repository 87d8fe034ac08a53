"""Batched mode: the graph you build for one sample runs once for a whole batch.

``autograd.batch(X)`` turns a dataset of shape (n_samples, n_features) into one leaf per
feature whose ``data`` is that feature's column, a NumPy array of n values.  Everything
computed from such a leaf is a ``Batched`` node: the same node the per-sample code builds,
holding one value per sample.  Each box of the drawing holds a column.

This module holds every operation's **batching rule**, each beside a pointer to its scalar
twin in ``engine.py`` or ``fused.py``: the same value and the same local derivatives, written
with NumPy over the samples.  It builds on what the engine exports and the engine knows
nothing of it: ``Batched`` is a subclass of ``Value`` that overrides each operation (Python
asks a subclass's reflected operator first, so ``w * x`` with a scalar ``w`` and a batched
``x`` lands here too), and ``Batched.from_operation`` builds your own operations on it.

Backward needs nothing new.  Its rule is still ``parent.grad += local_grad · node.grad`` on
every edge, with arrays for batched nodes.  Two things are particular to a batch:

- A scalar parent of a batched node (a weight in ``w · x``) gets the sum over the samples,
  Σᵢ local_gradᵢ · gradᵢ: such an edge stores its local derivatives wrapped in
  ``SumOverSamples``, whose product with the node's gradient *is* that sum.  Parameters
  therefore get plain float gradients and the optimisers work unchanged.
- A neuron of a layer has hundreds of edges.  Its local derivatives are a ``NeuronEdges``
  (an ``EdgeBlock``): one derivative per edge as always, but backward gets all of the
  weights' contributions from one matrix-vector product and all of the inputs' from one
  outer product, the numbers the edges would get one by one.

The data itself wants no gradient (PyTorch's ``requires_grad=False``): ``batch(X)`` gives
leaves whose ``grad`` is None, and backward computes nothing for them, which is most of the
work of a first layer.  ``batch(X, requires_grad=True)`` asks for those gradients.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from operator import attrgetter
from typing import Any, TypeGuard

import numpy as np

from . import ieee
from .engine import BackwardPass, EdgeBlock, Value, as_float, make_leaf, make_node, operand, type_name
from .parameters import shared_store, view

Data = float | np.ndarray

_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class Batched(Value):
    """A Value that holds one value per sample: ``data`` (and, after backward, ``grad``) are
    1-D float64 arrays of the batch's length.  Made by ``autograd.batch`` and by every
    operation with a batched operand; each operation below is the batched twin of the
    ``Value`` method of the same name."""

    __slots__ = ()

    data: np.ndarray  # type: ignore[assignment]  # one value per sample
    grad: Any  # an array after backward (0.0 before); None for data that wants no gradient

    @classmethod
    def from_operation(cls, data: object, parents: tuple, local_grads: tuple, op: str, label: str) -> Value:
        """``Value(data, parents=…, local_grads=…, op=…)`` with a batched parent (see
        ``Value.__new__``): the node, with ``data`` and each local derivative a number or one
        value per sample; a number as ``data`` makes a scalar node (a reduction)."""
        n = _length(data, parents)
        values = _per_sample(data, n, "data")
        grads = tuple(_per_sample(g, n, f"local_grads[{i}]") for i, g in enumerate(local_grads))
        out = node(values, parents, grads, op)
        out.label = label
        return out

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Batched(n={len(self.data)}, data={summary(self.data)}, grad={summary(self.grad)}{label})"

    def __format__(self, spec: str) -> str:
        return repr(self) if not spec else "[" + ", ".join(format(x, spec) for x in self.data) + "]"

    def _seed(self, grad: object) -> np.ndarray:  # type: ignore[override]
        """A batched root needs a gradient per sample to start backward from."""
        if self.grad is None:
            raise ValueError(
                f"backward() from {self.label or 'a batch input'}, which wants no gradient: "
                "make it with autograd.batch(X, requires_grad=True)"
            )
        seed = np.asarray(grad, dtype=float) if not isinstance(grad, Value) else None
        if seed is None or seed.shape != self.data.shape:
            raise ValueError(
                f"backward() from a batched Value needs grad= with one value per sample ({len(self.data)}); got "
                f"{type_name(grad) if seed is None else f'shape {seed.shape}'}. To train on the batch, reduce it "
                "to one number first: autograd.batch_mean(v) or a loss from nn"
            )
        return seed

    # ---- binary arithmetic: twins of Value.__add__ … Value.__rpow__ -----------------------

    def __add__(self, other: object) -> Value:
        o = _operand(other, self)
        return NotImplemented if o is None else node(self.data + o.data, (self, o), (1.0, 1.0), "+")

    def __radd__(self, other: object) -> Value:
        o = _operand(other, self)
        return NotImplemented if o is None else node(o.data + self.data, (o, self), (1.0, 1.0), "+")

    def __sub__(self, other: object) -> Value:
        o = _operand(other, self)
        return NotImplemented if o is None else node(self.data - o.data, (self, o), (1.0, -1.0), "-")

    def __rsub__(self, other: object) -> Value:
        o = _operand(other, self)
        return NotImplemented if o is None else node(o.data - self.data, (o, self), (1.0, -1.0), "-")

    def __mul__(self, other: object) -> Value:
        o = _operand(other, self)
        return NotImplemented if o is None else _mul(self, o)

    def __rmul__(self, other: object) -> Value:
        o = _operand(other, self)
        return NotImplemented if o is None else _mul(o, self)

    def __truediv__(self, other: object) -> Value:
        o = _operand(other, self)
        return NotImplemented if o is None else _div(self, o)

    def __rtruediv__(self, other: object) -> Value:
        o = _operand(other, self)
        return NotImplemented if o is None else _div(o, self)

    def __pow__(self, exponent: object) -> Value:
        if isinstance(exponent, Value):
            return _power(self, _operand(exponent, self))  # type: ignore[arg-type]
        if _operand(exponent, self) is None:
            return NotImplemented
        n, x = as_float(exponent), self.data
        with np.errstate(all="ignore"):
            local = np.zeros_like(x) if n == 0.0 else n * np.power(x, n - 1.0)
            return unary(np.power(x, n), self, local, f"**{n:g}")

    def __rpow__(self, base: object) -> Value:
        o = _operand(base, self)
        return NotImplemented if o is None else _power(o, self)

    # ---- unary operations: twins of Value.__neg__ … Value.softplus -------------------------

    def __neg__(self) -> Value:
        return unary(-self.data, self, -1.0, "neg")

    def __abs__(self) -> Value:
        x = self.data
        return unary(np.abs(x), self, np.sign(x), "abs")  # sign(0) = 0, sign(nan) = nan

    def exp(self) -> Value:
        with np.errstate(over="ignore"):
            e = np.exp(self.data)
        return unary(e, self, e, "exp")

    def log(self) -> Value:
        x = self.data
        with np.errstate(all="ignore"):
            return unary(np.log(x), self, 1.0 / x, "log")

    def sqrt(self) -> Value:
        with np.errstate(all="ignore"):
            s = np.sqrt(self.data)
            return unary(s, self, 1.0 / (2.0 * s), "sqrt")

    def tanh(self) -> Value:
        t = _tanh(self.data)
        return unary(t, self, (1.0 - t) * (1.0 + t), "tanh")

    def sigmoid(self) -> Value:
        s = sigmoid(self.data)
        return unary(s, self, (1.0 - s) * s, "sigmoid")

    def relu(self) -> Value:
        x = self.data
        passes = ~(x <= 0.0)  # nan is not <= 0, so it passes through with slope 1 (as the scalar rule)
        return unary(np.where(passes, x, 0.0), self, passes.astype(float), "relu")

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        slope = as_float(negative_slope, "leaky_relu() negative_slope")
        x = self.data
        positive = x > 0.0
        return unary(np.where(positive, x, slope * x), self, np.where(positive, 1.0, slope), "leaky_relu")

    def gelu(self) -> Value:
        x = self.data
        cdf = 0.5 * (1.0 + _erf(x * _SQRT1_2))
        pdf = _INV_SQRT_2PI * np.exp(-0.5 * x * x)
        return unary(x * cdf, self, cdf + x * pdf, "gelu")

    def silu(self) -> Value:
        x = self.data
        s = sigmoid(x)
        return unary(x * s, self, s * (1.0 + x * (1.0 - s)), "silu")

    def softplus(self) -> Value:
        x = self.data
        out = np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))
        return unary(out, self, sigmoid(x), "softplus")


def _mul(a: Value, b: Value) -> Value:
    """a · b;  ∂/∂a = b,  ∂/∂b = a.  Twin of Value.__mul__."""
    return node(a.data * b.data, (a, b), (b.data, a.data), "*")


def _div(a: Value, b: Value) -> Value:
    """a / b;  ∂/∂a = 1/b,  ∂/∂b = −(a/b)/b.  Twin of Value.__truediv__."""
    with np.errstate(all="ignore"):
        out = np.divide(a.data, b.data)
        return node(out, (a, b), (np.divide(1.0, b.data), -np.divide(out, b.data)), "/")


def _power(base: Value, exponent: Value) -> Value:
    """aᵇ;  ∂/∂a = b·aᵇ⁻¹ (0 where b = 0),  ∂/∂b = aᵇ·ln a (0 where a = 0 and b ≥ 0).  Twin of
    engine._power."""
    a, b = np.asarray(base.data, dtype=float), np.asarray(exponent.data, dtype=float)
    with np.errstate(all="ignore"):
        out = np.power(a, b)
        d_base = np.where(b == 0.0, 0.0, b * np.power(a, b - 1.0))
        d_exponent = np.where((a == 0.0) & (b >= 0.0), 0.0, out * np.log(a))
    return node(out, (base, exponent), (d_base, d_exponent), "**")


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^(−x)), twin of ieee.sigmoid: e^(−x) may overflow to inf, giving 0."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def _per_sample_function(f):
    """``f`` (a ``math`` function) applied to each sample: the scalar rule's own function.
    For erf NumPy has none; for tanh, NumPy's differs from ``math.tanh`` in the last bit near
    ±1, where the derivative (1 − t)(1 + t) turns one ulp into a relative error of 1e-11."""
    ufunc = np.frompyfunc(f, 1, 1)
    return lambda x: ufunc(x).astype(float)


_erf = _per_sample_function(math.erf)
_tanh = _per_sample_function(math.tanh)


def _operand(x: object, batched: Batched) -> Value | None:
    """The other operand as a Value (numbers become constants), or None: as engine's operand.
    Two batches of different lengths are refused here, before NumPy tries to combine them."""
    o = operand(x)
    if type(o) is Batched and len(o.data) != len(batched.data):
        raise ValueError(
            f"batches of different lengths meet in one operation: {len(batched.data)} and {len(o.data)} samples"
        )
    return o


# ---- the node: batched data, and a reduction on every edge to a scalar parent -------------


class SumOverSamples:
    """The local derivative of a batched node with respect to a *scalar* parent.

    In the backward loop ``parent.grad += local_grad · node.grad`` the node's gradient is an
    array over the samples, and a scalar parent (a weight) must receive one number: the sum
    over the samples of local derivative × gradient.  This wrapper makes that product the
    sum, so the loop itself is unchanged.
    """

    __slots__ = ("local",)

    def __init__(self, local: Data) -> None:
        self.local = local

    def __mul__(self, grad: Data) -> float:
        if isinstance(self.local, np.ndarray):
            return float(np.dot(self.local, grad))
        return float(self.local * np.asarray(grad).sum())

    def __repr__(self) -> str:
        return f"SumOverSamples({summary(self.local)})"


class Edges(EdgeBlock):
    """The local derivatives of a node with a parent that wants no gradient (a batch of data):
    the engine's rule edge by edge, passing over that parent (see ``EdgeBlock``)."""

    __slots__ = ("grads",)

    def __init__(self, grads: tuple) -> None:
        self.grads = grads

    def __len__(self) -> int:
        return len(self.grads)

    def __getitem__(self, i):
        return self.grads[i]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.grads)


def unary(data: np.ndarray, parent: Batched, local_grad: Data, op: str) -> Value:
    """``node`` for an operation on one batched parent, where nothing needs wrapping (hot path)."""
    grads = (local_grad,) if parent.grad is not None else Edges((local_grad,))
    return make_node(Batched, data, (parent,), grads, op)


def node(data: Data, parents: tuple, local_grads: tuple, op: str) -> Value:
    """A new node of a batched graph (twin of engine._node; under ``no_grad()`` a leaf).

    With array data it is ``Batched``; with a number it is a scalar ``Value``, a reduction over
    the samples such as a loss, whose local derivatives towards batched parents are arrays.
    Each local derivative towards a scalar parent of a batched node is wrapped in
    ``SumOverSamples``.
    """
    n = _length(data, parents)
    if isinstance(data, np.ndarray) and data.ndim == 1:
        grads = tuple(
            g if type(p) is Batched or isinstance(g, SumOverSamples) else SumOverSamples(g)
            for p, g in zip(parents, local_grads)
        )
        cls: type[Value] = Batched
    else:  # a reduction: one local derivative per sample towards each batched parent
        grads = tuple(
            np.broadcast_to(np.asarray(g, dtype=float), (n,))
            if type(p) is Batched
            else float(np.sum(g))  # a scalar parent's derivative, summed over the samples if given per sample
            for p, g in zip(parents, local_grads)
        )
        cls, data = Value, float(data)
    if any(p.grad is None for p in parents):
        return make_node(cls, data, parents, Edges(grads), op)
    return make_node(cls, data, parents, grads, op)


def _length(data: object, parents: Iterable[Value]) -> int:
    """The batch length shared by ``data`` and the batched parents (0: none is batched).
    Batches of different lengths raise ``ValueError`` naming both."""
    n = 0
    for p in parents:
        if type(p) is Batched:
            m = len(p.data)
            if n and m != n:
                raise ValueError(f"batches of different lengths meet in one operation: {n} and {m} samples")
            n = m
    if isinstance(data, np.ndarray) and data.ndim == 1 and n and data.shape[0] != n:
        raise ValueError(f"batches of different lengths meet in one operation: {n} and {data.shape[0]} samples")
    return n


def _per_sample(x: object, n: int, what: str) -> Data:
    """A number, or a 1-D array of n numbers (as float64), else a clear error."""
    if isinstance(x, np.ndarray) and x.ndim >= 1:
        if x.shape != (n,):
            raise ValueError(
                f"Value() {what} must be a number or an array of {n} values (the batch); got shape {x.shape}"
            )
        return x.astype(float)
    return as_float(x, f"Value() {what}")


def summary(x: object, shown: int = 3, precision: int = 4) -> str:
    """A short text for a number or a batch: ``[n=100: 0.1, -2.3, 0.5, …]``."""
    if isinstance(x, np.ndarray) and x.ndim == 1:
        head = ", ".join(format(v + 0.0, f".{precision}g") for v in x[:shown])
        return f"[n={len(x)}: {head}{', …' if len(x) > shown else ''}]"
    if isinstance(x, SumOverSamples):  # a weight's local derivative in a batched node: summed over samples
        return "Σ" + summary(x.local, shown, precision)
    if x is None:  # data that wants no gradient
        return "—"
    return format(float(x) + 0.0, f".{precision}g")  # type: ignore[arg-type]


def is_batched(v: object) -> bool:
    """True for a Value that holds one value per sample."""
    return type(v) is Batched


# ---- public entry points -------------------------------------------------------------------


def batch(X: object, labels: Sequence[str] | None = None, *, requires_grad: bool = False) -> list[Value]:
    """One batched leaf per feature of ``X`` (n_samples × n_features; 1-D: one feature).

    Each leaf's ``data`` is a copy of that feature's column, a float64 array of n_samples
    values; a model called on the list runs its graph once for the whole batch.  Leaves are
    labelled x₀, x₁, … unless ``labels`` names them.

    Training needs no gradient of the data, so by default backward computes none: the
    leaves' ``grad`` stays None (PyTorch's ``requires_grad=False``), which saves most of the
    work of a first layer.  With ``requires_grad=True`` they get one, per sample.
    """
    if isinstance(X, (Value, str, bytes)):
        raise TypeError(f"batch() takes an array of shape (n_samples, n_features); got {type_name(X)}")
    if not isinstance(requires_grad, bool):
        raise TypeError(f"batch() requires_grad must be True or False; got {requires_grad!r}")
    try:
        array = np.array(X, dtype=float)
    except (TypeError, ValueError) as e:
        raise TypeError(f"batch() takes an array of numbers of shape (n_samples, n_features): {e}") from None
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"batch() takes an array of shape (n_samples, n_features); got shape {array.shape}")
    names = input_names(array.shape[1]) if labels is None else list(labels)
    if len(names) != array.shape[1] or not all(isinstance(name, str) for name in names):
        raise ValueError(f"batch() got {len(names)} labels for {array.shape[1]} features")
    columns = np.ascontiguousarray(array.T)  # one contiguous row per feature
    grad = 0.0 if requires_grad else None
    return [make_leaf(Batched, column, name, grad) for column, name in zip(columns, names)]


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_input_names = [f"x{i}".translate(_SUBSCRIPTS) for i in range(64)]


def input_names(n: int) -> list[str]:
    """x₀, x₁, …, the first n of them: the names of a batch's features and of a model's inputs
    given as numbers.  Kept once made (for 784 pixels, making them at every minibatch took a
    third of ``batch``'s time); a longer list replaces the kept one whole, so threads calling
    at once never see a half-made one."""
    global _input_names
    if len(_input_names) < n:
        _input_names = [f"x{i}".translate(_SUBSCRIPTS) for i in range(n)]
    return _input_names[:n]


def input_name(i: int) -> str:
    """x₀, x₁, …: the name of input i (see ``input_names``)."""
    names = _input_names
    return names[i] if i < len(names) else input_names(i + 1)[i]


def batch_sum(v: Value) -> Value:
    """Σᵢ vᵢ over the samples: one scalar Value;  ∂/∂vᵢ = 1.  (A scalar Value is returned as is.)"""
    if type(v) is not Batched:
        return _must_be_value(v, "batch_sum")
    return node(ieee.fsum(v.data), (v,), (np.ones_like(v.data),), "batch_sum")


def batch_mean(v: Value) -> Value:
    """(1/n) Σᵢ vᵢ over the samples: one scalar Value;  ∂/∂vᵢ = 1/n.  The mean of a loss per
    sample is the loss of the batch.  (A scalar Value is returned as is.)"""
    if type(v) is not Batched:
        return _must_be_value(v, "batch_mean")
    n = len(v.data)
    return node(ieee.fsum(v.data) / n, (v,), (np.full(n, 1.0 / n),), "batch_mean")


def _must_be_value(v: object, who: str) -> Value:
    if not isinstance(v, Value):
        raise TypeError(f"{who}() takes a Value; got {type_name(v)}")
    return v


# ---- fused n-ary functions: twins of fused.sum … fused.log_softmax ---------------------------


def columns(xs: Sequence[Value], n: int | None = None) -> np.ndarray:
    """The values of ``xs`` stacked as rows of a matrix (n_values × n_samples), scalars repeated
    (``n``: the batch length, when it comes from other operands too)."""
    n = _length(None, xs) if n is None else n
    # (one concatenation and a reshape: np.stack's per-row work is most of a 784-input layer's stacking)
    rows = [x.data if type(x) is Batched else np.full(n, x.data) for x in xs]
    return np.concatenate(rows).reshape(len(rows), n)


def exact_sums(X: np.ndarray) -> np.ndarray:
    """The sum of each column of X (each sample), exactly rounded as the scalar ``sum`` is
    (``ieee.fsum``): NumPy's pairwise sum would round ``1e16 + 1 − 1e16`` to 0."""
    return np.array([ieee.fsum(sample) for sample in X.T.tolist()])


def sum_(xs: list[Value]) -> Value:
    """Σᵢ xᵢ per sample, exactly rounded;  ∂/∂xᵢ = 1.  Twin of fused.sum."""
    return node(exact_sums(columns(xs)), tuple(xs), (1.0,) * len(xs), "sum")


def mean_(xs: list[Value]) -> Value:
    """(1/n) Σᵢ xᵢ per sample, exactly rounded;  ∂/∂xᵢ = 1/n.  Twin of fused.mean."""
    n = len(xs)
    return node(exact_sums(columns(xs)) / n, tuple(xs), (1.0 / n,) * n, "mean")


def dot_(xs: list[Value], ws: list[Value], b: Value | None) -> Value:
    """Σᵢ xᵢ·wᵢ (+ b) per sample;  ∂/∂xᵢ = wᵢ,  ∂/∂wᵢ = xᵢ,  ∂/∂b = 1.  Twin of fused.affine.

    Any operand may be batched.  A neuron's case (batched inputs, scalar weights and bias) is
    ``layer``'s; any other mix is summed as the scalar rule sums, b + x₁w₁ + x₂w₂ + …
    """
    parents = (*xs, *ws) if b is None else (*xs, *ws, b)
    n = _length(None, parents)
    if any_batched(xs) and not any_batched(ws) and not (b is not None and type(b) is Batched):
        return layer(xs, Neurons([(ws, b)]))[0]
    X, W = columns(xs, n), columns(ws, n)
    total = np.zeros(n) if b is None else np.broadcast_to(b.data, (n,)).astype(float)
    for product in X * W:  # left to right, as the per-sample loop adds them
        total = total + product
    grads = (*(w.data for w in ws), *(x.data for x in xs)) + (() if b is None else (1.0,))
    return node(total, parents, grads, "dot")


# ---- a layer: neurons that share their batched inputs ---------------------------------------


class Neurons:
    """The scalar weights and biases of neurons that share their inputs, gathered once.

    A layer keeps one and checks it with ``matches`` before each batched forward pass, so
    the work done here per weight (flattening, finding the parameters that are not leaves)
    is not repeated at every step."""

    __slots__ = ("weights", "biases", "rows", "flat", "flat_weights", "operations", "n_in", "shared", "_read")

    def __init__(self, neurons: Sequence[tuple[Sequence[Value], Value | None]]) -> None:
        self.weights = [list(ws) for ws, _ in neurons]
        self.biases = [b for _, b in neurons]
        if len({b is None for b in self.biases}) > 1 or len({len(ws) for ws in self.weights}) > 1:
            raise ValueError("the neurons of a layer have as many weights each, and all or none have a bias")
        # each neuron's parameters as they follow the inputs among its parents
        self.rows = [(*ws, *(() if b is None else (b,))) for ws, b in zip(self.weights, self.biases)]
        self.flat = [p for row in self.rows for p in row]
        self.flat_weights = [w for ws in self.weights for w in ws]
        if any_batched(self.flat):
            raise TypeError("a layer's weights and biases are scalar Values (one number each), not batches")
        self.operations = [[p for p in row if p.parents] for row in self.rows]  # (parameters are leaves)
        self.n_in = len(self.weights[0])
        self.shared = shared_store(self.flat)  # the store that holds them all, if there is one
        self._read: tuple[int, list] = (-1, [])  # row_data's, and the store's version then

    def matches(self, neurons: Sequence[tuple[Sequence[Value], Value | None]]) -> bool:
        """True while ``neurons`` still hold exactly these parameters (compared by identity)."""
        return len(neurons) == len(self.weights) and all(
            b is bias and ws == weights for (ws, b), weights, bias in zip(neurons, self.weights, self.biases)
        )

    def matrix(self) -> tuple[np.ndarray, np.ndarray | None]:
        """(W, b) from the parameters' current values: W[j] holds neuron j's weights."""
        if self.shared is not None:  # a copy: the graph keeps W, and a step writes into the array
            M = view(self.shared).reshape(len(self.rows), -1).copy()
        else:  # (a list comprehension reads slots faster than map(attrgetter("data"), …) does)
            M = np.fromiter([p.data for p in self.flat], float, len(self.flat)).reshape(len(self.rows), -1)
        return (M, None) if self.biases[0] is None else (M[:, :-1], M[:, -1])

    def row_data(self) -> list[tuple[tuple[Value, ...], list[float], Value | None, float]] | None:
        """Each neuron's (weights, their values, bias, its value), the values read from the
        store at once (and again only after a write), if one store holds them all; else None."""
        store = self.shared
        if store is None:
            return None
        version, rows = self._read
        current = store.version  # read before the numbers: a write from now on shows as a new version
        if version != current:  # (the lists are shared by the nodes made from them: never changed)
            flat, n, width = store.tolist(), self.n_in, len(self.rows[0])  # (array.tolist: floats, no NumPy)
            rows = [
                (tuple(ws), flat[a : a + n], b, 0.0 if b is None else flat[a + n])
                for ws, b, a in zip(self.weights, self.biases, range(0, len(flat), width))
            ]
            self._read = current, rows
        return rows


_index = attrgetter("_index")
_local_grads = attrgetter("local_grads")


def layer(xs: Sequence[Value], neurons: Neurons) -> list[Value]:
    """The pre-activations of a layer of neurons on batched inputs: the inputs are stacked once
    and every neuron's w·x + b comes from one matrix product W·X (one ``dot`` node each,
    whose local derivatives are a ``NeuronEdges``)."""
    if len(xs) != neurons.n_in:
        raise ValueError(f"the layer's neurons take {neurons.n_in} inputs, received {len(xs)}")
    W, b = neurons.matrix()
    shared = LayerPass(xs, neurons, W)
    Z = W @ shared.X
    if b is not None:
        Z += b[:, None]
    xs = shared.xs
    out: list[Value] = [
        make_node(Batched, z, xs + row, NeuronEdges(shared, j), "dot")
        for j, (z, row) in enumerate(zip(Z, neurons.rows))
    ]
    shared.first, shared.last = out[0]._index, out[-1]._index
    return out


class LayerPass:
    """What the dot nodes of one forward pass of a layer share: the inputs stacked as
    X (n_inputs × n_samples), the weights as W (n_neurons × n_inputs), and the range of
    creation numbers the nodes got (they are made one after the other), by which backward's
    ``order`` tells which of them this pass visits.  It holds no node, so no cycle."""

    __slots__ = ("xs", "X", "n", "W", "neurons", "scalars", "wanted", "operations", "first", "last", "done")

    def __init__(self, xs: Sequence[Value], neurons: Neurons, W: np.ndarray) -> None:
        self.xs = tuple(xs)
        self.n = n = _length(None, xs)
        self.X = columns(xs, n)
        self.W, self.neurons = W, neurons
        self.scalars = [k for k, x in enumerate(xs) if type(x) is not Batched]  # (rare) numbers among them
        self.wanted = [k for k, x in enumerate(xs) if type(x) is Batched and x.grad is not None]
        self.operations = [x for x in xs if x.parents]  # what backward visits after the layer
        self.first = self.last = -1
        self.done = -1  # the number of the backward pass that has taken the layer's edges

    def accumulate(self, backward: BackwardPass) -> None:
        """Every edge of every dot node of this layer that ``backward`` visits, at once.

        With G the visited neurons' gradients (one row each): the weights get G·Xᵀ (entry
        (j, k) is Σ over samples xₖ·gⱼ), the biases the rows' sums, and input k gets Σⱼ wⱼₖ·gⱼ,
        row k of Wᵀ·G: the sums of exactly the contributions the edges get one by one."""
        order = backward.order
        nodes = order[bisect_left(order, self.first, key=_index) : bisect_right(order, self.last, key=_index)]
        pairs = [(node, grads) for node, grads in zip(nodes, map(_local_grads, nodes)) if _is_ours(grads, self)]
        mine = [node for node, _ in pairs]  # the layer's nodes this pass visits (others may sit between)
        every = len(mine) == len(self.neurons.rows)
        rows = None if every else [grads.j for _, grads in pairs]
        G = np.stack([g if type(g) is np.ndarray else np.full(self.n, g) for g in map(_grad, mine)])
        neurons = self.neurons
        products = G @ self.X.T
        if every:
            for w, c in zip(neurons.flat_weights, products.ravel().tolist()):
                w.grad += c
        else:
            for j, row in zip(rows, products.tolist()):  # type: ignore[arg-type]
                for w, c in zip(neurons.weights[j], row):
                    w.grad += c
        if neurons.biases[0] is not None:
            for j, total in zip(range(len(mine)) if every else rows, G.sum(axis=1).tolist()):  # type: ignore[arg-type]
                neurons.biases[j].grad += total  # type: ignore[union-attr]
        if self.wanted or self.scalars:
            W = self.W if every else self.W[rows]
            to_inputs = W.T @ G  # row k: Σⱼ wⱼₖ·gⱼ, input k's gradient per sample
            for k in self.wanted:
                self.xs[k].grad += to_inputs[k]
            for k in self.scalars:
                x = self.xs[k]
                if x.grad is not None:
                    x.grad += float(to_inputs[k].sum())


_grad = attrgetter("grad")


def _is_ours(grads: object, shared: LayerPass) -> TypeGuard[NeuronEdges]:
    return type(grads) is NeuronEdges and grads.shared is shared


class NeuronEdges(EdgeBlock):
    """The local derivatives of neuron j's batched dot node z = w·x + b, one per edge:
    ∂z/∂xₖ = wₖ, ∂z/∂wₖ = xₖ (summed over the samples), ∂z/∂b = 1.

    Backward takes the edges of all of the layer's neurons at once (``LayerPass.accumulate``):
    the first of them that it visits does the work, and the others find it done."""

    __slots__ = ("shared", "j")

    def __init__(self, shared: LayerPass, j: int) -> None:
        self.shared, self.j = shared, j

    def __len__(self) -> int:
        return len(self.shared.xs) + len(self.shared.neurons.rows[self.j])

    def __getitem__(self, i):
        return tuple(self)[i]  # (drawings and backward_steps iterate instead)

    def __iter__(self) -> Iterator[Any]:
        shared = self.shared
        for x, w in zip(shared.xs, shared.W[self.j].tolist()):
            yield w if type(x) is Batched else SumOverSamples(w)
        for x_k in shared.X:
            yield SumOverSamples(x_k)
        if shared.neurons.biases[self.j] is not None:
            yield _ONE_SUMMED

    def accumulate(self, node: Value, backward: BackwardPass) -> None:
        shared = self.shared
        if shared.done != backward.number:
            shared.done = backward.number
            shared.accumulate(backward)

    def operations(self, parents: Sequence[Value]) -> Iterable[Value]:
        extra = self.shared.neurons.operations[self.j]
        return self.shared.operations + extra if extra else self.shared.operations


_ONE_SUMMED = SumOverSamples(1.0)  # ∂(w·x + b)/∂b = 1 for every sample: b's gradient is Σ g


def logsumexp_(xs: list[Value]) -> Value:
    """log Σᵢ e^(xᵢ) per sample, shifted by the max;  ∂/∂xᵢ = softmax(x)ᵢ.  Twin of fused.logsumexp."""
    m, exps, total = _shifted_exps(columns(xs))
    with np.errstate(all="ignore"):
        return node(m + np.log(total), tuple(xs), tuple(exps / total), "logsumexp")


def softmax_(xs: list[Value]) -> list[Value]:
    """sᵢ = e^(xᵢ)/Σⱼ e^(xⱼ) per sample;  ∂sᵢ/∂xⱼ = sᵢ(δᵢⱼ − sⱼ).  Twin of fused.softmax."""
    _, exps, total = _shifted_exps(columns(xs))
    with np.errstate(all="ignore"):
        probs = exps / total
    parents = tuple(xs)
    return [
        node(s_i, parents, tuple((s_i if i == j else 0.0) - s_i * s_j for j, s_j in enumerate(probs)), "softmax")
        for i, s_i in enumerate(probs)
    ]


def log_softmax_(xs: list[Value]) -> list[Value]:
    """yᵢ = xᵢ − logsumexp(x) per sample;  ∂yᵢ/∂xⱼ = δᵢⱼ − sⱼ.  Twin of fused.log_softmax."""
    X = columns(xs)
    m, exps, total = _shifted_exps(X)
    with np.errstate(all="ignore"):
        log_total, probs = np.log(total), exps / total
    parents = tuple(xs)
    return [
        node(
            (X[i] - m) - log_total,
            parents,
            tuple((1.0 if i == j else 0.0) - s_j for j, s_j in enumerate(probs)),
            "log_softmax",
        )
        for i in range(len(xs))
    ]


def _shifted_exps(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sample (column of X): m = max, e^(x − m) and their sum; m = 0 where the max is not
    finite (as fused.shifted_exps)."""
    m = X.max(axis=0)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(all="ignore"):
        exps = np.exp(X - m)
    return m, exps, exps.sum(axis=0)


def any_batched(values: Iterable[Value]) -> bool:
    return Batched in map(type, values)  # (a loop in C: the types are compared by identity first)


__all__ = ["Batched", "batch", "batch_mean", "batch_sum", "is_batched"]
