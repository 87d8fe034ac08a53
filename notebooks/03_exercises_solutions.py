# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Solutions to the exercises
#
# One way to solve each exercise of `03_exercises`, with the checkers run on them: every one
# says pass.

# %%
import math

from autograd import Value, draw_dot
from nn import exercises

# %% [markdown]
# ## 1. cube: the value and its local derivative, side by side

# %%
def cube(x: Value) -> Value:
    """x³;  d/dx x³ = 3x²."""
    return Value(x.data**3, parents=(x,), local_grads=(3 * x.data**2,), op="cube")


exercises.check_cube(cube);

# %% [markdown]
# ## 2. softsign: the derivative's denominator is squared

# %%
def softsign_fixed(x: Value) -> Value:
    """x / (1 + |x|);  d/dx = 1 / (1 + |x|)²."""
    s = 1.0 + abs(x.data)
    return Value(x.data / s, parents=(x,), local_grads=(1.0 / s**2,), op="softsign")


exercises.check_softsign(softsign_fixed);

# %% [markdown]
# ## 3. log-cosh: a mean, so both the value and each gradient are divided by n

# %%
def log_cosh_loss(preds: list, targets: list) -> Value:
    """(1/n) Σ log cosh(pᵢ − tᵢ);  ∂L/∂pᵢ = tanh(pᵢ − tᵢ)/n."""
    n = len(preds)
    diffs = [p.data - t for p, t in zip(preds, targets)]
    value = sum(math.log(math.cosh(d)) for d in diffs) / n
    return Value(value, parents=tuple(preds), local_grads=tuple(math.tanh(d) / n for d in diffs), op="log_cosh")


exercises.check_log_cosh(log_cosh_loss);

# %% [markdown]
# ## 4. By hand, from L backwards
#
# e = a·b + c = −1. L = e·f: dL/de = f = 4 and dL/df = e = −1. A sum passes its gradient on:
# dL/dd = dL/dc = 4. A product multiplies by the other factor: dL/da = 4·b = −4, dL/db = 4·a = 12.

# %%
predicted = {"L": 1.0, "e": 4.0, "f": -1.0, "d": 4.0, "c": 4.0, "a": -4.0, "b": 12.0}
exercises.check_by_hand(predicted);

# %% [markdown]
# ## 5. Used twice: each edge sends its share, and they add up
#
# x·x sends back x·1 along each of its two edges (3 + 3), the sum sends back 1: 7 = 2x + 1.

# %%
exercises.check_used_twice(7.0);

# %% [markdown]
# ## 6. backward, written out
#
# The order comes from a walk with a stack: a node is written down once all of its parents
# have been (the `True` entries mark "its parents are done"). Sorting by that order and
# looping over it reversed means every node has received all of its gradient before it
# passes it on.

# %%
def my_backward(root: Value) -> None:
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)  # after all of its parents
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((parent, False) for parent in node.parents)
    root.grad = 1.0
    for node in reversed(order):
        for parent, local_grad in zip(node.parents, node.local_grads):
            parent.grad += local_grad * node.grad


exercises.check_backward(my_backward);

# %% [markdown]
# Your operations work with everything else: here `cube` and `softsign_fixed` in one graph,
# backpropagated by your own `my_backward` and drawn.

# %%
x = Value(1.2, "x")
y = softsign_fixed(cube(x))
y.label = "y"
my_backward(y)
draw_dot(y, local_grads=True)
