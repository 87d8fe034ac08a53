"""Parameters side by side: leaf Values whose numbers live in one shared array.

A layer of 100,000 weights is still 100,000 Values (drawings, ``state_dict`` and the
optimisers see each one), but if each kept its number in its own attribute, every step would
read and write 100,000 attributes one by one: to stack the weights for batched mode's matrix
product, and again in the optimiser.  A ``Parameter`` keeps its number in entry ``k`` of an
array (its *store*) that it shares with the rest of its layer, so that code can take the
whole store at once (``shared_store``, ``view``) while ``w.data`` still reads and writes the
one number.

The price is in reading one weight: ``w.data`` on a Parameter is a property, about 100 ns
instead of 15–20, which matters only for code that reads weights one by one in a hot loop.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence

import numpy as np

from .engine import Value, as_float, next_index, type_name

_new = object.__new__


class Store(array):
    """The numbers of a set of parameters: an ``array("d")`` (plain C doubles, which NumPy
    views without copying) with a ``version`` that every write through a parameter or
    ``write`` raises, so a reader may keep what it read until the version changes."""

    __slots__ = ("version",)

    version: int

    def __new__(cls, values: Iterable[float], version: int = 0) -> Store:
        store: Store = super().__new__(cls, "d", values)  # type: ignore[assignment]
        store.version = version
        return store

    def __reduce_ex__(self, protocol: object) -> tuple:  # (array's own would drop the version)
        return Store, (self.tolist(), self.version)

    def __deepcopy__(self, memo: dict) -> Store:
        return Store(self, self.version)

    def __copy__(self) -> Store:
        return Store(self, self.version)


def write(store: Store, values: np.ndarray) -> None:
    """Overwrite every number of ``store`` at once (an optimiser's step)."""
    view(store)[:] = values
    store.version += 1


class Parameter(Value):
    """A leaf Value whose ``data`` is entry ``k`` of an array shared with other parameters.

    Everything else is a Value's: ``grad``, ``label``, arithmetic, ``backward``.
    ``shared_parameters`` makes the parameters of one array (``nn.Layer`` makes its weights
    and biases this way); ``Parameter(data, label)`` makes one with an array of its own.
    """

    __slots__ = ("_values", "_k")

    _values: Store
    _k: int

    def __new__(cls, data: float, label: str = "") -> Parameter:
        if not isinstance(label, str):
            raise TypeError(f"Parameter() label must be a str; got {type_name(label)}")
        (p,) = shared_parameters([as_float(data, "Parameter()")], [label])
        return p

    @property
    def data(self) -> float:
        return self._values[self._k]

    @data.setter
    def data(self, value: float) -> None:
        try:
            self._values[self._k] = value
            self._values.version += 1
        except TypeError:
            raise TypeError(
                f"the data of parameter {self.label or '(unlabelled)'} is one number; got {type_name(value)}"
            ) from None

    # pickle and deepcopy keep the array shared (it is part of the state, and both memoise
    # it); copy.copy gives a parameter of its own, as copying a Value gives an independent one
    def __getstate__(self) -> tuple:
        return self._values, self._k, self.grad, self.label

    def __setstate__(self, state: tuple) -> None:
        self._values, self._k, self.grad, self.label = state
        self.op, self.parents, self.local_grads = "", (), ()
        self._index = next_index()

    def __copy__(self) -> Parameter:
        (copy,) = shared_parameters([self.data], [self.label])
        copy.grad = self.grad
        return copy


def shared_parameters(values: Sequence[float], labels: Sequence[str]) -> list[Parameter]:
    """One Parameter per value, all of them on one new array, in order."""
    store = Store(values)
    if len(labels) != len(store):
        raise ValueError(f"shared_parameters() got {len(store)} values and {len(labels)} labels")
    out = []
    for k, label in enumerate(labels):
        p = _new(Parameter)  # its slots filled here: Value() would write data before the array is set
        p._values, p._k = store, k
        p.grad, p.label, p._index = 0.0, label, next_index()
        p.op, p.parents, p.local_grads = "", (), ()
        out.append(p)
    return out


def any_parameter(values: Iterable[object]) -> bool:
    """Whether any of ``values`` is a Parameter."""
    return Parameter in map(type, values)


def view(store: Store) -> np.ndarray:
    """A NumPy view of a store (write through ``write``, which keeps the version).  Make one
    when it is needed rather than keep it: a copied or unpickled view is not the store's."""
    return np.frombuffer(store, dtype=float)


def shared_store(params: Sequence[Value]) -> Store | None:
    """The store that holds exactly ``params``' data, in their order;
    None unless they are all the Parameters of one store."""
    first = params[0] if params else None
    if type(first) is not Parameter:
        return None
    store = first._values
    if len(store) != len(params):
        return None
    for k, p in enumerate(params):
        if type(p) is not Parameter or p._values is not store or p._k != k:
            return None
    return store


def shared_stores(params: Sequence[Value]) -> list[Store] | None:
    """``params`` as whole stores one after the other (a model's ``parameters()``: one store
    per layer), or None if they are not."""
    stores, i = [], 0
    while i < len(params):
        first = params[i]
        if type(first) is not Parameter:
            return None
        store = shared_store(params[i : i + len(first._values)])
        if store is None:
            return None
        stores.append(store)
        i += len(store)
    return stores or None
