"""Learning-rate schedules, as torch.optim.lr_scheduler (closed forms).

A schedule remembers the optimiser's lr when it was made (lr₀) and, on every ``step()``,
sets ``optimizer.lr`` for the next epoch e.  Call it once per epoch, after
``optimizer.step()``::

    schedule = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(...)              # optimizer.step() inside
        schedule.step()
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from .optimizer import Optimizer, check_hyperparameter


class LRScheduler:
    """Base class: subclasses give ``lr_at(epoch)``; ``step()`` moves to the next epoch."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}() takes an optimizer; got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.epoch = 0
        optimizer.lr = self.lr_at(0)

    def lr_at(self, epoch: int) -> float:
        """The learning rate for ``epoch`` (0 is the epoch the schedule starts at)."""
        raise NotImplementedError

    def step(self) -> float:
        """Advance one epoch and set the optimiser's lr; returns the new lr."""
        self.epoch += 1
        self.optimizer.lr = self.lr_at(self.epoch)
        return self.optimizer.lr

    def state_dict(self) -> dict:
        """What resuming needs: the initial lr and the current epoch."""
        return {"base_lr": self.base_lr, "epoch": self.epoch}

    def load_state_dict(self, state: dict) -> None:
        """Resume from ``state_dict()`` (the optimiser's own lr is restored by its state).

        Both fields are checked before either is set: ``ValueError`` naming the one that is wrong.
        """
        name = type(self).__name__
        if not isinstance(state, Mapping) or set(state) != {"base_lr", "epoch"}:
            got = sorted(map(str, state)) if isinstance(state, Mapping) else type(state).__name__
            raise ValueError(f"{name}.load_state_dict() expects a dict with keys base_lr and epoch; got {got}")
        try:
            base_lr = check_hyperparameter("base_lr", state["base_lr"])
        except ValueError as e:
            raise ValueError(f"{name}.load_state_dict(): {e}") from None
        epoch = state["epoch"]
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
            raise ValueError(f"{name}.load_state_dict(): epoch must be an int >= 0; got {epoch!r}")
        self.base_lr, self.epoch = base_lr, epoch


class StepLR(LRScheduler):
    """lr = lr₀ · γ^⌊e / step_size⌋: multiply by γ every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"step_size must be a positive int; got {step_size!r}")
        self.step_size, self.gamma = step_size, check_hyperparameter("gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """lr = lr₀ · γᵉ: multiply by γ every epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = check_hyperparameter("gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    """lr = η_min + (lr₀ − η_min) · (1 + cos(π·e / T_max)) / 2: half a cosine from lr₀ down to
    ``eta_min`` over ``T_max`` epochs."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        if isinstance(T_max, bool) or not isinstance(T_max, int) or T_max < 1:
            raise ValueError(f"T_max must be a positive int; got {T_max!r}")
        self.T_max, self.eta_min = T_max, check_hyperparameter("eta_min", eta_min)
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2


class LinearLR(LRScheduler):
    """lr = lr₀ · (s + (f − s) · min(e, total_iters) / total_iters): a linear ramp of the
    factor from ``start_factor`` s to ``end_factor`` f, then constant (a warm-up)."""

    def __init__(
        self, optimizer: Optimizer, start_factor: float = 1 / 3, end_factor: float = 1.0, total_iters: int = 5
    ) -> None:
        self.start_factor = check_hyperparameter("start_factor", start_factor)
        self.end_factor = check_hyperparameter("end_factor", end_factor)
        if isinstance(total_iters, bool) or not isinstance(total_iters, int) or total_iters < 1:
            raise ValueError(f"total_iters must be a positive int; got {total_iters!r}")
        self.total_iters = total_iters
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        fraction = min(epoch, self.total_iters) / self.total_iters
        return self.base_lr * (self.start_factor + (self.end_factor - self.start_factor) * fraction)


class FunctionLR(LRScheduler):
    """lr = f(e) for any function f of the epoch: ``FunctionLR(opt, lambda e: 1.0 - 0.009 * e)``
    (the lr must stay >= 0)."""

    def __init__(self, optimizer: Optimizer, lr_fn: Callable[[int], float]) -> None:
        if not callable(lr_fn):
            raise TypeError(f"{type(self).__name__}() needs a function of the epoch; got {type(lr_fn).__name__}")
        self.lr_fn = lr_fn
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.lr_fn(epoch)


class LambdaLR(FunctionLR):
    """lr = lr₀ · f(e), as ``torch.optim.lr_scheduler.LambdaLR``: the function gives a factor of
    the initial lr, ``LambdaLR(opt, lambda e: 1 / (1 + e))``.  ``FunctionLR`` takes the lr itself."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float]) -> None:
        super().__init__(optimizer, lr_lambda)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.lr_fn(epoch)
