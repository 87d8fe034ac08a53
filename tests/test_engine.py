"""The engine's semantics: graphs, backward, accumulation, no_grad, errors."""

import gc
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value, no_grad

# ---- random expression graphs vs finite differences ----------------------------------
# Each op has an engine form (on Values) and an independent float form (on math). The
# domains are safe by construction: division and log only ever see 1 + b² ≥ 1.
OPS = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / (1 + b * b), lambda a, b: a / (1 + b * b)),
    "tanh": (lambda a, b: a.tanh(), lambda a, b: math.tanh(a)),
    "sigmoid": (lambda a, b: a.sigmoid(), lambda a, b: 1 / (1 + math.exp(-a))),
    "softplus": (lambda a, b: a.softplus(), lambda a, b: math.log1p(math.exp(a))),
    "gelu": (lambda a, b: a.gelu(), lambda a, b: 0.5 * a * (1 + math.erf(a / math.sqrt(2)))),
    "silu": (lambda a, b: a.silu(), lambda a, b: a / (1 + math.exp(-a))),
    "logsq": (lambda a, b: (1 + a**2).log(), lambda a, b: math.log(1 + a * a)),
    "hypot": (lambda a, b: (a * a + b * b + 1).sqrt(), lambda a, b: math.sqrt(a * a + b * b + 1)),
    "pow": (lambda a, b: (1 + a * a) ** b.tanh(), lambda a, b: (1 + a * a) ** math.tanh(b)),
}


@st.composite
def programs(draw):
    """(number of inputs, their values, steps): each step applies an op to two earlier
    nodes, chosen at random, so sub-expressions are shared and reused."""
    n_inputs = draw(st.integers(1, 4))
    xs = draw(st.lists(st.floats(-2, 2), min_size=n_inputs, max_size=n_inputs))
    steps = []
    for k in range(draw(st.integers(1, 12))):
        n_nodes = n_inputs + k
        steps.append((draw(st.sampled_from(sorted(OPS))), draw(st.integers(0, n_nodes - 1)),
                      draw(st.integers(0, n_nodes - 1))))
    return xs, steps


def run(xs, steps, form):
    nodes = list(xs)
    for op, i, j in steps:
        nodes.append(OPS[op][form](nodes[i], nodes[j]))
    return nodes[-1] + nodes[len(xs)]  # the last node plus the first computed one: more sharing


@given(programs())
def test_random_graphs_match_finite_differences(program):
    xs, steps = program
    leaves = [Value(x) for x in xs]
    out = run(leaves, steps, 0)
    out.backward()
    value = run(xs, steps, 1)
    assert math.isclose(out.data, value, rel_tol=1e-12, abs_tol=1e-12)
    for i, x in enumerate(xs):
        h = 1e-6
        plus = list(xs)
        minus = list(xs)
        plus[i] += h
        minus[i] -= h
        numeric = (run(plus, steps, 1) - run(minus, steps, 1)) / (plus[i] - minus[i])
        assert math.isclose(leaves[i].grad, numeric, rel_tol=1e-5, abs_tol=1e-5), (i, leaves[i].grad, numeric)


# ---- backward semantics ----------------------------------------------------------------


def test_leaves_accumulate_and_interiors_show_one_pass():
    x, y = Value(3.0), Value(-2.0)
    xy = x * y
    out = xy + x  # d/dx = y + 1 = -1, d/dy = x = 3
    out.backward()
    assert (x.grad, y.grad, xy.grad, out.grad) == (-1.0, 3.0, 1.0, 1.0)
    out.backward()
    assert (x.grad, y.grad) == (-2.0, 6.0)  # leaves doubled exactly
    assert (xy.grad, out.grad) == (1.0, 1.0)  # interior nodes: this pass only


def test_backward_seed_and_intermediate_root():
    x = Value(1.5)
    y = x * x
    z = y * 3
    y.backward(grad=2.0)  # backward from an intermediate: d(y)/dx · 2 = 2·2x
    assert x.grad == 6.0 and z.grad == 0.0  # z is not reachable from y
    x.grad = 0.0
    z.backward()
    assert (x.grad, y.grad) == (9.0, 3.0)  # dz/dx = 6x, dz/dy = 3


def test_node_reused_many_times():
    x = Value(2.0)
    out = x * x * x + x  # 3x² + 1 = 13
    out.backward()
    assert x.grad == 13.0


def test_backward_on_leaf_accumulates():
    x = Value(4.0)
    x.backward()
    x.backward(3)
    assert x.grad == 4.0


def test_million_node_chain():
    x, one = Value(0.5), Value(1.0)
    y = x
    gc.disable()  # the collector has nothing to free here (no cycles), only time to spend
    try:
        for _ in range(1_000_000):
            y = y * one  # a million nodes, each on the one before: no recursion anywhere
        assert len(autograd.topological_order(y)) == 1_000_002
        y.backward()
    finally:
        gc.enable()
    assert x.grad == 1.0 and one.grad == 1_000_000 * 0.5  # d(x·1ⁿ)/d(one) = n·x, at one = 1
    del y  # freeing the chain must not overflow the C stack either


def test_graph_is_deterministic():
    def build():
        a, b = Value(1.0, "a"), Value(2.0, "b")
        c = a * b + a.tanh() * b.exp()
        return [(n.op, n.label, n.data) for n in autograd.topological_order(c)]

    assert build() == build()


def test_topological_order_puts_parents_first():
    a = Value(1.0)
    b = a * 2
    c = a + b
    d = c * b
    order = autograd.topological_order(d)
    position = {id(n): i for i, n in enumerate(order)}
    assert len(order) == len({id(n) for n in order})
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]


def test_graph_has_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = Value(1.0)
        y = x
        for _ in range(100):
            y = (y * 2).tanh() + autograd.sum([y, x, 1.0])
        y.backward()
        del x, y
        assert gc.collect() == 0  # reference counting already freed everything
    finally:
        gc.enable()


# ---- no_grad -------------------------------------------------------------------------


def test_no_grad_makes_leaves_and_restores():
    x = Value(2.0)
    assert autograd.is_grad_enabled()
    with no_grad():
        y = x * 3 + 1
        z = autograd.sum([y, x])
        assert not autograd.is_grad_enabled()
    assert y.data == 7.0 and y.parents == () and y.op == ""
    assert z.data == 9.0 and z.parents == ()
    assert autograd.is_grad_enabled()
    assert (x * 3).parents != ()


def test_no_grad_nests_and_survives_exceptions():
    with no_grad():
        with no_grad():
            pass
        assert not autograd.is_grad_enabled()
        with pytest.raises(RuntimeError):
            with no_grad():
                raise RuntimeError("boom")
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    assert autograd.is_grad_enabled()


def test_no_grad_as_decorator():
    @no_grad()
    def double(v):
        """Doubles."""
        assert not autograd.is_grad_enabled()
        return v * 2

    out = double(Value(1.0))
    assert out.parents == () and out.data == 2.0
    assert double.__doc__ == "Doubles."
    assert autograd.is_grad_enabled()


# ---- construction, operands, protocol --------------------------------------------------


@pytest.mark.parametrize(
    "data, name",
    [("a", "str"), ([1, 2], "list"), (None, "NoneType"), (np.array([1.0, 2.0]), "ndarray"),
     (1 + 2j, "complex"), (np.array([1.0]), "ndarray")],
)
def test_value_rejects_non_scalars_naming_the_type(data, name):
    with pytest.raises(TypeError, match=name):
        Value(data)


@pytest.mark.parametrize(
    "data", [3, True, 2.5, np.float32(1.5), np.float64(-2.0), np.int64(7), np.bool_(True), np.array(4.0)]
)
def test_value_accepts_numbers(data):
    v = Value(data)
    assert type(v.data) is float and v.data == float(data)
    assert v.grad == 0.0 and v.op == "" and v.parents == () and v.label == ""


def test_value_rejects_bad_label_and_huge_int():
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)
    with pytest.raises(ValueError, match="too large"):
        Value(10**400)
    with pytest.raises(ValueError, match="too large"):
        Value(1.0) + 10**400


def test_numbers_and_numpy_scalars_on_either_side():
    x = Value(2.0)
    for k in (3, 3.0, np.float64(3.0), np.float32(3.0), np.int32(3)):
        assert (x + k).data == 5.0 and (k + x).data == 5.0
        assert (x - k).data == -1.0 and (k - x).data == 1.0
        assert (x * k).data == 6.0 and (k * x).data == 6.0
        assert (x / k).data == 2.0 / 3.0 and (k / x).data == 1.5
        assert (x**k).data == 8.0 and (k**x).data == 9.0
        assert isinstance(k + x, Value) and isinstance(k * x, Value)


def test_bad_operands_raise_type_error():
    x = Value(1.0)
    for bad in ("a", None, [1.0]):
        with pytest.raises(TypeError):
            x + bad
        with pytest.raises(TypeError):
            bad * x
        with pytest.raises(TypeError):
            x**bad
    with pytest.raises(TypeError, match="backward"):
        (x * 2).backward(grad="one")
    with pytest.raises(TypeError, match="negative_slope"):
        x.leaky_relu("a")


def test_comparisons_repr_and_identity_hash():
    a, b = Value(1.0), Value(1.0, label="b")
    assert a <= b and a >= b and not a < b and a < 2 and 0 < a and b > 0.5
    assert a != b and a == a  # identity
    assert len({a, b}) == 2
    with pytest.raises(TypeError, match="not a plain number"):
        float(Value(2.5))
    assert repr(b) == "Value(data=1.0, grad=0.0, label='b')"
    assert repr(Value(-3.0)) == "Value(data=-3.0, grad=0.0)"


def test_in_place_operators_build_new_nodes():
    a = Value(1.0)
    c = a
    c += 1
    c *= 3
    c -= 1
    c /= 5
    c **= 2
    c.backward()
    assert c is not a and c.data == 1.0
    assert math.isclose(a.grad, 2 * 1.0 * 3 / 5)  # d/da ((3(a+1)−1)/5)² = 2·1·3/5


def test_value_exponent_and_number_base():
    x, y = Value(2.0), Value(3.0)
    z = x**y
    z.backward()
    assert z.data == 8.0 and x.grad == 12.0 and math.isclose(y.grad, 8 * math.log(2))
    w = Value(3.0)
    out = 2**w
    out.backward()
    assert out.data == 8.0 and math.isclose(w.grad, 8 * math.log(2))


def test_no_exception_escapes_from_edge_inputs():
    for x in (0.0, -0.0, -1.0, 1e308, -1e308, math.inf, -math.inf, math.nan):
        v = Value(x)
        for expr in (v.exp(), v.log(), v.sqrt(), v.tanh(), v.sigmoid(), v.softplus(), v.gelu(), v.silu(),
                     v**-1, v**0.5, v**2, 2**v, 1 / v, v / 0, 0**v, v**v, abs(v), v.relu(), v.leaky_relu()):
            expr.backward()
