"""The Optimizer base: parameters, per-parameter state, zero_grad, step, checkpoints."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping

from autograd import Value
from autograd.engine import type_name


def check_hyperparameter(
    name: str, value: object, low: float = 0.0, high: float | None = None, open_high: bool = True
) -> float:
    """``value`` as a float in [low, high) (or [low, high]), else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise ValueError(f"{name} must be a number; got {value!r}")
    value = float(value)
    too_high = high is not None and (value >= high if open_high else value > high)
    if value < low or too_high or math.isinf(value):
        bound = "" if high is None else f" and {'<' if open_high else '<='} {high}"
        raise ValueError(f"{name} must be >= {low}{bound}; got {value!r}")
    return value


class Optimizer:
    """What every optimiser shares.

    Holds the parameters (Values) and one state dict per parameter; ``step()`` updates each
    parameter's ``.data`` in place from its ``.grad`` (plain floats: no graph nodes are
    built), ``zero_grad()`` resets the gradients.  ``lr`` may be changed at any time (that
    is what the schedules do).

    A step is all or nothing: if any gradient is nan or infinite, ``step()`` raises
    ``ValueError`` before changing anything, so one bad batch never corrupts the weights.

    Subclasses set ``hyperparameters`` (the names saved in ``state_dict``) and implement
    ``update(p, g, state)`` for one parameter.
    """

    hyperparameters: tuple[str, ...] = ()

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
        self.state: list[dict[str, float]] = [{} for _ in self.params]
        self.steps = 0  # t, the number of steps taken

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
        """Update every parameter once from its current gradient."""
        try:
            bad = [i for i, p in enumerate(self.params) if not math.isfinite(p.grad)]
        except TypeError:  # math.isfinite refused a gradient that is not one number
            self._reject_batched_gradients()
            raise
        if bad:
            shown = ", ".join(
                f"params[{i}]"
                + (f" ({self.params[i].label})" if self.params[i].label else "")
                + f" = {self.params[i].grad}"
                for i in bad[:5]
            )
            more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
            raise ValueError(
                f"{type(self).__name__}.step(): non-finite gradient in {shown}{more}; no parameter was updated"
            )
        self.steps += 1
        for p, state in zip(self.params, self.state):
            self.update(p, p.grad, state)

    def _reject_batched_gradients(self) -> None:
        for i, p in enumerate(self.params):
            if not isinstance(p.grad, float):
                shape = getattr(p.grad, "shape", None)
                raise ValueError(
                    f"{type(self).__name__}.step(): params[{i}]"
                    + (f" ({p.label})" if p.label else "")
                    + f" has a gradient per sample (shape {shape}), not one number: a batched Value cannot be "
                    "a parameter. Train on a scalar loss (nn's losses, or autograd.batch_mean(v)); no parameter "
                    "was updated"
                )

    def update(self, p: Value, g: float, state: dict[str, float]) -> None:
        """Update one parameter ``p`` from its gradient ``g``, keeping what it needs in ``state``."""
        raise NotImplementedError

    # ---- checkpoints ------------------------------------------------------------------

    def state_dict(self) -> dict:
        """A copy of everything needed to resume: lr, hyper-parameters, step count and the
        per-parameter state (plain numbers and lists, so ``json.dump`` can save it)."""
        return {
            "optimizer": type(self).__name__,
            "lr": self.lr,
            "hyperparameters": {name: _plain(getattr(self, name)) for name in self.hyperparameters},
            "steps": self.steps,
            "state": copy.deepcopy(self.state),
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore ``state_dict()``'s contents (for the same parameters, in the same order).

        Everything is checked first; anything malformed or mismatched raises ``ValueError``
        saying what, and changes nothing.
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
        new_state = [_parameter_state(name, i, s) for i, s in enumerate(per_param)]
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

    def validate(self) -> None:
        """Check the hyper-parameters (subclasses raise ValueError naming the bad one)."""

    def __repr__(self) -> str:
        hyper = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.hyperparameters)
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r}{', ' + hyper if hyper else ''})"


def _parameter_state(name: str, i: int, entry: object) -> dict[str, float]:
    """One parameter's saved state as ``{str: float}``, or ``ValueError`` saying what is wrong."""
    if not isinstance(entry, Mapping):
        raise ValueError(f"{name}.load_state_dict(): state[{i}] must be a dict; got {_describe(entry)}")
    out = {}
    for key, value in entry.items():
        if not isinstance(key, str) or isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name}.load_state_dict(): state[{i}][{key!r}] must be a number; got {value!r}")
        out[key] = float(value)
    return out


def _describe(obj: object) -> str:
    return f"a {type_name(obj)}" if not isinstance(obj, Mapping) else f"a dict with keys {sorted(map(str, obj))}"


def _plain(value):
    return list(value) if isinstance(value, tuple) else value
