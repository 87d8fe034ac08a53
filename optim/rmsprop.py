"""RMSprop, as torch.optim.RMSprop (not centred)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from autograd import Value

from .optimizer import Optimizer, State, check_hyperparameter


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``::

        g ← ∇p + λ·p
        v ← α·v + (1 − α)·g²               running mean of the squared gradient (v starts at 0)
        p ← p − lr · g / (√v + ε)          with momentum μ = 0
        b ← μ·b + g / (√v + ε)             with momentum μ > 0 (b starts at 0)
        p ← p − lr·b

    Unlike Adam there is no bias correction, so the first steps are larger than lr.
    """

    hyperparameters = ("alpha", "eps", "weight_decay", "momentum")
    state_fields = ("v", "b")
    squared_fields = ("v",)

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.alpha, self.eps, self.weight_decay, self.momentum = alpha, eps, weight_decay, momentum
        self.validate()

    def validate(self) -> None:
        self.alpha = check_hyperparameter("alpha", self.alpha, 0.0, 1.0, open_high=False)
        self.eps = check_hyperparameter("eps", self.eps)
        self.weight_decay = check_hyperparameter("weight_decay", self.weight_decay)
        self.momentum = check_hyperparameter("momentum", self.momentum)

    def update(self, p: np.ndarray, g: np.ndarray, state: State, t: int) -> tuple[np.ndarray, State]:
        # torch's order of operations (see Adam.adam_step for why it matters)
        if self.weight_decay:
            g = g + self.weight_decay * p
        v = state.get("v", 0.0) * self.alpha + (1.0 - self.alpha) * g * g
        denominator = np.sqrt(v) + self.eps
        moves = denominator != 0.0  # 0 only if eps = 0 and g = 0 so far: no step
        if self.momentum:
            old_b = state.get("b", np.zeros_like(p))
            b = np.where(moves, old_b * self.momentum + g / denominator, old_b)
            return np.where(moves, p - self.lr * b, p), {"v": v, "b": b}
        return np.where(moves, p - self.lr * g / denominator, p), {"v": v}
