"""ONE table of operations: each value vs math/NumPy, each derivative vs a closed form
written here and vs central finite differences of the reference function.

Adding an operation to the engine means adding one row here.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import Value


def fd(f, x, h=1e-6):
    """Central finite difference of a plain float function."""
    return (f(x + h) - f(x - h)) / (2 * h)


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x)) if x >= 0 else np.exp(x) / (1.0 + np.exp(x))


def np_gelu(x):
    return 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))


# name, engine op, reference value, reference derivative, (lo, hi) domain, points to avoid
UNARY = [
    ("neg", lambda v: -v, lambda x: -x, lambda x: -1.0, (-50, 50), ()),
    ("abs", abs, abs, lambda x: np.sign(x), (-50, 50), (0.0,)),
    ("exp", Value.exp, np.exp, np.exp, (-30, 30), ()),
    ("log", Value.log, np.log, lambda x: 1.0 / x, (1e-3, 1e3), ()),
    ("sqrt", Value.sqrt, np.sqrt, lambda x: 0.5 / np.sqrt(x), (1e-3, 1e3), ()),
    ("tanh", Value.tanh, np.tanh, lambda x: 1.0 / np.cosh(x) ** 2, (-20, 20), ()),
    ("sigmoid", Value.sigmoid, np_sigmoid, lambda x: np_sigmoid(x) * np_sigmoid(-x), (-40, 40), ()),
    ("relu", Value.relu, lambda x: max(x, 0.0), lambda x: float(x > 0), (-50, 50), (0.0,)),
    ("leaky_relu", Value.leaky_relu, lambda x: x if x > 0 else 0.01 * x,
     lambda x: 1.0 if x > 0 else 0.01, (-50, 50), (0.0,)),
    ("leaky_relu(0.2)", lambda v: v.leaky_relu(0.2), lambda x: x if x > 0 else 0.2 * x,
     lambda x: 1.0 if x > 0 else 0.2, (-50, 50), (0.0,)),
    ("gelu", Value.gelu, np_gelu,
     lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2))) + x * np.exp(-x * x / 2) / np.sqrt(2 * np.pi), (-8, 8), ()),
    ("silu", Value.silu, lambda x: x * np_sigmoid(x),
     lambda x: np_sigmoid(x) + x * np_sigmoid(x) * np_sigmoid(-x), (-40, 40), ()),
    ("softplus", Value.softplus, lambda x: np.logaddexp(0.0, x), np_sigmoid, (-40, 40), ()),
    ("x**3", lambda v: v**3, lambda x: x**3, lambda x: 3 * x**2, (-20, 20), ()),
    ("x**2.5", lambda v: v**2.5, lambda x: x**2.5, lambda x: 2.5 * x**1.5, (1e-3, 50), ()),
    ("x**-1", lambda v: v**-1, lambda x: 1 / x, lambda x: -1 / x**2, (0.05, 50), ()),
    ("x**0", lambda v: v**0, lambda x: 1.0, lambda x: 0.0, (-50, 50), ()),
    ("2**x", lambda v: 2**v, lambda x: 2.0**x, lambda x: 2.0**x * np.log(2.0), (-30, 30), ()),
    ("x+3", lambda v: v + 3, lambda x: x + 3, lambda x: 1.0, (-50, 50), ()),
    ("3-x", lambda v: 3 - v, lambda x: 3 - x, lambda x: -1.0, (-50, 50), ()),
    ("x*x", lambda v: v * v, lambda x: x * x, lambda x: 2 * x, (-50, 50), ()),
    ("7/x", lambda v: 7 / v, lambda x: 7 / x, lambda x: -7 / x**2, (0.05, 50), ()),
    ("x/7", lambda v: v / 7, lambda x: x / 7, lambda x: 1 / 7, (-50, 50), ()),
]

# name, engine op, reference value, reference (∂/∂a, ∂/∂b), domain of a, domain of b
BINARY = [
    ("a+b", lambda a, b: a + b, lambda a, b: a + b, lambda a, b: (1.0, 1.0), (-50, 50), (-50, 50)),
    ("a-b", lambda a, b: a - b, lambda a, b: a - b, lambda a, b: (1.0, -1.0), (-50, 50), (-50, 50)),
    ("a*b", lambda a, b: a * b, lambda a, b: a * b, lambda a, b: (b, a), (-50, 50), (-50, 50)),
    ("a/b", lambda a, b: a / b, lambda a, b: a / b, lambda a, b: (1 / b, -a / b**2), (-50, 50), (0.05, 50)),
    ("a**b", lambda a, b: a**b, lambda a, b: a**b,
     lambda a, b: (b * a ** (b - 1), a**b * np.log(a)), (0.05, 10), (-3, 3)),
]


def close(actual, expected, rtol=1e-12, atol=1e-300):
    return abs(actual - expected) <= atol + rtol * abs(expected)


def points(lo, hi, avoid):
    xs = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    return xs.filter(lambda x: all(abs(x - a) > 1e-3 for a in avoid))


@pytest.mark.parametrize("name, op, ref, dref, domain, avoid", UNARY, ids=[row[0] for row in UNARY])
def test_unary_value_and_gradient(name, op, ref, dref, domain, avoid):
    @given(points(*domain, avoid))
    def check(x):
        v = Value(x)
        out = op(v)
        out.backward()
        assert close(out.data, float(ref(x)), atol=1e-15), (x, out.data, ref(x))
        # derivatives computed from the output (1 − t², σ(1 − σ)) lose relative accuracy
        # where the slope is tiny, so allow an absolute 1e-12 there
        assert close(v.grad, float(dref(x)), rtol=1e-9, atol=1e-12), (x, v.grad, dref(x))
        h = 1e-6 * max(1.0, abs(x))
        assume(all(abs(x + s - a) > 2 * h for a in avoid for s in (h, -h)))
        numeric = fd(lambda t: float(ref(t)), x, h)
        assert close(v.grad, numeric, rtol=1e-5, atol=1e-6), (x, v.grad, numeric)

    check()


@pytest.mark.parametrize("name, op, ref, dref, da, db", BINARY, ids=[row[0] for row in BINARY])
def test_binary_value_and_gradient(name, op, ref, dref, da, db):
    @given(points(*da, ()), points(*db, ()))
    def check(a, b):
        va, vb = Value(a), Value(b)
        out = op(va, vb)
        out.backward()
        assert close(out.data, float(ref(a, b)), rtol=1e-12, atol=1e-300)
        ga, gb = dref(a, b)
        assert close(va.grad, float(ga), rtol=1e-11, atol=1e-300), (a, b, va.grad, ga)
        assert close(vb.grad, float(gb), rtol=1e-11, atol=1e-300), (a, b, vb.grad, gb)
        assert close(va.grad, fd(lambda t: float(ref(t, b)), a, 1e-6 * max(1, abs(a))), rtol=1e-5, atol=1e-6)
        assert close(vb.grad, fd(lambda t: float(ref(a, t)), b, 1e-6 * max(1, abs(b))), rtol=1e-5, atol=1e-6)

    check()


nan, inf = math.nan, math.inf

# Fixed points where the answer is set by IEEE 754 or by PyTorch's conventions (API.md):
# expression, x, expected value, expected d/dx
EDGES = [
    ("log(0)", Value.log, 0.0, -inf, inf),
    ("log(-1)", Value.log, -1.0, nan, -1.0),
    ("sqrt(-1)", Value.sqrt, -1.0, nan, nan),
    ("sqrt(0)", Value.sqrt, 0.0, 0.0, inf),
    ("exp(1000)", Value.exp, 1000.0, inf, inf),
    ("exp(-1000)", Value.exp, -1000.0, 0.0, 0.0),
    ("x**-1 at 0", lambda v: v**-1, 0.0, inf, -inf),
    ("x**0 at 0", lambda v: v**0, 0.0, 1.0, 0.0),
    ("x**0 at -2", lambda v: v**0, -2.0, 1.0, 0.0),
    ("x**0.5 at -4", lambda v: v**0.5, -4.0, nan, nan),
    ("x**2 at 1e200", lambda v: v**2, 1e200, inf, 2e200),  # 2x stays finite
    ("1/x at 0", lambda v: 1 / v, 0.0, inf, -inf),
    ("1/x at -0.0", lambda v: 1 / v, -0.0, -inf, -inf),
    ("-1/x at 0", lambda v: -1 / v, 0.0, -inf, inf),
    ("x/0 at 0", lambda v: v / 0, 0.0, nan, inf),
    ("x/0 at 3", lambda v: v / 0, 3.0, inf, inf),
    ("relu(0)", Value.relu, 0.0, 0.0, 0.0),
    ("abs(0)", abs, 0.0, 0.0, 0.0),
    ("leaky_relu(0)", Value.leaky_relu, 0.0, 0.0, 0.01),
    ("sigmoid(1000)", Value.sigmoid, 1000.0, 1.0, 0.0),
    ("sigmoid(-1000)", Value.sigmoid, -1000.0, 0.0, 0.0),
    ("tanh(1000)", Value.tanh, 1000.0, 1.0, 0.0),
    ("tanh(-1000)", Value.tanh, -1000.0, -1.0, 0.0),
    ("softplus(1000)", Value.softplus, 1000.0, 1000.0, 1.0),
    ("softplus(-1000)", Value.softplus, -1000.0, 0.0, 0.0),
    ("silu(-1000)", Value.silu, -1000.0, 0.0, 0.0),
    ("silu(1000)", Value.silu, 1000.0, 1000.0, 1.0),
    ("gelu(-1000)", Value.gelu, -1000.0, 0.0, 0.0),
    ("gelu(1000)", Value.gelu, 1000.0, 1000.0, 1.0),
    ("relu(nan)", Value.relu, nan, nan, 1.0),
    ("tanh(nan)", Value.tanh, nan, nan, nan),
    ("2**x at 1e4", lambda v: 2**v, 1e4, inf, inf),
    ("0**x at 2 (d/dx = 0)", lambda v: 0**v, 2.0, 0.0, 0.0),
    ("0**x at 0 (d/dx = 0)", lambda v: 0**v, 0.0, 1.0, 0.0),
    ("0**x at -1", lambda v: 0**v, -1.0, inf, -inf),  # inf·log(0)
    ("(-8)**x at 1/3", lambda v: (-8) ** v, 1 / 3, nan, nan),
]


def same(actual, expected):
    if math.isnan(expected):
        return math.isnan(actual)
    return actual == expected


@pytest.mark.parametrize("name, op, x, value, grad", EDGES, ids=[row[0] for row in EDGES])
def test_edge_cases_follow_ieee_and_pytorch(name, op, x, value, grad):
    v = Value(x)
    out = op(v)
    out.backward()
    assert same(out.data, value), out.data
    assert same(v.grad, grad), v.grad


def test_sign_of_zero_and_infinities_in_division():
    assert (Value(-3.0) / Value(0.0)).data == -inf
    assert (Value(3.0) / Value(-0.0)).data == -inf
    assert math.isnan((Value(nan) / Value(0.0)).data)
    assert (Value(0.0) ** -2).data == inf


def test_pow_exponent_gradient_at_zero_base_follows_pytorch():
    # d(a**b)/db = a**b · ln a, which is 0·(−inf) at a = 0; PyTorch defines it as 0 for b >= 0
    a, b = Value(0.0), Value(1.5)
    out = a**b
    out.backward()
    assert out.data == 0.0 and b.grad == 0.0 and a.grad == 0.0  # 1.5 · 0**0.5
