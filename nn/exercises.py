"""Checkers for the exercise notebook (``notebooks/03_exercises``).

Each ``check_…`` function runs a learner's answer, prints ``exercise N: pass`` or
``exercise N: not yet`` followed by what is wrong and where to look, and returns True or
False.  A checker never shows a bare assertion or a traceback from its own code: whatever
the answer raises or returns, the message names it.  It never passes a shortcut that the
exercise forbids (the engine's own ``**`` instead of a node of your own, ``backward()``
inside the ``backward`` you write).
"""

from __future__ import annotations

import math
import os
import random
import traceback
import types
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

import autograd
from autograd import GradcheckError, Value, backward_steps, gradcheck, topological_order


class NotYet(Exception):
    """An answer that is not right yet; the message says what is wrong and what to look at."""


def _report(name: str, check: Callable[[], object]) -> bool:
    try:
        check()
    except NotYet as not_yet:
        print(f"{name}: not yet\n" + "\n".join("  " + line for line in str(not_yet).splitlines()))
        return False
    print(f"{name}: pass")
    return True


_HINTS = {
    NotImplementedError: "Write your answer in its cell (the stub still raises NotImplementedError), run that cell, "
    "then this one.",
    AttributeError: "A name you used does not exist. A Value has .data, .grad, .label, .op, .parents and "
    ".local_grads, and methods such as .exp(), .log(), .tanh(), .relu(); for other functions use the math "
    "module on numbers (math.cosh(x.data)).",
    TypeError: "An operation got a type it cannot take. Value(data, ...) takes a number as data (x.data, not x) "
    "and tuples for parents=(...) and local_grads=(...); math functions take numbers, not Values.",
    ZeroDivisionError: "Something divided by zero: check the formula at the line above.",
    RecursionError: "Python allows only about 1,000 nested calls. Build the order with a loop and a stack (a "
    "list you append to and pop from) instead of recursion.",
}


_LIBRARY = (str(Path(autograd.__file__ or ".").parent) + os.sep, str(Path(__file__).parent) + os.sep)


def _in_library(filename: str) -> bool:
    """True for a file of autograd or nn itself: the line to show is the learner's, above those."""
    return filename.startswith(_LIBRARY)


def _call(what: str, f: Callable, *args: object) -> object:
    """``f(*args)``, or NotYet saying what it raised, at which line of the answer, and a hint."""
    if not callable(f):
        raise NotYet(f"{what.split('(')[0]} should be a function (a def); it is a {type(f).__name__}")
    try:
        return f(*args)
    except NotYet:
        raise
    except Exception as error:
        yours = [frame for frame in traceback.extract_tb(error.__traceback__) if not _in_library(frame.filename)]
        where = f"\nat this line of your code:  {yours[-1].line}" if yours and yours[-1].line else ""
        hint = next((text for kind, text in _HINTS.items() if isinstance(error, kind)), "")
        raise NotYet(f"{what} raised {type(error).__name__}: {error}{where}\n{hint}".rstrip()) from None


# the op names of the engine's own operations (``x ** 3`` is "**3")
_ENGINE_OPS = {"+", "-", "*", "/", "neg", "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "leaky_relu"}
_ENGINE_OPS |= {"gelu", "silu", "softplus", "sum", "mean", "dot", "logsumexp", "softmax", "log_softmax"}


def _one_node(what: str, out: object, x: Value, op_hint: str) -> Value:
    """``out`` must be a Value made with the public constructor, with ``x`` as its one parent."""
    if not isinstance(out, Value):
        raise NotYet(
            f"{what} returned a {type(out).__name__} ({out!r}), not a Value. Return the new node: "
            f"Value(data, parents=(x,), local_grads=({op_hint},), op=...)"
        )
    if out.parents != (x,) or out.op.startswith("**") or out.op in _ENGINE_OPS:
        made = f"the engine's own {out.op!r} operation" if out.op else "a leaf (no parents)"
        raise NotYet(
            f"{what} returned {made}, built from {len(out.parents)} parent(s). The exercise is to make the node "
            f"yourself, with x as its one parent: Value(data, parents=(x,), local_grads=({op_hint},), op=...). "
            "Writing it with the engine's operators (x ** 3, x * x * x) would let the engine do the derivative "
            "for you."
        )
    return out


def _check_derivative(f: Callable, points: list[float], rule: str) -> None:
    for point in points:
        try:
            gradcheck(f, [point])
        except GradcheckError as table:
            raise NotYet(
                f"the local derivative is off at x = {point}. gradcheck compares your local_grads with the slope "
                f"measured by nudging x (central differences):\n{table}\nThe rule: {rule}."
            ) from None
        except Exception as error:
            raise NotYet(f"gradcheck at x = {point} raised {type(error).__name__}: {error}") from None


# ---- exercise 1: your own operation -------------------------------------------------------------


def check_cube(cube: Callable[[Value], Value]) -> bool:
    """Exercise 1: ``cube(x)`` is x³ as ONE node made with the public constructor."""

    def check() -> None:
        x = Value(2.0, "x")
        out = _one_node("cube(Value(2.0))", _call("cube(Value(2.0))", cube, x), x, "3 * x.data ** 2")
        if not math.isclose(out.data, 8.0, rel_tol=1e-12):
            raise NotYet(f"cube(Value(2.0)).data should be 2³ = 8; it is {out.data}. Check the data you give Value()")
        _check_derivative(cube, [0.7, -1.3, 2.0], "d/dx x³ = 3x²")

    return _report("exercise 1", check)


# ---- exercise 2: fix a planted bug ------------------------------------------------------------------


def check_softsign(softsign: Callable[[Value], Value]) -> bool:
    """Exercise 2: ``softsign(x) = x / (1 + |x|)`` with its derivative 1 / (1 + |x|)² fixed."""

    def check() -> None:
        x = Value(0.8, "x")
        out = _one_node("softsign_fixed(Value(0.8))", _call("softsign_fixed(Value(0.8))", softsign, x), x, "...")
        if not math.isclose(out.data, 0.8 / 1.8, rel_tol=1e-12):
            raise NotYet(f"the value is off: softsign(0.8) = 0.8 / 1.8 = {0.8 / 1.8:.6g}; yours is {out.data:.6g}")
        _check_derivative(softsign, [0.8, -1.7, 3.0], "d/dx x/(1 + |x|) = 1/(1 + |x|)², for x of either sign")

    return _report("exercise 2", check)


# ---- exercise 3: a loss of your own -------------------------------------------------------------


def check_log_cosh(loss_fn: Callable[[list, list], Value]) -> bool:
    """Exercise 3: the log-cosh loss (1/n) Σ log cosh(pᵢ − tᵢ), gradient tanh(pᵢ − tᵢ)/n."""

    def check() -> None:
        preds, targets = [Value(0.5), Value(-2.0), Value(3.0)], [0.0, 1.0, 3.5]
        loss = _call("log_cosh_loss(preds, targets)", loss_fn, preds, targets)
        if not isinstance(loss, Value):
            raise NotYet(
                f"log_cosh_loss returned a {type(loss).__name__}, not a Value: return one node (or a Value computed "
                "from the predictions), so that backward() can reach them"
            )
        d = np.array([0.5, -3.0, -0.5])  # p − t
        n = len(d)
        want = float(np.mean(np.log(np.cosh(d))))
        if math.isclose(loss.data, want * n, rel_tol=1e-9):
            raise NotYet(
                f"the loss is {loss.data:.6g}, the SUM of log cosh(pᵢ − tᵢ); the loss is their MEAN, {want:.6g}: "
                f"divide by n, the number of samples ({n})"
            )
        if not math.isclose(loss.data, want, rel_tol=1e-9):
            raise NotYet(f"the loss is {loss.data:.6g}; (1/n) Σ log cosh(pᵢ − tᵢ) is {want:.6g} for these samples")
        _call("loss.backward()", loss.backward)
        grads = np.array([p.grad for p in preds], dtype=float)
        want_grads = np.tanh(d) / n
        if np.allclose(grads, want_grads, rtol=1e-9):
            return
        if np.allclose(grads, want_grads * n, rtol=1e-9):
            raise NotYet(f"the gradients are tanh(pᵢ − tᵢ), {np.round(grads, 6)}: divide them by n ({n}) too")
        if np.allclose(grads, -want_grads, rtol=1e-9):
            raise NotYet("the gradients have the wrong sign: ∂L/∂pᵢ = +tanh(pᵢ − tᵢ)/n with d = p − t (not t − p)")
        raise NotYet(f"the gradients ∂L/∂pᵢ are {np.round(grads, 6)}; tanh(pᵢ − tᵢ)/n is {np.round(want_grads, 6)}")

    return _report("exercise 3", check)


# ---- exercise 4: gradients by hand --------------------------------------------------------------

# L = (a·b + c)·f at a = 3, b = −1, c = 2, f = 4, with d = a·b and e = d + c
BY_HAND_INPUTS = {"a": 3.0, "b": -1.0, "c": 2.0, "f": 4.0}
_BY_HAND_HINTS = {
    "L": "dL/dL: how much L changes per unit change of L itself.",
    "e": "L = e·f: the derivative of a product with respect to one factor is the other factor, times dL/dL.",
    "f": "L = e·f: the derivative with respect to f is the other factor, e (compute e = a·b + c first).",
    "d": "e = d + c: a sum passes its gradient on unchanged, so dL/dd = dL/de × ∂e/∂d with ∂e/∂d = 1.",
    "c": "e = d + c: as for d, ∂e/∂c = 1, so dL/dc = dL/de.",
    "a": "d = a·b: dL/da = dL/dd × ∂d/∂a, and ∂d/∂a is the other factor, b.",
    "b": "d = a·b: dL/db = dL/dd × ∂d/∂b, and ∂d/∂b is the other factor, a.",
}


def by_hand_graph() -> dict[str, Value]:
    """The expression of exercise 4, its nodes by name."""
    v = {name: Value(x, name) for name, x in BY_HAND_INPUTS.items()}
    v["d"] = v["a"] * v["b"]
    v["e"] = v["d"] + v["c"]
    v["L"] = v["e"] * v["f"]
    for name in ("d", "e", "L"):
        v[name].label = name
    return v


def check_by_hand(predicted: Mapping[str, float]) -> bool:
    """Exercise 4: the gradient dL/dx of every node of L = (a·b + c)·f, predicted by hand."""

    def check() -> None:
        if not isinstance(predicted, Mapping):
            raise NotYet(f"predicted should be a dict of name → number, like {{'L': ..., 'e': ...}}; got {predicted!r}")
        nodes = by_hand_graph()
        missing = [name for name in _BY_HAND_HINTS if name not in predicted]
        if missing:
            raise NotYet(f"predicted has no entry for {', '.join(map(repr, missing))}: give dL/dx for every node")
        nodes["L"].backward()
        wrong = []
        for name in ("L", "e", "f", "d", "c", "a", "b"):  # the order backward takes them in
            guess = predicted[name]
            if guess is Ellipsis:
                raise NotYet(f"predicted[{name!r}] is still ...: replace each ... with your number")
            if isinstance(guess, bool) or not isinstance(guess, (int, float)):
                raise NotYet(f"predicted[{name!r}] should be a number; it is {guess!r}")
            if not math.isclose(guess, nodes[name].grad, rel_tol=1e-9, abs_tol=1e-12):
                wrong.append(f"dL/d{name}: you wrote {guess!r}. {_BY_HAND_HINTS[name]}")
        if wrong:
            raise NotYet(
                f"{7 - len(wrong)} of 7 right. Work from L backwards, each step using the one before:\n"
                + "\n".join(wrong)
            )

    return _report("exercise 4", check)


# ---- exercise 5: a value used twice -------------------------------------------------------------------


def check_used_twice(predicted_x_grad: float) -> bool:
    """Exercise 5: dy/dx for y = x·x + x at x = 3, where x feeds three edges."""

    def check() -> None:
        if predicted_x_grad is Ellipsis:
            raise NotYet("predicted_x_grad is still ...: replace it with your number")
        if isinstance(predicted_x_grad, bool) or not isinstance(predicted_x_grad, (int, float)):
            raise NotYet(f"predicted_x_grad should be a number; it is {predicted_x_grad!r}")
        x = Value(3.0, "x")
        x2 = x * x
        x2.label = "q"
        y = x2 + x
        y.label = "y"
        steps = backward_steps(y).of(x2, y)
        into_x = [s for s in steps if s.parent is x]
        if math.isclose(predicted_x_grad, x.grad, rel_tol=1e-12):
            return
        parts = " + ".join(f"{s.contribution:g}" for s in into_x)
        counted = {
            2 * 3.0: "You counted the x·x part (2x = 6) and left out the + x.",
            1.0: "You counted the + x part (1) and left out x·x.",
            3.0: "You counted x·x as if x were in it once (∂(x·x)/∂x counts both factors: x + x).",
            4.0: "You counted x once in x·x (3) and the + x (1): x·x uses x twice, once as each factor.",
        }.get(float(predicted_x_grad), "")
        raise NotYet(
            f"dy/dx is not {predicted_x_grad!r}. {counted}\n"
            f"With q = x·x and y = q + x, x reaches y along {len(into_x)} edges (two into q, one into y), and "
            f"backward adds what each edge sends back (gradients accumulate with +=): x.grad = {parts}. "
            "The steps into x:\n" + "\n".join(f"  {s}" for s in into_x)
        )

    return _report("exercise 5", check)


# ---- exercise 6: write backward() yourself ---------------------------------------------------------

_FORBIDDEN = {
    "backward": "root.backward() is the engine's own pass",
    "backward_step": "v.backward_step() is the engine's chain-rule step: write the loop over .local_grads yourself",
    "backward_steps": "autograd.backward_steps runs the engine's own pass",
    "topological_order": "autograd.topological_order is the engine's: build the order yourself from .parents",
    "run_backward": "run_backward is the engine's own pass",
}


def _names_used(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names_used(const)
    return names


def _random_graph(rng: random.Random, size: int) -> Value:
    """A random expression of +, ·, tanh and exp over a few leaves, reusing earlier nodes (so
    gradients must accumulate), with constants among them."""
    nodes = [Value(rng.uniform(-1.5, 1.5), f"x{i}") for i in range(rng.randint(1, 3))]
    for _ in range(size):
        a, b = rng.choice(nodes), rng.choice(nodes)
        op = rng.choice(["+", "*", "tanh", "exp", "affine"])
        if op == "+":
            nodes.append(a + b)
        elif op == "*":
            nodes.append(a * b)
        elif op == "tanh":
            nodes.append(a.tanh())
        elif op == "exp":
            nodes.append((a * 0.3).exp())
        else:
            nodes.append(a * 0.5 + 0.1)
    return nodes[-1]


def _graphs() -> list[tuple[str, Callable[[], Value]]]:
    """The graphs ``my_backward`` is checked on, the telling ones first."""

    def chain_graph() -> Value:  # every node waits for the one after it
        a = Value(0.5, "a")
        b = a * 2.0
        c = b.tanh()
        d = c * b
        return d + a

    def reuse_graph() -> Value:  # x feeds three edges
        x = Value(3.0, "x")
        return x * x + x

    def deep_graph() -> Value:
        y = x = Value(0.1, "x")
        for _ in range(3000):
            y = y * 0.999 + 0.001
        return y + x

    random_graphs = [
        (f"random graph #{seed + 1}", lambda seed=seed: _random_graph(random.Random(seed), 12)) for seed in range(20)
    ]
    return [
        ("y = x·x + x", reuse_graph),
        ("d = tanh(2a)·2a + a", chain_graph),
        *random_graphs,
        ("a chain of 6,000 nodes", deep_graph),
    ]


def _nodes(root: Value) -> list[Value]:
    seen, stack, out = {root}, [root], []
    while stack:
        node = stack.pop()
        out.append(node)
        for parent in node.parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return out


def _mistakes(root: Value) -> dict[str, dict[Value, float]]:
    """The gradients the usual mistakes give on ``root``'s graph, to recognise them."""
    order = list(reversed(_nodes_in_order(root)))  # right: from the root back

    def run(nodes: list[Value], seed: float, add: bool) -> dict[Value, float]:
        grads = dict.fromkeys(nodes, 0.0)
        grads[root] = seed
        for node in nodes:
            for parent, local in zip(node.parents, node.local_grads):
                grads[parent] = grads[parent] + local * grads[node] if add else local * grads[node]
        return grads

    return {
        "=": run(order, 1.0, add=False),
        "forwards": run(list(reversed(order)), 1.0, add=True),
        "unsorted": run(_nodes(root), 1.0, add=True),
        "no seed": run(order, 0.0, add=True),
    }


def _nodes_in_order(root: Value) -> list[Value]:
    """Parents before children: the engine's own order, to compare node by node."""
    return topological_order(root)


_MISTAKE_HINTS = {
    "=": "A node that feeds several edges must collect what each one sends back: parent.grad += …, "
    "not parent.grad = … (here the last edge overwrote the others).",
    "forwards": "The loop ran from the leaves towards the root. It must go the other way, from the root back: "
    "reversed(order), where the order puts every node after its parents.",
    "unsorted": "A node passed its gradient on before all of its children had sent it theirs. Sort the nodes "
    "so that every node comes after all of its parents (a topological order), then loop over it reversed.",
    "no seed": "Nothing started the pass: set root.grad = 1.0 (dL/dL = 1) before the loop.",
}


def check_backward(my_backward: Callable[[Value], object]) -> bool:
    """Exercise 6: ``my_backward(root)`` fills every node's ``.grad`` with d root/d node, as
    ``root.backward()`` does on a fresh graph, using only ``.parents`` and ``.local_grads``."""

    def check() -> None:
        if not callable(my_backward):
            raise NotYet(f"my_backward should be a function (a def); it is a {type(my_backward).__name__}")
        code = getattr(my_backward, "__code__", None)
        used = _names_used(code) & set(_FORBIDDEN) if code is not None else set()
        if used:
            name = sorted(used)[0]
            raise NotYet(f"my_backward uses {name}: {_FORBIDDEN[name]}. The exercise is to write it yourself.")
        for title, make in _graphs():
            mine, reference = make(), make()  # the same graph twice: one for you, one for the engine
            guard = _Forbid()
            with guard:
                _call(f"my_backward on {title}", my_backward, mine)
            reference.backward()
            got = {i: v.grad for i, v in enumerate(_nodes_in_order(mine))}
            want = {i: v.grad for i, v in enumerate(_nodes_in_order(reference))}
            if all(math.isclose(got[i], want[i], rel_tol=1e-9, abs_tol=1e-12) for i in want):
                continue
            mistakes = _mistakes(mine)
            ordered = _nodes_in_order(mine)
            for mistake, grads in mistakes.items():
                if all(math.isclose(got[i], grads[v], rel_tol=1e-9, abs_tol=1e-12) for i, v in enumerate(ordered)):
                    raise NotYet(f"on {title}: {_MISTAKE_HINTS[mistake]}")
            first = next(i for i in want if not math.isclose(got[i], want[i], rel_tol=1e-9, abs_tol=1e-12))
            node = ordered[first]
            name = node.label or (f"the node made by {node.op!r}" if node.op else "a constant")
            raise NotYet(
                f"on {title}: {name}'s grad is {got[first]:.6g}, but d root/d({name}) is {want[first]:.6g}. "
                "Check the three parts: the order (every node after its parents, looped over reversed), the "
                "seed (root.grad = 1.0), and the update parent.grad += local_grad * node.grad for every "
                "(parent, local_grad) in zip(node.parents, node.local_grads)."
            )

    return _report("exercise 6", check)


class _Forbid:
    """While checking, the engine's own backward refuses to run, however it was reached."""

    def __enter__(self) -> None:
        self._saved = Value.backward, Value.backward_step

        def refuse(*args: object, **kwargs: object) -> None:
            raise NotYet("my_backward called the engine's own backward: write the loop yourself")

        Value.backward = refuse  # type: ignore[method-assign]
        Value.backward_step = refuse  # type: ignore[method-assign,assignment]

    def __exit__(self, *exc: object) -> None:
        Value.backward, Value.backward_step = self._saved  # type: ignore[method-assign]
