"""The mistakes learners make every day get a clear error, never a silently wrong answer."""

import ast
import gc
import json
import math
import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import GradcheckError, Value, draw_dot, gradcheck, no_grad

ROOT = Path(__file__).resolve().parent.parent

# ---- 1. a Value is not a Python number ----------------------------------------------------


@pytest.mark.parametrize("convert", [float, int, math.exp, math.tanh, math.log, math.sqrt, np.float64])
def test_converting_a_value_to_a_number_raises(convert):
    with pytest.raises(TypeError, match=r"not a plain number.*v\.exp\(\).*v\.data"):
        convert(Value(1.0))


def test_the_lecture_mistake_cannot_give_a_wrong_gradient():
    x = Value(1.0)
    with pytest.raises(TypeError):
        x * math.exp(x)  # would have dropped x from one branch: grad e instead of 2e
    y = x * x.exp()
    y.backward()
    assert math.isclose(x.grad, 2 * math.e, rel_tol=1e-15)  # d/dx x·eˣ = eˣ + x·eˣ


@pytest.mark.parametrize("spec", [".4f", "10.3e", "g", "+.2%", "<12.5"])
def test_format_specs_apply_to_the_data(spec):
    v = Value(0.123456789)
    assert f"{v:{spec}}" == format(0.123456789, spec)
    assert f"{v}" == repr(v) == str(v)


# ---- 2. your own operation with the public constructor ------------------------------------


def cube(x):
    """x³ with its derivative 3x²."""
    return Value(x.data**3, parents=(x,), local_grads=(3 * x.data**2,), op="cube")


def test_custom_operation_backpropagates_like_a_builtin():
    x, y = Value(1.5, "x"), Value(-0.5, "y")
    out = cube(x) * y + cube(y)
    out.backward()
    assert x.grad == 3 * 1.5**2 * -0.5  # ∂/∂x = 3x²·y
    assert y.grad == 1.5**3 + 3 * 0.25  # ∂/∂y = x³ + 3y²
    assert gradcheck(lambda a, b: cube(a) * b + cube(b), [1.5, -0.5])
    node = cube(x)
    assert node.op == "cube" and node.parents == (x,) and node.local_grads == (3 * 1.5**2,)
    assert '"cube"' in draw_dot(node).source or "cube" in draw_dot(node).source


def test_custom_operation_with_two_parents_and_numpy_numbers():
    a, b = Value(2.0), Value(3.0)
    # hypot(a, b) = √(a² + b²);  ∂/∂a = a/h, ∂/∂b = b/h
    h = math.hypot(a.data, b.data)
    out = Value(np.float64(h), parents=[a, b], local_grads=[np.float64(a.data / h), b.data / h], op="hypot")
    assert type(out.data) is float and type(out.local_grads[0]) is float
    assert gradcheck(
        lambda p, q: Value(
            math.hypot(p.data, q.data),
            parents=(p, q),
            local_grads=(p.data / math.hypot(p.data, q.data), q.data / math.hypot(p.data, q.data)),
            op="hypot",
        ),
        [2.0, 3.0],
    )


def test_gradcheck_catches_a_wrong_custom_derivative():
    def bad_cube(x):
        return Value(x.data**3, parents=(x,), local_grads=(2 * x.data**2,), op="cube")

    with pytest.raises(GradcheckError, match="mismatch"):
        gradcheck(bad_cube, [1.3])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(parents=(1.0,), local_grads=(1.0,), op="f"), TypeError, r"parents\[0\] must be a Value"),
        (dict(parents=(Value(1.0),), local_grads=("a",), op="f"), TypeError, r"local_grads\[0\]"),
        (dict(parents=(Value(1.0),), local_grads=(1.0, 2.0), op="f"), ValueError, "1 parents but 2 local_grads"),
        (dict(parents=(Value(1.0),), local_grads=(), op="f"), ValueError, "1 parents but 0 local_grads"),
        (dict(parents=(Value(1.0),), local_grads=(1.0,)), ValueError, "op must name"),
        (dict(parents=(Value(1.0),), local_grads=(1.0,), op=3), TypeError, "op must name"),
        (dict(parents=Value(1.0), local_grads=(1.0,), op="f"), TypeError, "parents must be a tuple"),
        (dict(parents=(Value(1.0),), local_grads=1.0, op="f"), TypeError, "local_grads must be a tuple"),
        (dict(parents=(Value(1.0),), local_grads=(np.array([1.0, 2.0]),), op="f"), TypeError, "local_grads"),
    ],
)
def test_custom_operation_is_validated(kwargs, error, match):
    with pytest.raises(error, match=match):
        Value(1.0, **kwargs)


def test_custom_operation_with_numpy_scalars_checks_its_local_grads():
    x = Value(1.0)
    out = Value(np.array(2.0), parents=(x,), local_grads=(np.float64(3.0),), op="f")
    assert type(out.data) is float and type(out.local_grads[0]) is float
    with pytest.raises(TypeError, match=r"local_grads\[0\]"):
        Value(np.array(2.0), parents=(x,), local_grads=("3",), op="f")


def test_custom_operation_under_no_grad_is_a_leaf():
    x = Value(2.0)
    with no_grad():
        out = cube(x)
    assert out.data == 8.0 and out.op == "" and out.parents == () and out.local_grads == ()


def test_nn_and_optim_use_no_private_name_of_autograd():
    for package in ("nn", "optim"):
        for path in (ROOT / package).glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograd"):
                    private = [a.name for a in node.names if a.name.startswith("_")]
                    assert not private, f"{path.name} imports {private} from {node.module}"


# ---- 3. small things that trip learners ---------------------------------------------------


def test_no_grad_decorates_with_and_without_parentheses():
    @no_grad
    def bare(v):
        """Doc."""
        assert not autograd.is_grad_enabled()
        return v * 2

    @no_grad()
    def called(v):
        return v * 2

    for f in (bare, called):
        out = f(Value(1.0))
        assert out.data == 2.0 and out.parents == ()
        assert autograd.is_grad_enabled()
    assert bare.__doc__ == "Doc." and bare.__name__ == "bare"
    with pytest.raises(TypeError, match="no_grad"):
        no_grad(3)


def test_column_targets_are_read_as_one_target_per_sample():
    preds = [Value(0.2), Value(0.9), Value(0.4)]
    y = np.array([[1], [1], [0]])
    loss = nn.mse_loss(preds, y)
    p = np.array([0.2, 0.9, 0.4])
    t = np.array([1.0, 1.0, 0.0])
    assert math.isclose(loss.data, np.mean((p - t) ** 2), rel_tol=1e-15)
    loss.backward()
    np.testing.assert_allclose([v.grad for v in preds], 2 * (p - t) / 3, rtol=1e-15)
    assert math.isclose(nn.mae_loss(preds, [[1], [1], [0]]).data, np.mean(np.abs(p - t)), rel_tol=1e-15)
    with pytest.raises(ValueError, match=r"\(n, 1\) column; got an array of shape \(3, 2\)"):
        nn.mse_loss(preds, np.ones((3, 2)))
    with pytest.raises(ValueError, match="3 predictions but 4 targets"):
        nn.mse_loss(preds, np.ones((4, 1)))


def test_an_array_of_rows_passed_to_a_model_says_call_once_per_row():
    model = nn.MLP(2, [3, 1], seed=0)
    X = np.array([[0.1, 0.2], [0.3, 0.4]])
    with pytest.raises(ValueError, match=r"shape \(2, 2\).*once per row"):
        model(X)
    assert model(X[0]).data == model([0.1, 0.2]).data


def test_an_array_or_a_tensor_in_value_says_what_to_do_instead():
    with pytest.raises(TypeError, match=r"shape \(2,\).*x\.item\(\).*one Value per feature.*once per row"):
        Value(np.array([1.0, 2.0]))
    fake_tensor = type("Tensor", (), {"item": lambda self: 2.0, "shape": ()})
    fake_tensor.__module__ = "torch"
    with pytest.raises(TypeError, match=r"torch\.Tensor: use \.item\(\)"):
        Value(fake_tensor())


# ---- 4. loading a file that is not a save --------------------------------------------------


def write_bad_files(folder: Path) -> dict[str, str]:
    """Files that are not saves, each with the words its error must contain."""
    good = folder / "good.npz"
    nn.MLP(2, [3, 1], seed=1).save(good)
    data = good.read_bytes()
    (folder / "empty.npz").write_bytes(b"")
    (folder / "garbage.npz").write_bytes(b"this is not an archive at all" * 5)
    (folder / "truncated.npz").write_bytes(data[: len(data) // 2])
    (folder / "pickle.npz").write_bytes(pickle.dumps({"layers.0.neurons.0.w.0": 1.0}))
    with open(folder / "single.npz", "wb") as f:
        np.save(f, np.arange(3.0))
    np.savez(folder / "other.npz", a=np.arange(3.0))
    np.savez(folder / "objects.npz", a=np.array([{"x": 1}], dtype=object))
    nn.MLP(2, [4, 1], seed=0).save(folder / "bigger.npz")
    return {
        "empty": "empty",
        "garbage": "not a NumPy .npz archive",
        "truncated": "damaged or truncated",
        "pickle": "pickle",
        "single": "single NumPy array",
        "other": "missing keys",
        "objects": "pickled",
        "bigger": "unexpected keys",
    }


def test_loading_a_file_that_is_not_a_save_is_a_clear_value_error(tmp_path):
    model = nn.MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    for name, words in write_bad_files(tmp_path).items():
        path = tmp_path / f"{name}.npz"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(ValueError) as info:
                model.load(path)
            gc.collect()  # an unclosed file would warn when collected
        message = str(info.value)
        assert str(path) in message and words in message, message
        assert "allow_pickle" not in message
        assert not [w for w in caught if issubclass(w.category, ResourceWarning)], name
        assert model.state_dict() == before, name
    with pytest.raises(FileNotFoundError):
        model.load(tmp_path / "missing.npz")
    model.load(tmp_path / "good.npz")  # and a real save still loads
    assert model.state_dict() == nn.MLP(2, [3, 1], seed=1).state_dict()


def trained_adam():
    params = [Value(1.0), Value(-2.0)]
    opt = optim.Adam(params, lr=0.1)
    params[0].grad, params[1].grad = 0.5, -1.0
    opt.step()
    return opt


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda s: None, "expects a dict made by state_dict"),
        (lambda s: [1, 2], "expects a dict made by state_dict"),
        (lambda s: {**s, "state": "abc"}, "state must be a list of per-parameter dicts; got a str"),
        (lambda s: {**s, "state": [{"m": "x", "v": 1.0}, {}]}, r"state\[0\]\['m'\] must be a number"),
        (lambda s: {**s, "state": [None, {}]}, r"state\[0\] must be a dict"),
        (lambda s: {**s, "steps": "3"}, "steps must be an int"),
        (lambda s: {**s, "steps": -1}, "steps must be an int"),
        (lambda s: {**s, "lr": "fast"}, "lr must be a number"),
        (lambda s: {**s, "hyperparameters": None}, "hyper-parameters"),
        (lambda s: {**s, "hyperparameters": {**s["hyperparameters"], "betas": [2.0, 0.9]}}, r"betas\[0\]"),
        (lambda s: {**s, "hyperparameters": {**s["hyperparameters"], "betas": 0.9}}, "betas"),
    ],
)
def test_optimizer_load_state_dict_rejects_malformed_input_and_changes_nothing(mutate, match):
    opt = trained_adam()
    good = json.loads(json.dumps(opt.state_dict()))
    before = opt.state_dict()
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict(mutate(good))
    assert opt.state_dict() == before
    opt.load_state_dict(good)  # the real thing still loads
    assert opt.state_dict() == before
