"""nn: neurons, layers, MLPs and loss functions on the autograd engine.

>>> from nn import MLP
>>> model = MLP(2, [16, 16, 1], seed=0)      # micrograd's network
>>> model
MLP(2 → 16 → 16 → 1, relu; 337 parameters)

Reading order: ``layers.py`` (Neuron, Layer, MLP), ``losses.py``, ``module.py``
(parameters, state_dict, save/load), ``init.py`` (initialisation schemes); then
``batched_losses.py``, ``data.py`` (the lesson's data, make_moons), ``plots.py`` and
``torch_bridge.py`` (to_torch).
"""

from . import data, init, plots
from .layers import ACTIVATIONS, MLP, Layer, Neuron
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    huber_loss,
    mae_loss,
    mse_loss,
)
from .module import Module
from .torch_bridge import to_torch


def __getattr__(name: str):
    # The playground sits on top of nn and optim: import it only when asked for, so that nn
    # itself never imports optim.
    if name == "Playground":
        from .playground import Playground

        return Playground
    raise AttributeError(f"module 'nn' has no attribute {name!r}")


__all__ = [
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "ACTIVATIONS",
    "init",
    "mse_loss",
    "mae_loss",
    "huber_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "data",
    "plots",
    "to_torch",
    "Playground",
]
