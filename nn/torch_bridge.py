"""From here to PyTorch: the same network as a ``torch.nn`` module, with the same weights.

For learners who outgrow this library: ``to_torch(model)`` builds ``torch.nn.Sequential`` of
``Linear`` layers (float64) and activations with this model's weights, so outputs and
gradients can be compared number for number.  PyTorch is an optional extra (a large
download): ``pip install torch``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.extras import require

from .layers import MLP, Layer, Neuron

_TORCH_ACTIVATIONS = {
    "relu": "ReLU",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "gelu": "GELU",
    "silu": "SiLU",
    "leaky_relu": "LeakyReLU",  # torch's default negative_slope is 0.01, as ours
}


def to_torch(model: MLP | Layer | Neuron) -> Any:
    """``model`` as a float64 ``torch.nn.Sequential`` with the same weights: Linear(nin, nout)
    for each layer (weight[j, k] = the weight from input k to neuron j), then its activation."""
    layers: list[Any]
    if isinstance(model, MLP):
        layers = model.layers
    elif isinstance(model, Layer):
        layers = [model]
    elif isinstance(model, Neuron):
        layers = [_single(model)]
    else:
        raise TypeError(f"to_torch() takes an nn.MLP, nn.Layer or nn.Neuron; got {type(model).__name__}")
    torch = require("torch", "torch", "to_torch()")
    modules = []
    for layer in layers:
        W = np.array([[w.data for w in n.w] for n in layer.neurons])
        b = np.array([n.b.data for n in layer.neurons])
        linear = torch.nn.Linear(W.shape[1], W.shape[0]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        modules.append(linear)
        name = layer.neurons[0]._activation_name
        if name is not None:
            modules.append(getattr(torch.nn, _TORCH_ACTIVATIONS[name])())
    return torch.nn.Sequential(*modules)


class _single:
    """A Neuron seen as a layer of one neuron."""

    def __init__(self, neuron: Neuron) -> None:
        self.neurons = [neuron]
