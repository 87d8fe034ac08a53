"""The Optimizer base: parameters, per-parameter state, zero_grad, step, checkpoints."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable

from autograd import Value
from autograd.engine import _type_name


def check_hyperparameter(name: str, value: object, low: float = 0.0, high: float | None = None,
                         open_high: bool = True) -> float:
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
            raise TypeError(f"{type(self).__name__}() params must be an iterable of Values, e.g. "
                            f"model.parameters(); got {_type_name(params)}")
        self.params: list[Value] = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}() got an empty params list: nothing to optimise")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"{type(self).__name__}() params[{i}] is a {_type_name(p)}, not a Value")
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
        bad = [i for i, p in enumerate(self.params) if not math.isfinite(p.grad)]
        if bad:
            shown = ", ".join(f"params[{i}]" + (f" ({self.params[i].label})" if self.params[i].label else "")
                              + f" = {self.params[i].grad}" for i in bad[:5])
            more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
            raise ValueError(f"{type(self).__name__}.step(): non-finite gradient in {shown}{more}; "
                             "no parameter was updated")
        self.steps += 1
        for p, state in zip(self.params, self.state):
            self.update(p, p.grad, state)

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

        Everything is checked first; a mismatch raises ``ValueError`` and changes nothing.
        """
        name = type(self).__name__
        try:
            kind, lr, hyper, steps, per_param = (state["optimizer"], state["lr"], state["hyperparameters"],
                                                 state["steps"], state["state"])
        except (KeyError, TypeError):
            raise ValueError(f"{name}.load_state_dict() expects a dict made by state_dict()") from None
        if kind != name:
            raise ValueError(f"{name}.load_state_dict() got the state of a {kind}")
        if len(per_param) != len(self.params):
            raise ValueError(f"{name}.load_state_dict() got state for {len(per_param)} parameters, "
                             f"this optimiser has {len(self.params)}")
        if set(hyper) != set(self.hyperparameters):
            raise ValueError(f"{name}.load_state_dict() got hyper-parameters {sorted(hyper)}, "
                             f"expected {sorted(self.hyperparameters)}")
        previous = {n: getattr(self, n) for n in self.hyperparameters}, self.lr
        try:  # re-validate through the constructor's checks
            self.lr = lr
            for n, v in hyper.items():
                setattr(self, n, tuple(v) if isinstance(v, list) else v)
            self.validate()
        except ValueError:
            for n, v in previous[0].items():
                setattr(self, n, v)
            self.lr = previous[1]
            raise
        self.steps = int(steps)
        self.state = [{k: float(v) for k, v in s.items()} for s in per_param]

    def validate(self) -> None:
        """Check the hyper-parameters (subclasses raise ValueError naming the bad one)."""

    def __repr__(self) -> str:
        hyper = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.hyperparameters)
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r}{', ' + hyper if hyper else ''})"


def _plain(value):
    return list(value) if isinstance(value, tuple) else value
