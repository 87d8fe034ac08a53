"""RMSprop, as torch.optim.RMSprop (not centred)."""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd import Value

from .optimizer import Optimizer, check_hyperparameter


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

    def update(self, p: Value, g: float, state: dict[str, float]) -> None:
        # torch's order of operations (see Adam.adam_step for why it matters)
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        v = state["v"] = state.get("v", 0.0) * self.alpha + (1.0 - self.alpha) * g * g
        denominator = math.sqrt(v) + self.eps
        if not denominator:  # 0 only if eps = 0 and g = 0 so far: no step
            return
        if self.momentum:
            b = state["b"] = state.get("b", 0.0) * self.momentum + g / denominator
            p.data -= self.lr * b
        else:
            p.data -= self.lr * g / denominator
