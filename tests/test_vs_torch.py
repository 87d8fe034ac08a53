"""Agreement with PyTorch (float64) to 1e-12 relative, as API.md promises.

Optional: skipped unless torch is installed (`pip install torch`); every other test uses
math/NumPy references and finite differences.  Inputs stay in [-6, 6], where each
function is well-conditioned, so a difference beyond 1e-12 is a real formula difference.
"""

import numpy as np
import pytest

import autograd
from autograd import Value

torch = pytest.importorskip("torch")
F = torch.nn.functional

XS = np.concatenate([np.linspace(-6, 6, 241), np.random.default_rng(0).uniform(-6, 6, 400)])
XS = XS[np.abs(XS) > 1e-9]  # away from the kinks of relu and abs

UNARY = {
    "exp": (Value.exp, torch.exp),
    "log": (lambda v: abs(v).log(), lambda t: t.abs().log()),
    "sqrt": (lambda v: abs(v).sqrt(), lambda t: t.abs().sqrt()),
    "tanh": (Value.tanh, torch.tanh),
    "sigmoid": (Value.sigmoid, torch.sigmoid),
    "relu": (Value.relu, torch.relu),
    "leaky_relu": (lambda v: v.leaky_relu(0.1), lambda t: F.leaky_relu(t, 0.1)),
    "gelu": (Value.gelu, F.gelu),
    "silu": (Value.silu, F.silu),
    "softplus": (Value.softplus, F.softplus),  # identical below torch's threshold of 20
    "abs": (abs, torch.abs),
    "neg": (lambda v: -v, lambda t: -t),
    "pow": (lambda v: v**3, lambda t: t**3),
    "rpow": (lambda v: 2**v, lambda t: 2**t),
    "div": (lambda v: 1 / v, lambda t: 1 / t),
}


def assert_close(ours, theirs, rtol=1e-12):
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-300)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_ops_agree_with_torch(name):
    ours_op, torch_op = UNARY[name]
    values, grads = [], []
    for x in XS:
        v = Value(x)
        out = ours_op(v)
        out.backward()
        values.append(out.data)
        grads.append(v.grad)
    t = torch.tensor(XS, dtype=torch.float64, requires_grad=True)
    out = torch_op(t)
    out.sum().backward()
    assert_close(values, out.detach().numpy())
    assert_close(grads, t.grad.numpy())


def test_binary_ops_agree_with_torch():
    rng = np.random.default_rng(1)
    a_data, b_data = rng.uniform(0.1, 3, 300), rng.uniform(-3, 3, 300)
    for op in (lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
               lambda a, b: a**b, lambda a, b: b**a):
        values, ga, gb = [], [], []
        for a, b in zip(a_data, b_data):
            va, vb = Value(a), Value(b)
            out = op(va, vb)
            out.backward()
            values.append(out.data)
            ga.append(va.grad)
            gb.append(vb.grad)
        ta = torch.tensor(a_data, requires_grad=True)
        tb = torch.tensor(b_data, requires_grad=True)
        out = op(ta, tb)
        out.sum().backward()
        assert_close(values, out.detach().numpy())
        assert_close(ga, ta.grad.numpy())
        assert_close(gb, tb.grad.numpy())


@pytest.mark.parametrize("name", ["logsumexp", "softmax", "log_softmax", "mean", "dot"])
def test_fused_ops_agree_with_torch(name):
    rng = np.random.default_rng(2)
    for n in (1, 2, 5, 17):
        data = rng.uniform(-6, 6, n)
        weights = rng.uniform(-1, 1, n)  # backpropagate a random combination of outputs
        xs = [Value(x) for x in data]
        t = torch.tensor(data, requires_grad=True)
        if name in ("softmax", "log_softmax"):
            outs = getattr(autograd, name)(xs)
            tout = getattr(torch, name)(t, 0)
            assert_close([o.data for o in outs], tout.detach().numpy())
            autograd.dot(outs, weights).backward()
            (tout * torch.tensor(weights)).sum().backward()
        elif name == "dot":
            out = autograd.dot(xs, weights)
            tout = torch.dot(t, torch.tensor(weights))
            assert_close(out.data, tout.item(), rtol=1e-11)  # fsum vs BLAS summation order
            out.backward()
            tout.backward()
        else:
            out = getattr(autograd, name)(xs)
            tout = torch.logsumexp(t, 0) if name == "logsumexp" else t.mean()
            assert_close(out.data, tout.item(), rtol=1e-11)
            out.backward()
            tout.backward()
        assert_close([x.grad for x in xs], t.grad.numpy())


def test_losses_agree_with_torch():
    import nn

    rng = np.random.default_rng(3)
    p, t = rng.uniform(-3, 3, 50), rng.uniform(-3, 3, 50)
    probs, labels = rng.uniform(0.01, 0.99, 50), rng.uniform(0, 1, 50)
    signs = np.where(rng.uniform(size=50) > 0.5, 1.0, -1.0)
    cases = [
        (nn.mse_loss, F.mse_loss, p, t),
        (nn.mae_loss, F.l1_loss, p, t),
        (nn.huber_loss, F.huber_loss, p, t),
        (nn.binary_cross_entropy, F.binary_cross_entropy, probs, labels),
        (nn.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits, p * 300, labels),
        (nn.hinge_loss, lambda s, y: torch.relu(1 - y * s).mean(), p, signs),
    ]
    for ours, theirs, x, y in cases:
        xs = [Value(v) for v in x]
        loss = ours(xs, y)
        loss.backward()
        tx = torch.tensor(x, requires_grad=True)
        tloss = theirs(tx, torch.tensor(y))
        tloss.backward()
        assert_close(loss.data, tloss.item(), rtol=1e-11)  # fsum vs torch's summation order
        assert_close([v.grad for v in xs], tx.grad.numpy())
    logits = rng.uniform(-10, 10, (6, 4))
    classes = [0, 3, 1, 2, 2, 0]
    xs = [[Value(v) for v in row] for row in logits]
    loss = nn.cross_entropy(xs, classes)
    loss.backward()
    tx = torch.tensor(logits, requires_grad=True)
    tloss = F.cross_entropy(tx, torch.tensor(classes))
    tloss.backward()
    assert_close(loss.data, tloss.item(), rtol=1e-11)
    assert_close([[v.grad for v in row] for row in xs], tx.grad.numpy())


def test_optimizers_agree_with_torch_optim_over_100_steps():
    """The well-conditioned configurations of test_optim against torch.optim itself (chaotic ones
    are checked against a transcription of torch's order: torch's CPU kernels fuse multiply-adds
    and its float64 sqrt is sometimes 1 ulp low, differences a chaotic run amplifies)."""
    import optim
    from tests.test_optim import CASES, P0, grad_numpy, numpy_gradient

    for name, options in CASES:
        params = [Value(x) for x in P0]
        ours = getattr(optim, name)(params, **options)
        theirs_p = torch.tensor(P0.copy(), dtype=torch.float64)
        kwargs = {"momentum": 0.9, **options} if name == "Momentum" else options
        theirs = getattr(torch.optim, "SGD" if name == "Momentum" else name)([theirs_p], foreach=False, **kwargs)
        for _ in range(100):
            numpy_gradient(params)
            ours.step()
            theirs_p.grad = torch.from_numpy(grad_numpy(theirs_p.numpy().copy()))
            theirs.step()
        assert_close([p.data for p in params], theirs_p.numpy())
