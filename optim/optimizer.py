"""The Optimizer base: parameters, per-parameter state, zero_grad, step, checkpoints."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from autograd import Value
from autograd.engine import type_name
from autograd.parameters import shared_stores, view, write


def check_hyperparameter(
    name: str, value: object, low: float = 0.0, high: float | None = None, open_high: bool = True
) -> float:
    """``value`` as a float in [low, high) (or [low, high]), else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number; got {value!r}")
    try:
        value = float(value)
    except OverflowError:  # an int beyond any float, such as 10**400
        raise ValueError(f"{name} must be a finite number; got an int of {len(str(abs(value)))} digits") from None
    if math.isnan(value):
        raise ValueError(f"{name} must be a number; got {value!r}")
    too_high = high is not None and (value >= high if open_high else value > high)
    if value < low or too_high or math.isinf(value):
        bound = "" if high is None else f" and {'<' if open_high else '<='} {high}"
        raise ValueError(f"{name} must be >= {low}{bound}; got {value!r}")
    return value


State = dict[str, np.ndarray]  # per-parameter state: one array per kind, one entry per parameter


class Optimizer:
    """What every optimiser shares.

    Holds the parameters (Values) and their state; ``step()`` updates each parameter's
    ``.data`` from its ``.grad`` (no graph nodes are built), ``zero_grad()`` resets the
    gradients.  ``lr`` may be changed at any time (that is what the schedules do).

    A step is all or nothing.  The parameters and gradients are gathered into arrays once,
    the update is computed for all of them at once, as NumPy's elementwise operations (the
    same floating-point operations, in the same order, as the formula for one parameter
    written with Python floats: the same bits), and only then written back.  So if any
    gradient is nan or infinite, or anything else cannot be computed, ``step()`` raises
    before any weight or state has changed, and one bad batch never corrupts a model.
    Where the parameters are whole layers' stores (``autograd.parameters``: an ``nn``
    model's ``parameters()``), their values are read and written a store at a time.

    Subclasses set ``hyperparameters`` (the names saved in ``state_dict``) and
    ``state_fields`` (the state they keep for each parameter), and implement
    ``update(p, g, state, t)`` on arrays.
    """

    hyperparameters: tuple[str, ...] = ()
    state_fields: tuple[str, ...] = ()  # what each parameter's state may hold (checked by load_state_dict)
    squared_fields: tuple[str, ...] = ()  # those that are means of squares, so never negative

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        if isinstance(params, Value) or not isinstance(params, Iterable):
            raise TypeError(
                f"{type(self).__name__}() params must be an iterable of Values, e.g. "
                f"model.parameters(); got {type_name(params)}"
            )
        self.params: list[Value] = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}() got an empty params list: nothing to optimise")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"{type(self).__name__}() params[{i}] is a {type_name(p)}, not a Value")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError(f"{type(self).__name__}() got the same parameter more than once")
        self.lr = lr
        self.state: State = {}
        self.steps = 0  # t, the number of steps taken
        self._stores: tuple[list[Value], list | None] = ([], None)  # see _shared_stores

    @property
    def lr(self) -> float:
        """The learning rate: a number >= 0, settable."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_hyperparameter("lr", value)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (gradients accumulate across ``backward()``)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its current gradient (all of them, or none)."""
        grads = self._gradients()
        stores = self._shared_stores()  # (None: parameters of their own, read one by one)
        if stores is None:
            data = _gather(self.params, "data", type(self).__name__)
        else:
            data = np.concatenate([view(store) for store in stores])
        with np.errstate(all="ignore"):  # overflow gives inf, as in torch; the next step refuses it
            new_data, new_state = self.update(data, grads, self.state, self.steps + 1)
        # Nothing has changed up to here; what follows are plain assignments, which cannot fail.
        self.steps += 1
        self.state = new_state
        if stores is None:
            for p, x in zip(self.params, new_data.tolist()):
                p.data = x
        else:
            start = 0
            for store in stores:
                write(store, new_data[start : start + len(store)])
                start += len(store)

    def _shared_stores(self) -> list | None:
        """The stores that hold the parameters, one after the other, if they are such (found
        once for a list of parameters, and again if ``self.params`` has changed)."""
        planned, stores = self._stores
        if self.params != planned:  # (compares by identity: Values' == is identity)
            stores = shared_stores(self.params)
            self._stores = list(self.params), stores
        return stores

    def _gradients(self) -> np.ndarray:
        """Every parameter's gradient, checked: one finite number each."""
        name = type(self).__name__
        grads = _gather(self.params, "grad", name)
        bad = np.flatnonzero(~np.isfinite(grads)).tolist()
        if bad:
            shown = ", ".join(
                f"params[{i}]"
                + (f" ({self.params[i].label})" if self.params[i].label else "")
                + f" = {self.params[i].grad}"
                for i in bad[:5]
            )
            more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
            raise ValueError(f"{name}.step(): non-finite gradient in {shown}{more}; no parameter was updated")
        return grads

    def update(self, p: np.ndarray, g: np.ndarray, state: State, t: int) -> tuple[np.ndarray, State]:
        """The new values of the parameters ``p`` (an array) from their gradients ``g`` at step
        ``t`` (counting from 1), and the new state; it must not change ``state`` in place."""
        raise NotImplementedError

    # ---- checkpoints ------------------------------------------------------------------

    def state_dict(self) -> dict:
        """A copy of everything needed to resume: lr, hyper-parameters, step count and the
        per-parameter state (plain numbers and lists, so ``json.dump`` can save it)."""
        columns = {key: values.tolist() for key, values in self.state.items()}
        return {
            "optimizer": type(self).__name__,
            "lr": self.lr,
            "hyperparameters": {name: _plain(getattr(self, name)) for name in self.hyperparameters},
            "steps": self.steps,
            "state": [{key: columns[key][i] for key in columns} for i in range(len(self.params))],
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore ``state_dict()``'s contents (for the same parameters, in the same order).

        Everything is checked first (finite numbers, non-negative second moments, an integer
        step count, one state per parameter); anything malformed or mismatched raises
        ``ValueError`` naming the field, and changes nothing.
        """
        name = type(self).__name__
        fields = ("optimizer", "lr", "hyperparameters", "steps", "state")
        if not isinstance(state, Mapping) or any(key not in state for key in fields):
            raise ValueError(
                f"{name}.load_state_dict() expects a dict made by state_dict(), with keys "
                f"{', '.join(fields)}; got {_describe(state)}"
            )
        kind, lr, hyper, steps, per_param = (state[key] for key in fields)
        if kind != name:
            raise ValueError(f"{name}.load_state_dict() got the state of a {kind}")
        if not isinstance(per_param, (list, tuple)):
            raise ValueError(
                f"{name}.load_state_dict(): state must be a list of per-parameter dicts; got {_describe(per_param)}"
            )
        if len(per_param) != len(self.params):
            raise ValueError(
                f"{name}.load_state_dict() got state for {len(per_param)} parameters, "
                f"this optimiser has {len(self.params)}"
            )
        if not isinstance(hyper, Mapping) or set(hyper) != set(self.hyperparameters):
            got = sorted(map(str, hyper)) if isinstance(hyper, Mapping) else _describe(hyper)
            raise ValueError(
                f"{name}.load_state_dict() got hyper-parameters {got}, expected {sorted(self.hyperparameters)}"
            )
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"{name}.load_state_dict() steps must be an int >= 0; got {steps!r}")
        new_state = self._parameter_state(per_param)
        previous = {n: getattr(self, n) for n in self.hyperparameters}, self.lr
        try:  # re-validate through the constructor's checks
            self.lr = lr
            for n, v in hyper.items():
                setattr(self, n, tuple(v) if isinstance(v, list) else v)
            self.validate()
        except (ValueError, TypeError) as e:
            for n, v in previous[0].items():
                setattr(self, n, v)
            self.lr = previous[1]
            raise ValueError(f"{name}.load_state_dict(): {e}") from None
        self.steps = steps
        self.state = new_state

    def _parameter_state(self, per_param: Sequence[object]) -> State:
        """The saved per-parameter state as arrays, or ``ValueError`` naming what is wrong."""
        name = type(self).__name__
        keys: set | None = None
        columns: dict[str, list[float]] = {}
        for i, entry in enumerate(per_param):
            if not isinstance(entry, Mapping):
                raise ValueError(f"{name}.load_state_dict(): state[{i}] must be a dict; got {_describe(entry)}")
            if keys is None:
                keys = set(entry)
                unknown = sorted(map(str, keys - set(self.state_fields)))
                if unknown:
                    raise ValueError(
                        f"{name}.load_state_dict(): state[{i}] has unknown keys {unknown}; {name} keeps "
                        f"{sorted(self.state_fields) or 'no state'}"
                    )
                columns = {key: [] for key in entry}
            elif set(entry) != keys:
                raise ValueError(
                    f"{name}.load_state_dict(): state[{i}] has keys {sorted(map(str, entry))}, state[0] has "
                    f"{sorted(keys)}: every parameter keeps the same state"
                )
            for key, value in entry.items():
                columns[key].append(
                    _state_number(name, f"state[{i}][{key!r}]", value, signed=key not in self.squared_fields)
                )
        return {key: np.array(values, dtype=float) for key, values in columns.items()}

    def validate(self) -> None:
        """Check the hyper-parameters (subclasses raise ValueError naming the bad one)."""

    def __repr__(self) -> str:
        hyper = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.hyperparameters)
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r}{', ' + hyper if hyper else ''})"


def _gather(params: list[Value], attribute: str, who: str) -> np.ndarray:
    """``p.data`` or ``p.grad`` of every parameter as one float array, or a ``ValueError`` naming
    the parameter that does not hold one number (a gradient per sample, from batched mode)."""
    try:
        values = [p.grad for p in params] if attribute == "grad" else [p.data for p in params]
        return np.fromiter(values, dtype=float, count=len(params))
    except (TypeError, ValueError):
        i, p = next((i, p) for i, p in enumerate(params) if not _one_number(getattr(p, attribute)))
        value, label = getattr(p, attribute), f" ({p.label})" if p.label else ""
        if isinstance(value, np.ndarray) and attribute == "grad":
            raise ValueError(
                f"{who}.step(): params[{i}]{label} has a gradient per sample (shape {value.shape}), not one "
                "number: a batched Value cannot be a parameter. Train on a scalar loss (nn's losses, or "
                "autograd.batch_mean(v)); no parameter was updated"
            ) from None
        raise ValueError(
            f"{who}.step(): params[{i}]{label}.{attribute} is {type_name(value)}, not a number; "
            "no parameter was updated"
        ) from None


def _one_number(value: object) -> bool:
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def _state_number(who: str, field: str, value: object, signed: bool) -> float:
    """One saved state number, checked: a finite real (and >= 0 where ``signed`` is False)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{who}.load_state_dict(): {field} must be a number; got {value!r}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{who}.load_state_dict(): {field} is too large for a float") from None
    if not math.isfinite(number):
        raise ValueError(f"{who}.load_state_dict(): {field} must be finite; got {number}")
    if not signed and number < 0.0:
        raise ValueError(f"{who}.load_state_dict(): {field} is a mean of squares and cannot be negative; got {number}")
    return number


def _describe(obj: object) -> str:
    return f"a {type_name(obj)}" if not isinstance(obj, Mapping) else f"a dict with keys {sorted(map(str, obj))}"


def _plain(value):
    return list(value) if isinstance(value, tuple) else value
