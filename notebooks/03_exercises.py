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
# # Exercises: backpropagation, by hand and in code
#
# Six exercises. Each has a cell for your answer and a checker cell that says **pass**, or
# **not yet** and what to look at. Write your answer, run its cell, then the checker. The
# solutions are in a notebook of their own, `03_exercises_solutions`: try first.
#
# 1. your own operation, one node with its local derivative;
# 2. a planted bug that `gradcheck` catches;
# 3. a loss of your own;
# 4. gradients predicted by hand, before `backward()` runs;
# 5. a value used twice: why gradients accumulate;
# 6. `backward()` written yourself: the heart of the engine.

# %%
import math

from autograd import GradcheckError, Value, draw_dot, gradcheck
from nn import exercises

# %% [markdown]
# ## Exercise 1: your own operation
#
# Write `cube(x)`, the operation x³, as ONE node made with the public constructor
# `Value(data, parents=(x,), local_grads=(...,), op="cube")`: you give its value and its local
# derivative, d/dx x³ = 3x². (Not `x ** 3`: that is the engine's own operation.)

# %%
def cube(x: Value) -> Value:
    raise NotImplementedError("write cube(x) here")

# %%
exercises.check_cube(cube);

# %% [markdown]
# ## Exercise 2: a planted bug
#
# Here is `softsign(x) = x / (1 + |x|)`, whose derivative is 1 / (1 + |x|)². Its rule has a
# bug, and `gradcheck` catches it: read the table it prints (your gradient, the measured one).

# %%
def softsign(x: Value) -> Value:
    s = 1.0 + abs(x.data)
    return Value(x.data / s, parents=(x,), local_grads=(1.0 / s,), op="softsign")  # the bug is here


try:
    gradcheck(softsign, [0.8])
except GradcheckError as caught:
    print(caught)

# %% [markdown]
# Now write the fixed rule.

# %%
def softsign_fixed(x: Value) -> Value:
    raise NotImplementedError("fix softsign here")

# %%
exercises.check_softsign(softsign_fixed);

# %% [markdown]
# ## Exercise 3: a loss of your own
#
# The *log-cosh* loss is the mean over samples of log(cosh(pᵢ − tᵢ)): smooth like MSE near 0,
# linear like MAE far away. Its gradient is ∂L/∂pᵢ = tanh(pᵢ − tᵢ)/n. Build it as one node
# with the public constructor (as `nn`'s own losses are), or from Value operations.

# %%
def log_cosh_loss(preds: list, targets: list) -> Value:
    raise NotImplementedError("write the log-cosh loss here")

# %%
exercises.check_log_cosh(log_cosh_loss);

# %% [markdown]
# ## Exercise 4: gradients by hand
#
# L = (a·b + c)·f with a = 3, b = −1, c = 2, f = 4; call d = a·b and e = d + c. Before running
# anything, work out dL/dx for every node, from L backwards: dL/dL first, then dL/de and
# dL/df, then dL/dd and dL/dc, then dL/da and dL/db. Each uses the one before it: that is
# the chain rule. The checker then runs `backward()` and compares.

# %%
predicted = {"L": ..., "e": ..., "f": ..., "d": ..., "c": ..., "a": ..., "b": ...}

# %%
exercises.check_by_hand(predicted);

# %% [markdown]
# ## Exercise 5: a value used twice
#
# y = x·x + x at x = 3. Here x feeds three edges of the graph: both inputs of the product and
# one of the sum. What is dy/dx? (Calculus says 2x + 1; the exercise is to see where each part
# comes from in the graph.)

# %%
x = Value(3.0, "x")
y = x * x + x
y.label = "y"
draw_dot(y, local_grads=True)

# %%
predicted_x_grad = ...

# %%
exercises.check_used_twice(predicted_x_grad);

# %% [markdown]
# ## Exercise 6: write `backward()` yourself
#
# Three parts, using only `node.parents` and `node.local_grads`:
#
# 1. **an order**: every node reachable from `root`, each one *after* all of its parents (a
#    topological order). Walk from `root` through `.parents` with a loop and a stack (a
#    list): a graph can be thousands of nodes deep, too deep for recursion;
# 2. **the seed**: `root.grad = 1.0`, since dL/dL = 1;
# 3. **the loop**: for each node in the order *reversed* (from the root back), for each
#    `(parent, local_grad)` in `zip(node.parents, node.local_grads)`:
#    `parent.grad += local_grad * node.grad`.
#
# The checker runs your function on fresh graphs (x·x + x, a chain, twenty random graphs, a
# chain 6,000 nodes deep) and compares every node's gradient with the engine's.

# %%
def my_backward(root: Value) -> None:
    raise NotImplementedError("write backward here")

# %%
exercises.check_backward(my_backward);

# %% [markdown]
# When exercise 6 passes, you have written the heart of this library: `Value.backward` is
# that same loop (`autograd/engine.py`, `run_backward`).
