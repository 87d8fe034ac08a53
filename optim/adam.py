"""Adam and AdamW, as torch.optim.Adam and torch.optim.AdamW."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from autograd import Value

from .optimizer import Optimizer, State, check_hyperparameter


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam``; t counts the steps taken, starting at 1::

        g ← ∇p + λ·p                       (L2 weight decay, folded into the gradient)
        m ← β₁·m + (1 − β₁)·g              running mean of the gradient
        v ← β₂·v + (1 − β₂)·g²             running mean of its square
        m̂ ← m / (1 − β₁ᵗ)                  bias corrections: m and v start at 0
        v̂ ← v / (1 − β₂ᵗ)
        p ← p − lr · m̂ / (√v̂ + ε)

    Each parameter's step is about lr in size whatever the scale of its gradient.
    """

    hyperparameters = ("betas", "eps", "weight_decay")
    state_fields = ("m", "v")
    squared_fields = ("v",)

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.validate()

    def validate(self) -> None:
        try:
            beta1, beta2 = self.betas
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair (β₁, β₂); got {self.betas!r}") from None
        self.betas = (
            check_hyperparameter("betas[0]", beta1, 0.0, 1.0),
            check_hyperparameter("betas[1]", beta2, 0.0, 1.0),
        )
        self.eps = check_hyperparameter("eps", self.eps)
        self.weight_decay = check_hyperparameter("weight_decay", self.weight_decay)

    def update(self, p: np.ndarray, g: np.ndarray, state: State, t: int) -> tuple[np.ndarray, State]:
        if self.weight_decay:
            g = g + self.weight_decay * p
        return self.adam_step(p, g, state, t)

    def adam_step(self, p: np.ndarray, g: np.ndarray, state: State, t: int) -> tuple[np.ndarray, State]:
        """The Adam update of the docstring from m onwards, given the gradient g (AdamW reuses it).

        The floating-point operations are torch's, in torch's order (the form of Kingma & Ba's
        own "efficient version": the bias corrections folded into the step size and the
        denominator).  Mathematically it is the docstring's update; in floats, a different
        order differs by an ulp, and in a chaotic run an ulp grows tenfold per step, so only
        the same order keeps 100 steps within 1e-12 of torch.optim.Adam.
        """
        beta1, beta2 = self.betas
        m = lerp(state.get("m", 0.0), g, 1.0 - beta1)  # m + (1 − β₁)(g − m)
        v = state.get("v", 0.0) * beta2 + (1.0 - beta2) * g * g
        step_size = self.lr / (1.0 - beta1**t)  # lr / (1 − β₁ᵗ)
        denominator = np.sqrt(v) / (1.0 - beta2**t) ** 0.5 + self.eps  # √v̂ + ε
        # the denominator is 0 only when eps = 0 and every gradient so far was 0 (so m = 0 too): no step
        return np.where(denominator != 0.0, p - step_size * m / denominator, p), {"m": m, "v": v}


def lerp(start: np.ndarray | float, end: np.ndarray, weight: float) -> np.ndarray:
    """start + weight·(end − start), computed as torch.lerp does: from the nearer end, so that
    weight = 1 gives exactly ``end`` (Adam with β₁ = 0 keeps m = g exactly)."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


class AdamW(Adam):
    """AdamW, as ``torch.optim.AdamW``: Adam with *decoupled* weight decay::

        p ← p · (1 − lr·λ)                 shrink the weight directly…
        then the Adam update with g = ∇p   …instead of adding λ·p to the gradient

    With L2 in the gradient (Adam's weight_decay) the decay is rescaled by 1/√v̂ like
    everything else, so weights with large gradients are barely decayed; AdamW decays every
    weight at the same rate.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)

    def update(self, p: np.ndarray, g: np.ndarray, state: State, t: int) -> tuple[np.ndarray, State]:
        return self.adam_step(p * (1.0 - self.lr * self.weight_decay), g, state, t)
