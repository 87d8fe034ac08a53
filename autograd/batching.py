"""Batched mode: the graph you build for one sample runs once for a whole batch.

``autograd.batch(X)`` turns a dataset of shape (n_samples, n_features) into one leaf per
feature whose ``data`` is that feature's column, a NumPy array of n values.  Everything
computed from such a leaf is a ``Batched`` node: the same node the per-sample code builds,
holding one value per sample.  Each box of the drawing holds a column.

This module holds every operation's **batching rule**, each beside a pointer to its scalar
twin in ``engine.py`` or ``fused.py``: the same value and the same local derivatives, written
with NumPy over the samples.  The scalar code is untouched; a batched operand reaches these
rules because ``Batched`` is a subclass of ``Value`` that overrides each operation (Python
asks a subclass's reflected operator first, so ``w * x`` with a scalar ``w`` and a batched
``x`` lands here too).

Backward needs nothing new.  Its loop is still ``parent.grad += local_grad · node.grad``, with
arrays for batched nodes.  The one new thing is a scalar parent of a batched node (a weight
in ``w · x``): its gradient is the sum over the samples, Σᵢ local_gradᵢ · gradᵢ, so such an
edge stores its local derivatives wrapped in ``SumOverSamples``, whose product with the
node's gradient *is* that sum.  Parameters therefore get plain float gradients and the
optimisers work unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from . import engine, ieee
from .engine import Value, as_float, type_name

Data = float | np.ndarray


class Batched(Value):
    """A Value that holds one value per sample: ``data`` (and, after backward, ``grad``) are
    1-D float64 arrays of the batch's length.  Made by ``autograd.batch`` and by every
    operation with a batched operand; each operation below is the batched twin of the
    ``Value`` method of the same name."""

    __slots__ = ()

    data: np.ndarray  # type: ignore[assignment]  # one value per sample
    grad: Any  # an array after backward (0.0 before)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Batched(n={len(self.data)}, data={summary(self.data)}, grad={summary(self.grad)}{label})"

    def __format__(self, spec: str) -> str:
        return repr(self) if not spec else "[" + ", ".join(format(x, spec) for x in self.data) + "]"

    def _seed(self, grad: object) -> np.ndarray:  # type: ignore[override]
        """A batched root needs a gradient per sample to start backward from."""
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
        cdf = 0.5 * (1.0 + _erf(x * engine._SQRT1_2))
        pdf = engine._INV_SQRT_2PI * np.exp(-0.5 * x * x)
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
    """The other operand as a Value (numbers become constants), or None: as engine._operand.
    Two batches of different lengths are refused here, before NumPy tries to combine them."""
    o = engine._operand(x)
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
        return float(self.local * np.sum(grad))

    def __repr__(self) -> str:
        return f"SumOverSamples({summary(self.local)})"


class _Columns:
    """The inputs shared by a layer's batched ``dot`` nodes, stacked as a matrix X (n_inputs ×
    n_samples), so that all of one node's weight gradients come from one product X·g."""

    __slots__ = ("X", "_grad", "_products")

    def __init__(self, X: np.ndarray) -> None:
        self.X = X
        self._grad: object = None
        self._products: np.ndarray | None = None

    def product(self, grad: np.ndarray) -> np.ndarray:
        # The backward loop visits a node's edges one after another with the same gradient
        # array, so X·g is computed on the node's first weight edge and read by the others;
        # the next node of the layer brings a new gradient array, and a new product.
        if grad is not self._grad:
            self._grad, self._products = grad, self.X @ grad
        assert self._products is not None
        return self._products


class WeightGradient(SumOverSamples):
    """The local derivative ∂(w·x)/∂wᵢ = xᵢ of a batched dot node: Σ over samples xᵢ·g is the
    i-th entry of X·g, taken from the product shared by the node's weights."""

    __slots__ = ("columns", "i")

    def __init__(self, columns: _Columns, i: int) -> None:
        super().__init__(columns.X[i])
        self.columns, self.i = columns, i

    def __mul__(self, grad: Data) -> float:
        if not isinstance(grad, np.ndarray):
            return float(np.sum(self.local) * grad)
        return float(self.columns.product(grad)[self.i])


def unary(data: np.ndarray, parent: Batched, local_grad: Data, op: str) -> Value:
    """``node`` for an operation on one batched parent, where nothing needs wrapping (hot path)."""
    out: Batched = engine._new(Batched)
    out.data, out.grad, out.label, out._index = data, 0.0, "", engine._next_index()
    if engine.is_grad_enabled():
        out.op, out.parents, out.local_grads = op, (parent,), (local_grad,)
    else:
        out.op, out.parents, out.local_grads = "", (), ()
    return out


def node(data: Data, parents: tuple, local_grads: tuple, op: str) -> Value:
    """A new node of a batched graph (twin of engine._node; under ``no_grad()`` a leaf).

    With array data it is ``Batched``; with a number it is a scalar ``Value``, a reduction over
    the samples such as a loss, whose local derivatives towards batched parents are arrays.
    Each local derivative towards a scalar parent of a batched node is wrapped in
    ``SumOverSamples``.
    """
    n = _length(data, parents)
    batched = isinstance(data, np.ndarray) and data.ndim == 1
    out: Value = engine._new(Batched if batched else Value)
    out.data = data if batched else float(data)  # type: ignore[assignment]
    out.grad = 0.0
    out.label = ""
    out._index = engine._next_index()
    if engine.is_grad_enabled():
        out.op = op
        out.parents = parents
        if batched:
            out.local_grads = tuple(
                g if type(p) is Batched or isinstance(g, SumOverSamples) else SumOverSamples(g)
                for p, g in zip(parents, local_grads)
            )
        else:  # a reduction: one local derivative per sample towards each batched parent
            out.local_grads = tuple(
                np.broadcast_to(np.asarray(g, dtype=float), (n,))
                if type(p) is Batched
                else float(np.sum(g))  # a scalar parent's derivative, summed over the samples if given per sample
                for p, g in zip(parents, local_grads)
            )
    else:
        out.op, out.parents, out.local_grads = "", (), ()
    return out


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


def custom_operation(data: object, parents: tuple, local_grads: tuple, op: str) -> Value | None:
    """``Value(data, parents=…, local_grads=…, op=…)`` when a parent is batched or ``data`` is an
    array: the node, validated; None when nothing is batched (the scalar constructor's case)."""
    has_batched_parent = any(type(p) is Batched for p in parents)
    if isinstance(data, np.ndarray) and data.ndim >= 1 and not has_batched_parent:
        raise TypeError(
            f"Value() data is an array of shape {data.shape} but no parent is batched: a Value holds one "
            "number; for a batch of samples start from autograd.batch(X)"
        )
    if not has_batched_parent:
        return None
    n = _length(data, parents)
    values = _per_sample(data, n, "data")
    grads = tuple(_per_sample(g, n, f"local_grads[{i}]") for i, g in enumerate(local_grads))
    return node(values, tuple(parents), grads, op)


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
    return format(float(x) + 0.0, f".{precision}g")  # type: ignore[arg-type]


def is_batched(v: object) -> bool:
    """True for a Value that holds one value per sample."""
    return type(v) is Batched


# ---- public entry points -------------------------------------------------------------------


def batch(X: object, labels: Sequence[str] | None = None) -> list[Value]:
    """One batched leaf per feature of ``X`` (n_samples × n_features; 1-D: one feature).

    Each leaf's ``data`` is a copy of that feature's column, a float64 array of n_samples
    values; a model called on the list runs its graph once for the whole batch.  Leaves are
    labelled x₀, x₁, … unless ``labels`` names them.
    """
    if isinstance(X, (Value, str, bytes)):
        raise TypeError(f"batch() takes an array of shape (n_samples, n_features); got {type_name(X)}")
    try:
        array = np.array(X, dtype=float)
    except (TypeError, ValueError) as e:
        raise TypeError(f"batch() takes an array of numbers of shape (n_samples, n_features): {e}") from None
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"batch() takes an array of shape (n_samples, n_features); got shape {array.shape}")
    names = [f"x{i}".translate(_SUBSCRIPTS) for i in range(array.shape[1])] if labels is None else list(labels)
    if len(names) != array.shape[1] or not all(isinstance(name, str) for name in names):
        raise ValueError(f"batch() got {len(names)} labels for {array.shape[1]} features")
    leaves: list[Value] = []
    for j, name in enumerate(names):
        leaf: Batched = engine._new(Batched)
        leaf.data, leaf.grad, leaf.label, leaf._index = (
            np.ascontiguousarray(array[:, j]),
            0.0,
            name,
            engine._next_index(),
        )
        leaf.op, leaf.parents, leaf.local_grads = "", (), ()
        leaves.append(leaf)
    return leaves


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


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
    return np.stack([x.data if type(x) is Batched else np.full(n, x.data) for x in xs])


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
    one matrix product; any other mix is summed as the scalar rule sums, b + x₁w₁ + x₂w₂ + …
    """
    parents = (*xs, *ws) if b is None else (*xs, *ws, b)
    n = _length(None, parents)
    if any_batched(xs) and not any_batched(ws) and not (b is not None and type(b) is Batched):
        X = columns(xs, n)
        w = np.array([wi.data for wi in ws])
        return _dot_node(xs, ws, b, X, w @ X + (0.0 if b is None else b.data), w)
    X, W = columns(xs, n), columns(ws, n)
    total = np.zeros(n) if b is None else np.broadcast_to(b.data, (n,)).astype(float)
    for product in X * W:  # left to right, as the per-sample loop adds them
        total = total + product
    grads = (*(w.data for w in ws), *(x.data for x in xs)) + (() if b is None else (1.0,))
    return node(total, parents, grads, "dot")


def _dot_node(xs: Sequence[Value], ws: Sequence[Value], b: Value | None, X: np.ndarray, z: np.ndarray, w) -> Value:
    """One neuron's batched dot node, given its inputs stacked as X and its pre-activation z."""
    return _dot_nodes(xs, [(ws, b)], X, z[None, :], w[None, :])[0]


def _dot_nodes(xs, neurons, X: np.ndarray, Z: np.ndarray, W: np.ndarray) -> list[Value]:
    """The dot nodes of neurons that share their inputs (stacked as X, n_inputs × n_samples):
    neuron j is Z[j] = W[j]·X + b[j].  They also share their weights' local derivatives (the
    rows of X, one ``WeightGradient`` each), so building a layer makes n_inputs of them, not
    one per weight.  The nodes are assembled here directly: every wrapping is known."""
    if not engine.is_grad_enabled():
        return [node(z, (), (), "dot") for z in Z]
    shared = _Columns(X)
    w_grads = tuple(WeightGradient(shared, i) for i in range(len(xs)))
    scalar_xs = [k for k, x in enumerate(xs) if type(x) is not Batched]
    out = []
    for (ws, bias), z, w in zip(neurons, Z, W.tolist()):
        x_grads = w if not scalar_xs else [SumOverSamples(g) if k in scalar_xs else g for k, g in enumerate(w)]
        dot: Value = engine._new(Batched)
        dot.data, dot.grad, dot.label, dot._index, dot.op = z, 0.0, "", engine._next_index(), "dot"
        if bias is None:
            dot.parents, dot.local_grads = (*xs, *ws), (*x_grads, *w_grads)
        else:
            dot.parents, dot.local_grads = (*xs, *ws, bias), (*x_grads, *w_grads, _ONE_SUMMED)
        out.append(dot)
    return out


_ONE_SUMMED = SumOverSamples(1.0)  # ∂(w·x + b)/∂b = 1 for every sample: b's gradient is Σ g


def layer(xs: Sequence[Value], neurons: Sequence[tuple[Sequence[Value], Value]]) -> list[Value]:
    """The pre-activations of a layer of neurons on batched inputs: the inputs are stacked once
    and every neuron's w·x + b comes from one matrix product W·X (one ``dot`` node each)."""
    X = columns(xs)
    W = np.array([[w.data for w in ws] for ws, _ in neurons])
    b = np.array([bias.data for _, bias in neurons])
    return _dot_nodes(xs, neurons, X, W @ X + b[:, None], W)


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
    return any(type(v) is Batched for v in values)


__all__ = ["Batched", "batch", "batch_mean", "batch_sum", "is_batched"]
