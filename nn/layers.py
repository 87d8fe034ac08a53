"""Neuron, Layer and MLP: micrograd's network, one fused node per neuron."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from autograd import Value, batching
from autograd.batching import any_batched, input_name
from autograd.engine import as_float, leaf, type_name
from autograd.fused import affine, affine_row
from autograd.parameters import any_parameter, shared_parameters

from .init import Seed, generator, initial_weights
from .module import Module

ACTIVATIONS: dict[str | None, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "gelu": Value.gelu,
    "silu": Value.silu,
    "leaky_relu": Value.leaky_relu,
    None: None,  # linear
}


def _activation(name: str | None) -> Callable[[Value], Value] | None:
    if not (name is None or isinstance(name, str)) or name not in ACTIVATIONS:
        valid = ", ".join(repr(n) for n in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; valid names are: {valid} (None = linear)")
    return ACTIVATIONS[name]


def _inputs(x: object, nin: int, who: str) -> list[Value]:
    """The inputs as a list of ``nin`` Values: numbers become leaves named x₀, x₁, …"""
    if isinstance(x, np.ndarray) and x.ndim == 0:  # a 0-d array is one number
        if nin != 1:
            raise ValueError(f"{who} expected {nin} inputs, received one number (a 0-d array)")
        x = [x[()]]
    if isinstance(x, (Value, int, float, np.number)) and nin == 1:
        x = [x]
    if isinstance(x, (str, bytes)) or not isinstance(x, (Sequence, np.ndarray)):
        raise TypeError(f"{who} takes a sequence of {nin} inputs (Values or numbers); got {type_name(x)}")
    if isinstance(x, np.ndarray) and x.ndim > 1:
        raise ValueError(
            f"{who} takes one sample, {nin} inputs; got an array of shape {x.shape}. "
            f"Call it once per row: [model(x) for x in X]"
        )
    if len(x) != nin:
        raise ValueError(f"{who} expected {nin} inputs, received {len(x)}")
    return [
        v if isinstance(v, Value) else leaf(v if type(v) is float else as_float(v, f"{who} inputs[{i}]"), input_name(i))
        for i, v in enumerate(x)
    ]


class Neuron(Module):
    """One neuron: activation(w · x + b).

    The pre-activation w · x + b is ONE node (``autograd.dot`` with a bias), whose local
    derivatives are ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1; the activation is a second node
    (none when ``activation`` is None).  With ``fused=False`` the pre-activation is built
    the way micrograd builds it, b + w₀·x₀ + w₁·x₁ + …, one ``*`` and one ``+`` node per
    input: the same numbers (the same additions in the same order), in a graph that shows
    every product.

    ``weights`` and ``bias`` set the initial values explicitly; otherwise they are drawn
    with the ``init`` scheme (see ``nn.init``) from ``seed``.  For drawings the parameters
    are labelled ``w[0]``, ``w[1]``, …, ``b`` (inside a Layer or an MLP, as those name them).
    """

    def __init__(
        self,
        nin: int,
        activation: str | None = "relu",
        *,
        init: str = "pytorch",
        seed: Seed = None,
        weights: Sequence[float] | None = None,
        bias: float | None = None,
        fused: bool = True,
    ) -> None:
        _check_size("Neuron() nin", nin)
        self._act = _activation(activation)
        self._activation_name = activation
        self._fused = _check_fused("Neuron", fused)
        if weights is None:
            w, b = initial_weights(init, generator(seed), nin, 1)
            weights = w[0]
            bias = b[0] if bias is None else bias
        if len(weights) != nin:
            raise ValueError(f"Neuron() got {len(weights)} weights for {nin} inputs")
        self.w = [Value(wi, f"w[{k}]") for k, wi in enumerate(weights)]
        self.b = Value(0.0 if bias is None else bias, "b")

    def __call__(self, x: Sequence[Value | float]) -> Value:
        xs = _inputs(x, len(self.w), "Neuron")
        if any_batched(xs):
            return self._forward_batched(xs)
        return self._forward(xs) if self._fused else self._forward_unfused(xs)

    def _forward(self, xs: list[Value], x_data: list[float] | None = None) -> Value:
        out = affine(xs, self.w, self.b, x_data)
        return out if self._act is None else self._act(out)

    def _forward_unfused(self, xs: list[Value]) -> Value:
        out = self._unfused(xs)
        return out if self._act is None else self._act(out)

    def _unfused(self, xs: list[Value]) -> Value:
        out = self.b
        for wi, xi in zip(self.w, xs):
            out = out + wi * xi
        if self.b.label[:1] == "b" and out is not self.b:  # the pre-activation, named as the lesson does: z1[2]
            out.label = "z" + self.b.label[1:]
        return out

    def _forward_batched(self, xs: list[Value]) -> Value:
        """The same neuron on batched inputs (see autograd.batching)."""
        out = batching.layer(xs, batching.Neurons([(self.w, self.b)]))[0] if self._fused else self._unfused(xs)
        return out if self._activation_name is None else getattr(out, self._activation_name)()

    def _label(self, weight_name: str, bias_name: str) -> None:
        """Label the parameters for drawings: ``weight_name`` is formatted with the input index k."""
        for k, w in enumerate(self.w):
            w.label = weight_name.format(k=k)
        self.b.label = bias_name

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, {self._activation_name or 'linear'}{'' if self._fused else ', unfused'})"


class Layer(Module):
    """``nout`` neurons that all see the same ``nin`` inputs.  Calling it always returns a
    list of ``nout`` Values (also when ``nout == 1``).

    For drawings, the weight from input k to neuron j is labelled ``W[k,j]`` and neuron j's
    bias ``b[j]`` (the layout of the lesson's weight matrices: one row per input).

    The parameters of a (fused) layer are ``autograd.parameters.Parameter``s on one shared
    array, neuron after neuron (w₀ … wₙ₋₁, b): each is its own Value, and a forward pass or
    an optimiser's step can still take all of them at once."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | None = "relu",
        *,
        init: str = "pytorch",
        seed: Seed = None,
        fused: bool = True,
    ) -> None:
        _check_size("Layer() nin", nin)
        _check_size("Layer() nout", nout)
        _activation(activation)  # fail before drawing weights
        _check_fused("Layer", fused)
        weights, biases = initial_weights(init, generator(seed), nin, nout)
        self.neurons = [Neuron(nin, activation, weights=w, bias=b, fused=fused) for w, b in zip(weights, biases)]
        self._nin, self._activation_name, self._fused = nin, activation, fused
        if fused:  # the unfused layer reads its weights one by one (in w·x nodes): plain Values serve it best
            self._share_parameters()
        self._gathered: batching.Neurons | None = None  # the parameters gathered, checked before each use
        self._one_activation = True  # whether the neurons (as gathered) share one activation
        self._label("")

    def _share_parameters(self) -> None:
        """Move the neurons' weights and biases onto one array (see ``autograd.parameters``)."""
        values = [p.data for n in self.neurons for p in (*n.w, n.b)]
        shared = iter(shared_parameters(values, [""] * len(values)))  # (labelled by _label)
        for neuron in self.neurons:
            neuron.w = [next(shared) for _ in neuron.w]
            neuron.b = next(shared)

    def _parameters(self) -> batching.Neurons:
        """The neurons' parameters gathered (once, then checked by identity at each call)."""
        params = [(neuron.w, neuron.b) for neuron in self.neurons]
        if self._gathered is None or not self._gathered.matches(params):
            self._gathered = batching.Neurons(params)
            self._one_activation = len({neuron._act for neuron in self.neurons}) == 1
        return self._gathered

    def _label(self, layer: str) -> None:
        for j, neuron in enumerate(self.neurons):
            neuron._label(f"W{layer}[{{k}},{j}]", f"b{layer}[{j}]")

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        xs = _inputs(x, self._nin, "Layer")
        return self._forward_batched(xs) if any_batched(xs) else self._forward(xs)

    def _forward(self, xs: list[Value]) -> list[Value]:
        if not self._fused:
            return [neuron._forward_unfused(xs) for neuron in self.neurons]
        x_data = [x.data for x in xs]  # read once, shared by every neuron of the layer
        gathered = self._parameters()
        # the parameters' values read at once, for neurons with one activation and inputs that are not
        # parameters (see AffineEdges)
        rows = gathered.row_data() if self._one_activation and not any_parameter(xs) else None
        if rows is None:
            return [neuron._forward(xs, x_data) for neuron in self.neurons]
        xs_, act = tuple(xs), self.neurons[0]._act  # (rows are given only while the neurons share it)
        if act is None:
            return [affine_row(xs_, x_data, *row) for row in rows]
        return [act(affine_row(xs_, x_data, *row)) for row in rows]

    def _forward_batched(self, xs: list[Value]) -> list[Value]:
        """The layer on batched inputs: stacked once, every neuron's w·x + b from one matrix product."""
        if not self._fused:
            return [neuron._forward_batched(xs) for neuron in self.neurons]
        pre = batching.layer(xs, self._parameters())
        name = self._activation_name
        return pre if name is None else [getattr(z, name)() for z in pre]

    def __repr__(self) -> str:
        return f"Layer({self._nin} → {len(self.neurons)}, {self._activation_name or 'linear'})"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` is micrograd's network.

    Hidden layers use ``activation``, the last layer ``output_activation`` (None = linear).
    Calling it returns a single Value when the last layer has one neuron, else a list.
    The same ``seed`` gives the same weights.  ``fused=False`` builds every neuron as
    micrograd does (see ``Neuron``).  For drawings, layer i's weights are labelled like the
    lesson's matrices, ``W1[k,j]`` (input k to neuron j of the first layer), and its biases
    ``b1[j]``.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | None = "relu",
        output_activation: str | None = None,
        *,
        init: str = "pytorch",
        seed: Seed = None,
        fused: bool = True,
    ) -> None:
        _check_size("MLP() nin", nin)
        if isinstance(nouts, int) or not isinstance(nouts, Sequence) or len(nouts) == 0:
            raise ValueError(f"MLP() nouts must be a non-empty list of layer sizes, e.g. [16, 16, 1]; got {nouts!r}")
        for size in nouts:
            _check_size("MLP() layer size", size)
        _activation(activation)
        _activation(output_activation)
        _check_fused("MLP", fused)
        rng = generator(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(
                sizes[i], sizes[i + 1], output_activation if i == last else activation, init=init, seed=rng, fused=fused
            )
            for i in range(len(nouts))
        ]
        for i, layer in enumerate(self.layers):
            layer._label(str(i + 1))
        self._sizes, self._activation_name, self._output_name = sizes, activation, output_activation

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        xs = _inputs(x, self._sizes[0], "MLP")
        forward = Layer._forward_batched if any_batched(xs) else Layer._forward
        for layer in self.layers:
            xs = forward(layer, xs)
        return xs[0] if len(xs) == 1 else xs

    def __repr__(self) -> str:
        output = f", output={self._output_name}" if self._output_name else ""
        sizes = " → ".join(map(str, self._sizes))
        return f"MLP({sizes}, {self._activation_name or 'linear'}{output}; {self.num_parameters()} parameters)"


def _check_fused(who: str, fused: object) -> bool:
    if not isinstance(fused, bool):
        raise TypeError(f"{who}() fused must be True or False; got {fused!r}")
    return fused


def _check_size(what: str, n: object) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{what} must be a positive int; got {n!r}")
