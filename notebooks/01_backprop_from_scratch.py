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
# # Backpropagation from scratch
#
# This notebook follows the flow of Andrej Karpathy's micrograd lecture on this library:
# a derivative by nudging, expressions of `Value`s, their graph, the chain rule by hand,
# then `backward()` doing it for us — step by step and as an animation — and finally a
# neuron, a network, and a network learning two moons.

# %%

import numpy as np

import autograd
import nn
from autograd import Value, animate_backward, backward_steps, draw_dot
from optim import SGD

# %% [markdown]
# ## 1. A derivative by nudging
#
# The derivative of f at x is how much f changes when x is nudged by a tiny h, per unit of h.
# For f(x) = 3x² − 4x + 5 the calculus answer is f'(x) = 6x − 4, so 14 at x = 3.

# %%
def f(x):
    return 3 * x**2 - 4 * x + 5


x, h = 3.0, 1e-6
print(f"nudged: (f(x + h) − f(x)) / h = {(f(x + h) - f(x)) / h:.6f}")
print(f"exact:  6x − 4              = {6 * x - 4}")

# %% [markdown]
# ## 2. Values remember how they were made
#
# A `Value` wraps a number. Arithmetic on Values builds a graph: every result records its
# parents, the operation, and the *local derivative* with respect to each parent.

# %%
a = Value(2.0, "a")
b = Value(-3.0, "b")
c = Value(10.0, "c")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
f_ = Value(-2.0, "f")
L = d * f_
L.label = "L"
print(L)
print("L's parents:", [p.label for p in L.parents], " operation:", L.op, " local derivatives:", L.local_grads)

# %% [markdown]
# `draw_dot` draws the graph. Gradients show as `—` until backward has run.

# %%
draw_dot(L, local_grads=True)

# %% [markdown]
# ## 3. The chain rule by hand, one node at a time
#
# dL/dL = 1. L = d·f, so dL/dd = f = −2 and dL/df = d = 4. d = e + c passes its gradient on
# unchanged: dL/de = dL/dc = −2. e = a·b multiplies by the *other* input: dL/da = −2·b = 6,
# dL/db = −2·a = −4.
#
# Each node can do its own step of that: `node.backward_step()` adds, for each parent,
# local derivative × `node.grad` to the parent's gradient (micrograd's `node._backward()`),
# and returns the steps it took. Seed L with 1, then step the nodes from L back.

# %%
L.grad = 1.0
print(L.backward_step())

# %%
print(d.backward_step())

# %%
print(e.backward_step())

# %%
by_hand = {"a": -2.0 * b.data, "b": -2.0 * a.data, "c": -2.0, "f": d.data}
for leaf in (a, b, c, f_):
    print(f"{leaf.label}: by hand {by_hand[leaf.label]:+.1f}   backward_step() {leaf.grad:+.1f}")
draw_dot(L, local_grads=True)

# %% [markdown]
# `backward()` does exactly these steps, in that order, for every node. Leaves *accumulate*
# (as in PyTorch), so reset them before running it on the same graph:

# %%
for leaf in (a, b, c, f_):
    leaf.grad = 0.0
L.backward()
for leaf in (a, b, c, f_):
    print(f"{leaf.label}: by hand {by_hand[leaf.label]:+.1f}   backward() {leaf.grad:+.1f}")

# %% [markdown]
# ## 4. backward, step by step
#
# `backward_steps` runs the same pass as `backward()` and returns each step of the chain rule:
# the parent's gradient grows by the local derivative times the node's gradient.

# %%
for leaf in (a, b, c, f_):
    leaf.grad = 0.0  # leaves accumulate across passes, as in PyTorch
print(backward_steps(L))

# %% [markdown]
# ## 5. Watching it: an animation
#
# Press play (or step through it). The red node passes its gradient back along the red
# edges; each parent's gradient grows by the number on its edge times the red node's gradient.

# %%
x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
bias = Value(6.8813735870195432, "b")
n = x1 * w1 + x2 * w2 + bias
n.label = "n"
o = n.tanh()
o.label = "o"
animate_backward(o, compact=True)

# %% [markdown]
# tanh's local derivative is 1 − tanh², which we can check with the numbers:

# %%
print(f"1 − o² = {1 - o.data**2:.4f}   n.grad = {n.grad:.4f}")

# %% [markdown]
# ## 6. A neuron, fused and unfused
#
# `nn.Neuron` computes activation(w·x + b). By default w·x + b is one `dot` node (a short graph,
# a fast backward); `fused=False` builds it as micrograd does, one `*` and one `+` per input.
# Parameters and inputs are named for you.

# %%
neuron = nn.Neuron(2, "tanh", seed=0)
out = neuron([2.0, 3.0])
out.backward()
draw_dot(out, local_grads=True, compact=True)

# %%
unfused = nn.Neuron(2, "tanh", seed=0, fused=False)
out_unfused = unfused([2.0, 3.0])
out_unfused.backward()
print("same output:", out.data == out_unfused.data, " same weight gradients:",
      [w.grad for w in neuron.w] == [w.grad for w in unfused.w])
draw_dot(out_unfused, local_grads=True, compact=True)

# %% [markdown]
# ## 7. A network learns
#
# The lecture's tiny dataset: four inputs of three numbers and their targets ±1, and the
# lecture's network: tanh everywhere, weights **and** biases drawn from U(−1, 1)
# (`init="uniform"`). The loop is the lecture's too: the sum of squared errors, then each
# parameter nudged against its gradient.

# %%
xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
ys = [1.0, -1.0, -1.0, 1.0]
model = nn.MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", init="uniform", seed=1)
losses = []
for step in range(40):
    ypred = [model(x) for x in xs]
    loss = autograd.sum([(yout - ygt) ** 2 for ygt, yout in zip(ys, ypred)])
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data += -0.1 * p.grad
    losses.append(loss.data)
print("predictions:", [f"{model(x).data:+.3f}" for x in xs])
nn.plots.plot_loss(losses);

# %% [markdown]
# ## 8. Two moons
#
# micrograd's demo: MLP(2, [16, 16, 1]) separates two interleaved half circles. Here the whole
# dataset goes through the graph at once (`autograd.batch`): each node holds a column of 100
# values, and the numbers are exactly those of 100 separate graphs.

# %%
X, y01 = nn.data.make_moons(100, noise=0.1, random_state=1)
y = 2.0 * y01 - 1.0  # labels ±1 for the hinge loss
model = nn.MLP(2, [16, 16, 1], init="micrograd", seed=1)
params = model.parameters()
opt = SGD(params, lr=1.0)
history = []
for k in range(100):
    opt.lr = 1.0 - 0.9 * k / 100
    scores = model(autograd.batch(X))
    loss = nn.hinge_loss(scores, y) + 1e-4 * autograd.dot(params, params)
    opt.zero_grad()
    loss.backward()
    opt.step()
    history.append(loss.data)
accuracy = np.mean((scores.data > 0) == (y > 0))
print(f"loss {history[-1]:.4f}, training accuracy {accuracy:.0%}")
nn.plots.plot_decision_boundary(model, X, y);

# %% [markdown]
# ## 9. Watch it learn, live
#
# `nn.Playground` trains a small network on the real engine while you watch: the decision
# surface, the network's weights (hover one for its name, value, gradient and Adam's moments),
# the computation graph of one datapoint with its data and gradients updated every step, and
# the loss. Press **Play**, click the surface to add points, click a point to trace its graph,
# and **Animate backward** to step through the chain rule of that very step. (The stored
# notebook shows a still picture; run the cell for the live view. Outside Jupyter:
# `python -m nn.playground`.)

# %%
pg = nn.Playground(data="moons", seed=0)
pg.step(100)  # a head start, so that the still picture shows a network that has learnt
pg
