"""gradcheck itself: passes on correct rules, and catches a planted wrong one."""

import math

import pytest

from autograd import GradcheckError, Value, gradcheck


def test_passes_on_correct_functions():
    assert gradcheck(lambda x, y: (x * y).tanh() + x.exp() / y, [0.3, 1.7])
    assert gradcheck(lambda x: x.gelu() * x.softplus(), [Value(-0.4)])


def test_leaves_the_callers_values_untouched():
    x = Value(2.0)
    gradcheck(lambda v: v * v, [x])
    assert x.grad == 0.0


def wrong_sin(x, error=1e-3):
    """sin with a derivative that is off by a relative 1e-3: a planted bug."""
    return Value(math.sin(x.data), parents=(x,), local_grads=(math.cos(x.data) * (1 + error),), op="sin")


def test_catches_a_planted_wrong_derivative():
    assert gradcheck(lambda x: wrong_sin(x, 0.0), [0.5])  # the honest version passes
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: wrong_sin(x) * y, [0.5, Value(2.0, label="y")])
    message = str(info.value)
    assert "1 of 2 inputs" in message
    assert "mismatch" in message and "(y)" in message
    assert f"{2 * math.cos(0.5) * 1.001:.8g}" in message  # the analytic value
    assert isinstance(info.value, AssertionError)


def test_catches_a_wrong_rule_patched_into_value(monkeypatch):
    def tanh_with_bug(self):
        t = math.tanh(self.data)
        return Value(t, parents=(self,), local_grads=(1.0 - t * t + 1e-3,), op="tanh")

    monkeypatch.setattr(Value, "tanh", tanh_with_bug)
    with pytest.raises(GradcheckError):
        gradcheck(lambda x: x.tanh(), [0.7])


def test_nan_gradient_never_agrees():
    with pytest.raises(GradcheckError):
        gradcheck(lambda x: Value(x.data, parents=(x,), local_grads=(math.nan,), op="id"), [1.0])


def test_bad_arguments():
    with pytest.raises(TypeError, match="callable"):
        gradcheck(3, [1.0])
    with pytest.raises(TypeError, match="return a Value"):
        gradcheck(lambda x: 1.0, [1.0])
    with pytest.raises(ValueError, match="eps"):
        gradcheck(lambda x: x, [1.0], eps=0)
    with pytest.raises(ValueError, match="no inputs"):
        gradcheck(lambda: Value(1.0), [])
    with pytest.raises(TypeError, match="str"):
        gradcheck(lambda x: x, ["a"])
