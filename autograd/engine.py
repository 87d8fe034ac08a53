"""The engine: a scalar ``Value`` that records the graph, and reverse-mode backward.

Every operation computes its result *and* its local derivative with respect to each
parent in the same place, and stores both on the new node::

    t = tanh(x)            node.parents = (x,)     node.local_grads = (1 - t²,)

``backward`` is then one generic loop of the chain rule, the same for every operation:

    parent.grad += local_grad · node.grad

No node holds a closure, so no node sits in a reference cycle: a graph is freed by
reference counting the moment it becomes unreachable, and Python's cycle collector
never has anything to free.

Subclasses of Value extend the engine without it knowing them (batching.py is one): they
override the operations, build nodes with ``make_node``, and a node whose local derivatives
are an ``EdgeBlock`` may pass its gradient along a block of edges at once.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np

from . import ieee

_new = object.__new__
V = TypeVar("V", bound="Value")
_next_index = itertools.count().__next__  # creation numbers: see topological_order
next_index = _next_index  # for subclasses of Value that fill their own slots (autograd.parameters)

# Constant local-gradient tuples shared by every node of their kind (saves memory).
_ONE_ONE = (1.0, 1.0)
_ONE_MINUS_ONE = (1.0, -1.0)
_MINUS_ONE = (-1.0,)

NUMBER_TYPES = (float, int, np.floating, np.integer, np.bool_)  # bool is an int
Real = float | int | np.floating | np.integer | np.bool_ | np.ndarray  # what Value() accepts (0-d arrays)


def type_name(obj: object) -> str:
    """The name of ``obj``'s type for error messages: ``list``, ``numpy.ndarray``, ``torch.Tensor``."""
    cls = type(obj)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def as_float(data: object, what: str = "Value()") -> float:
    """``data`` as a Python float, or a ``TypeError`` naming what was received.

    Accepts ``int``, ``bool``, ``float``, NumPy integer/float/bool scalars and 0-d arrays.
    """
    if isinstance(data, NUMBER_TYPES) or (
        isinstance(data, np.ndarray) and data.ndim == 0 and data.dtype.kind in "biuf"
    ):
        try:
            return float(data)
        except OverflowError:
            raise ValueError(f"{what} got an integer too large for a float: {data!r}") from None
    if isinstance(data, np.ndarray):
        raise TypeError(
            f"{what} takes a single real number; got a numpy.ndarray of shape {data.shape} "
            f"and dtype {data.dtype}. {_ARRAY_ADVICE}"
        )
    if isinstance(data, Value):
        raise TypeError(f"{what} takes a real number; got a Value (use its .data)")
    if hasattr(data, "item") and hasattr(data, "shape"):  # a torch.Tensor, a JAX array, ...
        raise TypeError(
            f"{what} takes a real number; got a {type_name(data)}: use .item() to get the number out of "
            "a one-element tensor"
        )
    raise TypeError(f"{what} takes a real number (int, float, NumPy scalar); got {type_name(data)}")


_ARRAY_ADVICE = (
    "A Value holds one number: for one element use x[i] or x.item(); for one sample's features "
    "make one Value per feature (a model takes the row as a list); for a whole dataset call the "
    "model once per row, [model(x) for x in X], or run it once on the batch: model(autograd.batch(X))."
)


def _operand(x: object) -> Value | None:
    """The other operand of an arithmetic operator as a Value, or None if it is not a number.

    Numbers become constant leaves, so they appear in the graph (and its drawing).
    """
    if isinstance(x, Value):
        return x
    if type(x) is float:  # the common case: no checks needed (ints may overflow a float)
        return constant(x)
    if isinstance(x, NUMBER_TYPES) or (isinstance(x, np.ndarray) and x.ndim == 0):
        return constant(as_float(x))
    return None


class _ConstantLabel(str):
    """The label of a constant: equal to "" (it has no name), but recognisably a constant's."""

    def __reduce__(self) -> str:
        return "CONSTANT_LABEL"  # pickle and deepcopy keep the one instance that is_constant knows


# Constants are marked by their label rather than by a subclass: a second class of node would
# make attribute access in the backward loop polymorphic, which costs CPython's specialising
# interpreter about 15% of a backward pass.
CONSTANT_LABEL = _ConstantLabel("")


def is_constant(v: Value) -> bool:
    """True for a number that became a leaf of the graph (the 2 in ``2 * x``), which is not trained."""
    return v.label is CONSTANT_LABEL


def constant(data: float) -> Value:
    """A number that became a leaf of the graph, such as the 2 in ``2 * x``; see ``is_constant``."""
    return leaf(data, CONSTANT_LABEL)


def leaf(data: float, label: str) -> Value:
    """``Value(data, label)`` for a ``data`` that is already a float, without the checks (hot path)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = label
    out._index = _next_index()
    out.op = ""
    out.parents = ()
    out.local_grads = ()
    return out


def _node(data: float, parents: tuple, local_grads: tuple | EdgeBlock, op: str) -> Value:
    """A new graph node: its value, its parents and ∂node/∂parent for each parent.

    This is the single place where nodes are created, so it is the hot path of graph
    building: it bypasses ``__init__`` (``data`` is already a float).  Under ``no_grad()``
    the result is a leaf: nothing is recorded.
    """
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._index = _next_index()
    if not _threads_without_grad or _mode.enabled:  # see no_grad: one global read when nobody is inside it
        out.op = op
        out.parents = parents
        out.local_grads = local_grads
    else:
        out.op = ""
        out.parents = ()
        out.local_grads = ()
    return out


def make_node(cls: type[V], data: Any, parents: tuple, local_grads: tuple | EdgeBlock, op: str) -> V:
    """A new node of class ``cls`` (a subclass of Value, such as a batched Value), without
    checks: ``_node`` for the operations of a subclass.  Under ``no_grad()`` it is a leaf.
    (``_node`` repeats these lines for Value alone: it builds every scalar node, and an extra
    argument and call there would cost the scalar engine.)"""
    out = _new(cls)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._index = _next_index()
    if not _threads_without_grad or _mode.enabled:
        out.op = op
        out.parents = parents
        out.local_grads = local_grads
    else:
        out.op = ""
        out.parents = ()
        out.local_grads = ()
    return out


def make_leaf(cls: type[V], data: Any, label: str, grad: Any = 0.0) -> V:
    """A new leaf of class ``cls`` without checks (``grad=None``: it wants no gradient)."""
    out = _new(cls)
    out.data, out.grad, out.label, out._index = data, grad, label, _next_index()
    out.op, out.parents, out.local_grads = "", (), ()
    return out


operand = _operand  # for subclasses' operators: the other operand as a Value, or None


_NOT_A_NUMBER = (
    "{what} of a Value (also what math.exp(v), math.tanh(v), ... do): a Value is not a plain number, "
    "and turning it into one would drop it from the graph, so its gradient would be silently wrong. "
    "Stay in the graph with the Value's own methods (v.exp(), v.tanh(), v.log(), ...), or use v.data "
    "when you want the number itself."
)


def _check_operation(parents: object, local_grads: object, op: object) -> tuple[tuple, tuple]:
    """Validate the parts of ``Value(data, parents=…, local_grads=…, op=…)`` that every node
    shares (the local derivatives themselves are checked by whoever builds the node)."""
    if not isinstance(op, str) or not op:
        raise (TypeError if not isinstance(op, str) else ValueError)(
            f"Value() op must name the operation (a non-empty str, shown in drawings); got {op!r}"
        )
    if not isinstance(parents, (tuple, list)):
        raise TypeError(f"Value() parents must be a tuple of Values; got {type_name(parents)}")
    if not isinstance(local_grads, (tuple, list)):
        raise TypeError(f"Value() local_grads must be a tuple of numbers; got {type_name(local_grads)}")
    for i, parent in enumerate(parents):
        if not isinstance(parent, Value):
            raise TypeError(f"Value() parents[{i}] must be a Value; got {type_name(parent)}")
    if len(parents) != len(local_grads):
        raise ValueError(
            f"Value() got {len(parents)} parents but {len(local_grads)} local_grads: give one local "
            "derivative ∂node/∂parent per parent"
        )
    return tuple(parents), tuple(local_grads)


def _operation_maker(parents: tuple) -> Callable | None:
    """The ``from_operation`` of the first parent whose class is a subclass of Value that has
    one: such a class decides what a node with its values as parents is (as a subclass's
    reflected operator gets the first say in ``w * x``)."""
    for parent in parents:
        if type(parent) is not Value:
            maker = getattr(type(parent), "from_operation", None)
            if maker is not None:
                return maker
    return None


def _twin(v: Value, name: str) -> Callable | None:
    """The subclass's own version of method ``name`` for an instance of a subclass of Value that
    overrides it (a batched Value), so that ``Value.relu(v)`` is ``v.relu()``; else None.

    Only the methods check for this (one cheap test of the type).  The binary operators do not:
    Python already gives a subclass's reflected operator the first say in ``w * x``, and a test
    in every ``+`` and ``*`` would slow the scalar engine measurably."""
    method = getattr(type(v), name)
    return None if method is getattr(Value, name) else method


_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class Value:
    """A scalar that remembers how it was computed, so gradients can flow back through it.

    ``Value(data, label="")`` makes a leaf: an input, a parameter or a constant.
    Arithmetic on Values (and numbers) makes new nodes that record their ``parents``,
    the operation ``op`` and the local derivatives ``local_grads`` (∂node/∂parent, one
    per parent).  ``backward()`` fills ``.grad`` on every node it reaches.

    ``==`` and ``hash`` are by identity, so Values can live in sets and dicts; compare
    ``a.data == b.data`` for numeric equality.  ``<``, ``<=``, ``>``, ``>=`` compare data.
    """

    __slots__ = ("data", "grad", "label", "op", "parents", "local_grads", "_index")

    data: float
    grad: float
    label: str
    op: str
    parents: tuple[Value, ...]
    local_grads: tuple[Any, ...] | EdgeBlock  # one ∂node/∂parent per parent
    _index: int  # the creation number (see topological_order)

    def __new__(
        cls,
        data: Real,
        label: str = "",
        *,
        parents: Sequence[Value] = (),
        local_grads: Sequence[float | np.ndarray] = (),
        op: str = "",
    ) -> Value:
        """``Value(data)`` is a leaf; ``Value(data, parents=…, local_grads=…, op=…)`` a computed node.

        The computed form is how you add your own operation: ``local_grads[i]`` is
        ∂(this node)/∂``parents[i]`` at this point, and ``backward``, ``gradcheck`` and
        ``draw_dot`` treat the node like a built-in one.  Under ``no_grad()`` it is a leaf.
        A parent of a subclass with ``from_operation`` (a batched Value) has that class build
        the node instead.
        """
        if not isinstance(label, str):
            raise TypeError(f"Value() label must be a str; got {type_name(label)}")
        checked: tuple[tuple[Value, ...], tuple[Any, ...]] = ((), ())
        if parents or local_grads or op:
            checked = _check_operation(parents, local_grads, op)
            maker = _operation_maker(checked[0]) if cls is Value else None
            if maker is not None:
                return maker(data, *checked, op, label)
            if isinstance(data, np.ndarray) and data.ndim >= 1:
                raise TypeError(
                    f"Value() data is an array of shape {data.shape} but no parent is batched: a Value holds "
                    "one number; for a batch of samples start from autograd.batch(X)"
                )
            checked = checked[0], tuple(as_float(g, f"Value() local_grads[{i}]") for i, g in enumerate(checked[1]))
        self = _new(cls)
        self.data = as_float(data)
        self.grad = 0.0
        self.label = label
        self._index = _next_index()
        if checked[0] and _mode.enabled:
            self.op = op
            self.parents, self.local_grads = checked
        else:
            self.op, self.parents, self.local_grads = "", (), ()
        return self

    # ---- pickling and copying ----------------------------------------------------------

    def __reduce__(self) -> tuple:
        # Rebuilt without calling Value() (which needs a number): an empty node of the same
        # class, then __setstate__.
        return _new, (type(self),), self.__getstate__()

    def __getstate__(self) -> tuple:
        return self.data, self.grad, self.label, self.op, self.parents, self.local_grads

    def __setstate__(self, state: tuple) -> None:
        """Rebuild a pickled or copied node with a creation number from *this* process.

        The number orders backward (see ``topological_order``) and the one the node had
        elsewhere means nothing here.  Pickle and deepcopy restore a node's state only after
        its parents' (they are part of that state), so numbering nodes as they are restored
        puts every parent before its children again.
        """
        self.data, self.grad, self.label, self.op, self.parents, self.local_grads = state
        self._index = _next_index()

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __format__(self, spec: str) -> str:
        """Format specs apply to the data: ``f"{loss:.4f}"``; a plain ``f"{v}"`` is the repr."""
        return format(self.data, spec) if spec else repr(self)

    def __float__(self) -> float:
        # A Value must not turn into a plain number by itself: math.exp(x) calls float(x),
        # and x * math.exp(x) would then run with x silently missing from one branch of
        # the graph, giving a wrong gradient and no error.
        raise TypeError(_NOT_A_NUMBER.format(what="float()"))

    def __int__(self) -> int:
        raise TypeError(_NOT_A_NUMBER.format(what="int()"))

    # ---- comparisons: on data, returning bool (== stays identity) -------------------

    def __lt__(self, other: object) -> bool:
        o = _operand(other)
        return NotImplemented if o is None else self.data < o.data

    def __le__(self, other: object) -> bool:
        o = _operand(other)
        return NotImplemented if o is None else self.data <= o.data

    def __gt__(self, other: object) -> bool:
        o = _operand(other)
        return NotImplemented if o is None else self.data > o.data

    def __ge__(self, other: object) -> bool:
        o = _operand(other)
        return NotImplemented if o is None else self.data >= o.data

    # ---- binary arithmetic: value and local derivatives side by side ----------------

    def __add__(self, other: object) -> Value:
        """a + b;  ∂/∂a = 1,  ∂/∂b = 1."""
        if not isinstance(other, Value):
            other = _operand(other)
            if other is None:
                return NotImplemented
        return _node(self.data + other.data, (self, other), _ONE_ONE, "+")

    def __radd__(self, other: object) -> Value:
        if not isinstance(other, Value):
            other = _operand(other)
            if other is None:
                return NotImplemented
        return other + self

    def __sub__(self, other: object) -> Value:
        """a − b;  ∂/∂a = 1,  ∂/∂b = −1."""
        if not isinstance(other, Value):
            other = _operand(other)
            if other is None:
                return NotImplemented
        return _node(self.data - other.data, (self, other), _ONE_MINUS_ONE, "-")

    def __rsub__(self, other: object) -> Value:
        if not isinstance(other, Value):
            other = _operand(other)
            if other is None:
                return NotImplemented
        return other - self

    def __mul__(self, other: object) -> Value:
        """a · b;  ∂/∂a = b,  ∂/∂b = a."""
        if not isinstance(other, Value):
            other = _operand(other)
            if other is None:
                return NotImplemented
        a, b = self.data, other.data
        return _node(a * b, (self, other), (b, a), "*")

    def __rmul__(self, other: object) -> Value:
        if not isinstance(other, Value):
            other = _operand(other)
            if other is None:
                return NotImplemented
        return other * self

    def __truediv__(self, other: object) -> Value:
        """a / b;  ∂/∂a = 1/b,  ∂/∂b = −a/b² = −(a/b)/b.  x/0 is ±inf or nan (IEEE)."""
        if not isinstance(other, Value):
            other = _operand(other)
            if other is None:
                return NotImplemented
        a, b = self.data, other.data
        out = ieee.div(a, b)
        return _node(out, (self, other), (ieee.div(1.0, b), -ieee.div(out, b)), "/")

    def __rtruediv__(self, other: object) -> Value:
        if not isinstance(other, Value):
            other = _operand(other)
            if other is None:
                return NotImplemented
        return other / self

    def __pow__(self, exponent: object) -> Value:
        """xⁿ for a number n: ∂/∂x = n·xⁿ⁻¹ (and 0 when n = 0, as PyTorch).

        With a Value exponent, see ``_power``: the exponent gets a gradient too.
        """
        if type(self) is not Value and (twin := _twin(self, "__pow__")):  # Value.__pow__(batched)
            return twin(self, exponent)
        if isinstance(exponent, Value):
            return _power(self, exponent)
        if _operand(exponent) is None:
            return NotImplemented
        n = as_float(exponent)
        x = self.data
        local = 0.0 if n == 0.0 else n * ieee.pow(x, n - 1.0)
        return _node(ieee.pow(x, n), (self,), (local,), f"**{n:g}")

    def __rpow__(self, base: object) -> Value:
        """bˣ for a number b, as in ``2 ** x``."""
        if type(self) is not Value and (twin := _twin(self, "__rpow__")):  # Value.__rpow__(batched)
            return twin(self, base)
        base = _operand(base)
        if base is None:
            return NotImplemented
        return _power(base, self)

    # ---- unary operations -----------------------------------------------------------

    def __neg__(self) -> Value:
        """−x;  d/dx = −1."""
        if type(self) is not Value and (twin := _twin(self, "__neg__")):  # Value.__neg__(batched)
            return twin(self)
        return _node(-self.data, (self,), _MINUS_ONE, "neg")

    def __abs__(self) -> Value:
        """|x|;  d/dx = sign(x), and 0 at x = 0 (as PyTorch)."""
        if type(self) is not Value and (twin := _twin(self, "__abs__")):  # Value.__abs__(batched)
            return twin(self)
        x = self.data
        sign = 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0 * x  # 0.0 * nan keeps nan
        return _node(abs(x), (self,), (sign,), "abs")

    def exp(self) -> Value:
        """eˣ;  d/dx eˣ = eˣ.  Overflows to inf."""
        if type(self) is not Value and (twin := _twin(self, "exp")):  # Value.exp(batched)
            return twin(self)
        e = ieee.exp(self.data)
        return _node(e, (self,), (e,), "exp")

    def log(self) -> Value:
        """ln x (natural log);  d/dx = 1/x.  log(0) = −inf, log(x < 0) = nan."""
        if type(self) is not Value and (twin := _twin(self, "log")):  # Value.log(batched)
            return twin(self)
        x = self.data
        return _node(ieee.log(x), (self,), (ieee.div(1.0, x),), "log")

    def sqrt(self) -> Value:
        """√x;  d/dx = 1 / (2√x).  √(x < 0) = nan, and the slope at 0 is inf."""
        if type(self) is not Value and (twin := _twin(self, "sqrt")):  # Value.sqrt(batched)
            return twin(self)
        s = ieee.sqrt(self.data)
        return _node(s, (self,), (ieee.div(1.0, 2.0 * s),), "sqrt")

    def tanh(self) -> Value:
        """tanh x;  d/dx = 1 − tanh²x, computed from the output as (1 − t)(1 + t).

        For t near ±1, 1 − t·t loses most of its digits; (1 − t)(1 + t) does not (1 − t is
        exact there), and it matches PyTorch's fused multiply-add far more often.
        """
        if type(self) is not Value and (twin := _twin(self, "tanh")):  # Value.tanh(batched)
            return twin(self)
        t = math.tanh(self.data)
        return _node(t, (self,), ((1.0 - t) * (1.0 + t),), "tanh")

    def sigmoid(self) -> Value:
        """σ(x) = 1 / (1 + e⁻ˣ);  d/dx = σ(x)·(1 − σ(x)).  Stable for any finite x."""
        if type(self) is not Value and (twin := _twin(self, "sigmoid")):  # Value.sigmoid(batched)
            return twin(self)
        s = ieee.sigmoid(self.data)
        return _node(s, (self,), ((1.0 - s) * s,), "sigmoid")

    def relu(self) -> Value:
        """max(0, x);  d/dx = 1 for x > 0, else 0 (so relu'(0) = 0, as PyTorch)."""
        if type(self) is not Value and (twin := _twin(self, "relu")):  # Value.relu(batched)
            return twin(self)
        x = self.data
        if x <= 0.0:
            return _node(0.0, (self,), (0.0,), "relu")
        return _node(x, (self,), (1.0,), "relu")  # x > 0, or nan (which passes, as PyTorch)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """x for x > 0, else slope·x;  d/dx = 1 for x > 0, else slope (also at 0)."""
        if type(self) is not Value and (twin := _twin(self, "leaky_relu")):  # Value.leaky_relu(batched)
            return twin(self, negative_slope)
        slope = as_float(negative_slope, "leaky_relu() negative_slope")
        x = self.data
        if x > 0.0:
            return _node(x, (self,), (1.0,), "leaky_relu")
        return _node(slope * x, (self,), (slope,), "leaky_relu")

    def gelu(self) -> Value:
        """GELU, the exact erf form (PyTorch's default): x·Φ(x), Φ(x) = ½(1 + erf(x/√2)).

        d/dx = Φ(x) + x·φ(x), with the normal density φ(x) = e^(−x²/2) / √(2π).
        """
        if type(self) is not Value and (twin := _twin(self, "gelu")):  # Value.gelu(batched)
            return twin(self)
        x = self.data
        cdf = 0.5 * (1.0 + math.erf(x * _SQRT1_2))
        pdf = _INV_SQRT_2PI * math.exp(-0.5 * x * x)
        return _node(x * cdf, (self,), (cdf + x * pdf,), "gelu")

    def silu(self) -> Value:
        """SiLU (swish): x·σ(x);  d/dx = σ(x)·(1 + x·(1 − σ(x)))."""
        if type(self) is not Value and (twin := _twin(self, "silu")):  # Value.silu(batched)
            return twin(self)
        x = self.data
        s = ieee.sigmoid(x)
        return _node(x * s, (self,), (s * (1.0 + x * (1.0 - s)),), "silu")

    def softplus(self) -> Value:
        """ln(1 + eˣ), as max(x, 0) + ln(1 + e^(−|x|)) so it never overflows;  d/dx = σ(x)."""
        if type(self) is not Value and (twin := _twin(self, "softplus")):  # Value.softplus(batched)
            return twin(self)
        x = self.data
        out = max(x, 0.0) + math.log1p(math.exp(-abs(x)))
        return _node(out, (self,), (ieee.sigmoid(x),), "softplus")

    # ---- backpropagation ------------------------------------------------------------

    def backward(self, grad: float = 1.0) -> None:
        """Fill ``.grad`` on every node reachable from this one with d(self)/d(node).

        Reverse-mode automatic differentiation, one chain-rule loop for every operation:
        visit the nodes from this one back towards the leaves, in reverse topological
        order (so a node's gradient is complete before it is passed on), and for each
        parent of each node::

            parent.grad += local_grad · node.grad

        Leaves (``op == ""``: inputs, parameters, constants) **accumulate**, as in PyTorch:
        a second ``backward()`` adds to the first, so call ``zero_grad()`` between
        optimiser steps.  Every interior node reached is reset first, so afterwards it
        shows d(self)/d(node) for this pass alone.  No recursion: a chain of a million
        nodes is fine.

        ``grad`` seeds this node's gradient (d(loss)/d(self) if self is an intermediate).
        """
        run_backward(self, grad)

    def backward_step(self) -> list:
        """One step of the chain rule at this node alone, what micrograd's ``v._backward()`` does:
        for each parent, ``parent.grad += local_grad · self.grad``.

        Nothing is reset or seeded, so a walk by hand starts with ``root.grad = 1.0`` and calls
        ``backward_step()`` on each node from the root back (reverse topological order); that
        gives bit-for-bit the gradients of ``root.backward()``, whose loop does the same.
        Returns the steps taken, one per edge: the ``BackwardStep``s that ``backward_steps``
        returns, which print as lines of the chain rule.  A leaf returns ``[]``.
        """
        from .steps import step_at  # steps.py builds on this module

        return step_at(self)

    # micrograd's private names, answered with what to use here.  Properties, not __getattr__:
    # a class with __getattr__ loses CPython's fast attribute access for every .data and .grad.
    @property
    def _prev(self) -> Any:
        raise _micrograd_name("_prev")

    @property
    def _children(self) -> Any:
        raise _micrograd_name("_children")

    @property
    def _op(self) -> Any:
        raise _micrograd_name("_op")

    @property
    def _backward(self) -> Any:
        raise _micrograd_name("_backward")

    def _seed(self, grad: object) -> float:
        """The gradient backward starts from (a batched Value needs one per sample)."""
        return as_float(grad, "backward() grad")


_MICROGRAD_NAMES = {
    "_prev": "v.parents (a tuple, in a fixed order)",
    "_children": "v.parents (a tuple, in a fixed order)",
    "_op": "v.op",
    "_backward": "v.backward_step(), which also returns the steps it took",
}


def _micrograd_name(name: str) -> AttributeError:
    return AttributeError(f"a Value has no {name} (micrograd's name): here it is {_MICROGRAD_NAMES[name]}", name=name)


def run_backward(root: Value, grad: float = 1.0, watch: Watcher | None = None) -> list[Value]:
    """The backward pass of ``root.backward(grad)``; returns the nodes it visited, in
    topological order (with ``watch``: every node reachable, leaves included).

    ``watch(node, upstream)``, when given, is called as each node is about to pass its
    gradient (d root/d node) to its parents: ``backward_steps`` and ``animate_backward``
    record the pass this way, so what they show is this very loop, not a copy of it.  While
    watched, every node takes its steps one edge at a time (see ``EdgeBlock``).
    """
    seed = root._seed(grad)
    if watch is not None:  # the watcher names every node, leaves included
        every = topological_order(root)
        order = [node for node in every if node.parents]
        for node in order:
            node.grad = 0.0
        root.grad += seed
        for node in reversed(order):
            watch(node, node.grad)
            _edge_by_edge(node)
        return every
    order, blocks = _operations_order(root)  # (every node's grad set to 0 on the way)
    root.grad += seed
    if not blocks:  # the chain rule, one edge at a time
        for node in reversed(order):
            g = node.grad
            for parent, local_grad in zip(node.parents, node.local_grads):
                parent.grad += local_grad * g
        return order
    this_pass = BackwardPass(order)
    for node in reversed(order):
        grads = node.local_grads
        if grads.__class__ is tuple:  # the same rule, as above
            g = node.grad
            for parent, local_grad in zip(node.parents, grads):
                parent.grad += local_grad * g
        else:
            grads.accumulate(node, this_pass)  # type: ignore[union-attr]  # an EdgeBlock: a block of edges at once
    return order


class BackwardPass:
    """One run of the backward loop, as an EdgeBlock sees it: ``order``, the nodes it visits
    (every non-leaf node reachable from the root, sorted by creation number), and ``number``,
    different for every pass in this process.  Nodes made together (a layer's neurons) are
    neighbours in ``order``, which is how a block shared by them finds them."""

    __slots__ = ("order", "number")

    def __init__(self, order: list[Value]) -> None:
        self.order, self.number = order, _next_pass()


_next_pass = itertools.count().__next__


def _edge_by_edge(node: Value) -> None:
    """``parent.grad += local_grad · node.grad`` along each edge of ``node`` in turn, the rule
    itself, also for a node whose EdgeBlock would do a block of them at once."""
    grads = node.local_grads
    if grads.__class__ is tuple:  # every parent wants its gradient (else the node has an EdgeBlock)
        g = node.grad
        for parent, local_grad in zip(node.parents, grads):
            parent.grad += local_grad * g
    else:
        grads.edge_by_edge(node)  # type: ignore[union-attr]


class EdgeBlock(Sequence):
    """The local derivatives of a node that passes its gradient along many edges at once.

    It is still one local derivative per parent (indexing and iterating it give them, which
    is what drawings, ``backward_steps`` and ``backward_step`` use), and the chain rule is
    still ``parent.grad += local_grad · node.grad`` on every edge.  A subclass may compute
    the contributions of a block of edges in one go, such as one matrix product for all the
    weights of a layer whose inputs hold a batch of samples, as long as each edge gets what
    the rule gives it (up to the rounding of a sum).  A parent whose ``grad`` is None (data
    that asked for no gradient, as PyTorch's ``requires_grad=False``) is passed over.

    The default methods are the rule itself, edge by edge.
    """

    __slots__ = ()

    def accumulate(self, node: Value, backward: BackwardPass) -> None:
        """For each edge of ``node``: ``parent.grad += local_grad · node.grad``.  ``node.grad``
        is complete; so is that of every node of ``backward.order`` made after it."""
        self.edge_by_edge(node)

    def edge_by_edge(self, node: Value) -> None:
        """The rule on each edge of ``node`` in turn, from the parents' gradients as they are
        now: what a watched pass (``backward_steps``) and ``backward_step`` take, so that each
        step they show is one edge's addition.  A subclass may take its edges in another order
        if no parent comes twice (the sums are the same to the bit)."""
        g = node.grad
        for parent, local_grad in zip(node.parents, self):
            if parent.grad is not None:
                parent.grad += local_grad * g

    def operations(self, parents: Sequence[Value]) -> Iterable[Value]:
        """The parents that backward must visit after this node (at least those that are not
        leaves: a leaf passes nothing on)."""
        return parents


Watcher = Callable[[Value, Any], None]


def _power(base: Value, exponent: Value) -> Value:
    """aᵇ with both a node:  ∂/∂a = b·aᵇ⁻¹ (0 when b = 0),  ∂/∂b = aᵇ·ln a.

    As PyTorch, ∂/∂b is 0 where a = 0 and b ≥ 0 (instead of 0·(−inf) = nan).
    """
    a, b = base.data, exponent.data
    out = ieee.pow(a, b)
    d_base = 0.0 if b == 0.0 else b * ieee.pow(a, b - 1.0)
    d_exponent = 0.0 if (a == 0.0 and b >= 0.0) else out * ieee.log(a)
    return _node(out, (base, exponent), (d_base, d_exponent), "**")


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, each one after all of its parents.

    Every Value is numbered when it is created, and a node can only be created after its
    parents exist, so sorting the reachable nodes by that number puts parents first.  No
    recursion (a deep graph cannot overflow Python's stack), and the order is the same on
    every run.
    """
    reachable = {root}
    stack = [root]
    while stack:
        for parent in stack.pop().parents:
            if parent not in reachable:
                reachable.add(parent)
                stack.append(parent)
    return sorted(reachable, key=_creation_number)


def _operations_order(root: Value) -> tuple[list[Value], bool]:
    """``topological_order`` without the leaves, which is all that backward visits (a leaf
    has nothing to pass on, and is never reset), and whether any of them has an EdgeBlock.
    An EdgeBlock names the parents to visit, so the thousands of weights of a batched layer
    are not walked here.  Each node's grad is set to 0 on the way: backward's reset, without
    a loop of its own."""
    if not root.parents:
        return [], False
    root.grad = 0.0
    reachable = {root}
    stack = [root]
    blocks = False
    while stack:
        node = stack.pop()
        parents: Iterable[Value] = node.parents
        if node.local_grads.__class__ is not tuple:  # (cheaper than type(), on every node)
            parents = node.local_grads.operations(node.parents)  # type: ignore[union-attr]
            blocks = True
        for parent in parents:
            if parent.parents and parent not in reachable:
                parent.grad = 0.0
                reachable.add(parent)
                stack.append(parent)
    return sorted(reachable, key=_creation_number), blocks


_creation_number = operator.attrgetter("_index")


# ---- gradient mode --------------------------------------------------------------------

F = TypeVar("F", bound=Callable)


class no_grad:
    """Context manager (and decorator) that turns off graph recording.

    Inside it operations compute ``.data`` only: results are leaves with no parents,
    which is what an optimiser step or an evaluation wants.  It nests, and restores the
    previous mode on exit, also when an exception escapes::

        with no_grad():
            y = model(x)          # y.parents == ()

        @no_grad                  # or @no_grad(): both work
        def evaluate(...): ...

    The mode is per thread, as in PyTorch: ``no_grad()`` in one thread never changes what
    another thread records, and every thread starts with recording on.
    """

    def __new__(cls, func: Callable | None = None):
        if func is None:
            return super().__new__(cls)
        # ``@no_grad`` without parentheses: Python calls no_grad(func); answer with the
        # decorated function, as ``@no_grad()`` would.
        if not callable(func):
            raise TypeError(f"no_grad() takes no arguments (or decorates a function); got {type_name(func)}")
        return super().__new__(cls)(func)

    def __init__(self, func: Callable | None = None) -> None:
        pass  # the modes to restore are kept per thread (one object may be entered by several)

    def __enter__(self) -> no_grad:
        _mode.saved.append(_set_grad_enabled(False))
        return self

    def __exit__(self, *exc_info: object) -> None:
        _set_grad_enabled(_mode.saved.pop())

    def __call__(self, func: F) -> F:
        if not callable(func):
            raise TypeError(f"@no_grad() decorates a function; got {type_name(func)}")

        @functools.wraps(func)
        def without_grad(*args, **kwargs):
            with no_grad():
                return func(*args, **kwargs)

        return without_grad  # type: ignore[return-value]


class _GradMode(threading.local):
    """This thread's recording mode, and the modes that its open ``no_grad()`` blocks restore."""

    def __init__(self) -> None:
        self.enabled = True
        self.saved: list[bool] = []


_mode = _GradMode()
# How many threads have recording off right now.  Building a node reads this one global and,
# only while some thread is inside no_grad(), its own thread's mode: a thread-local lookup on
# every node would slow graph building for everybody.
_threads_without_grad = 0
_mode_lock = threading.Lock()


def _set_grad_enabled(enabled: bool) -> bool:
    """Set this thread's mode; returns the mode it had."""
    global _threads_without_grad
    was = _mode.enabled
    if was != enabled:
        with _mode_lock:
            _mode.enabled = enabled
            _threads_without_grad += -1 if enabled else 1
    return was


def is_grad_enabled() -> bool:
    """True unless this thread is inside ``no_grad()``."""
    return _mode.enabled
