"""No silent wrong gradient anywhere: threads, processes, batched fused functions, overflow,
files and drawings.  Every expected number comes from an independent formula (NumPy, ``math``)."""

import copy
import json
import math
import multiprocessing
import os
import pickle
import re
import subprocess
import sys
import threading
import time
import zipfile
from xml.etree import ElementTree
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
import optim
from autograd import Value, batch, batch_sum, draw_dot, no_grad
from tests.conftest import needs_dot

ROOT = Path(__file__).resolve().parent.parent

# ---- 1. batched operands in any argument of a fused function ------------------------------


def test_the_reported_batched_bias_case():
    (x,) = batch([[1.0], [2.0], [3.0]], requires_grad=True)
    batch_sum(autograd.dot([x], [Value(0.5)], bias=x + x)).backward()
    np.testing.assert_array_equal(x.grad, [2.5, 2.5, 2.5])  # d(0.5·x + 2x)/dx


@given(
    st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=4),
    st.sampled_from(["none", "scalar", "batched"]),
    st.integers(1, 4),
    st.integers(0, 2**32 - 1),
)
def test_dot_with_any_operand_batched_against_numpy(which, bias_kind, n, seed):
    """Each xᵢ and wᵢ batched or scalar, the bias absent, scalar or batched; one sample or more.
    Reference: z = b + Σ xᵢwᵢ per sample; ∂z/∂xᵢ = wᵢ, ∂z/∂wᵢ = xᵢ, ∂z/∂b = 1, and a scalar
    operand's gradient is the sum over the samples of the per-sample ones."""
    rng = np.random.default_rng(seed)
    k = len(which)
    X, W, B, G = rng.normal(size=(k, n)), rng.normal(size=(k, n)), rng.normal(size=n), rng.normal(size=n)
    for i, (xb, wb) in enumerate(which):  # a scalar operand holds one value for every sample
        X[i] = X[i] if xb else X[i, 0]
        W[i] = W[i] if wb else W[i, 0]
    if bias_kind != "batched":
        B[:] = B[0]

    def operand(values, batched):
        return batch(values, requires_grad=True)[0] if batched else Value(values[0])

    xs = [operand(X[i], xb) for i, (xb, _) in enumerate(which)]
    ws = [operand(W[i], wb) for i, (_, wb) in enumerate(which)]
    b = None if bias_kind == "none" else operand(B, bias_kind == "batched")
    z = autograd.dot(xs, ws, bias=b)
    expected = (X * W).sum(axis=0) + (0.0 if b is None else B)
    if not any(xb or wb for xb, wb in which) and bias_kind != "batched":
        assert not autograd.is_batched(z)
        np.testing.assert_allclose(z.data, expected[0], rtol=1e-12)
        return
    assert autograd.is_batched(z) and z.data.shape == (n,)
    np.testing.assert_allclose(z.data, expected, rtol=1e-12, atol=1e-12)
    z.backward(G)
    for v, values, batched in [(x, W[i], which[i][0]) for i, x in enumerate(xs)] + [
        (w, X[i], which[i][1]) for i, w in enumerate(ws)
    ]:
        want = values * G if batched else np.sum(values * G)
        np.testing.assert_allclose(v.grad, want, rtol=1e-12, atol=1e-12)
    if b is not None:
        np.testing.assert_allclose(b.grad, G if bias_kind == "batched" else G.sum(), rtol=1e-12)


@pytest.mark.parametrize("name", ["sum", "mean", "logsumexp", "softmax", "log_softmax"])
def test_n_ary_functions_with_scalars_among_batched_values(name):
    """The values given to sum, mean, softmax… mix batched and scalar Values; reference: NumPy."""
    rows = np.array([[0.3, -1.2, 2.0], [1.5, 1.5, 1.5], [-0.7, 0.1, 0.4]])  # the middle one is a scalar
    a, c = batch(rows[0], requires_grad=True)[0], batch(rows[2], requires_grad=True)[0]
    s = Value(1.5)
    out = getattr(autograd, name)([a, s, c])
    first = out[0] if isinstance(out, list) else out
    shifted = np.exp(rows - rows.max(axis=0))
    softmax = shifted / shifted.sum(axis=0)
    reference = {
        "sum": rows.sum(axis=0),
        "mean": rows.mean(axis=0),
        "logsumexp": np.log(np.exp(rows).sum(axis=0)),
        "softmax": softmax[0],
        "log_softmax": np.log(softmax[0]),
    }[name]
    np.testing.assert_allclose(first.data, reference, rtol=1e-12)
    batch_sum(first).backward()
    d_scalar = {  # ∂(output 0)/∂(the scalar input, row 1), summed over the samples
        "sum": 3.0,
        "mean": 1.0,
        "logsumexp": softmax[1].sum(),
        "softmax": (-softmax[0] * softmax[1]).sum(),
        "log_softmax": (-softmax[1]).sum(),
    }[name]
    assert math.isclose(s.grad, d_scalar, rel_tol=1e-12)


def test_batched_sum_and_mean_are_exactly_rounded_per_sample():
    (big,) = batch([1e16, 1e16, -1e16], requires_grad=True)
    total = autograd.sum([big, 1.0, Value(-1e16)])
    np.testing.assert_array_equal(total.data, [math.fsum([1e16, 1.0, -1e16])] * 2 + [math.fsum([-1e16, 1.0, -1e16])])
    mean = autograd.mean([big, 1.0, Value(-1e16)])
    np.testing.assert_array_equal(mean.data, total.data / 3)
    assert total.data[0] == autograd.sum([Value(1e16), 1.0, -1e16]).data == 1.0  # as the scalar sum


# ---- 2. grad mode per thread -----------------------------------------------------------------


def test_no_grad_in_one_thread_does_not_stop_another_from_recording():
    inside, done = threading.Event(), threading.Event()
    seen = {}

    def evaluator():
        with no_grad():
            inside.set()
            done.wait(5)
            seen["evaluator records"] = autograd.is_grad_enabled()

    t = threading.Thread(target=evaluator)
    t.start()
    inside.wait(5)
    w = Value(3.0)
    loss = (w * 2.0 - 1.0) ** 2  # trained while the other thread is inside no_grad()
    loss.backward()
    done.set()
    t.join()
    assert autograd.is_grad_enabled() and loss.parents
    assert w.grad == 2 * (3.0 * 2.0 - 1.0) * 2.0  # d/dw (2w − 1)² = 4(2w − 1)
    assert seen["evaluator records"] is False


def test_interleaved_threads_each_restore_their_own_mode():
    """Thread A enters, B enters, A leaves, B leaves (the order the issue reported breaking
    recording for the whole process); one object shared by both as well."""
    shared = no_grad()
    steps = [threading.Event() for _ in range(4)]
    modes = {}

    def a():
        with shared:
            steps[0].set()
            steps[1].wait(5)
        modes["a after"] = autograd.is_grad_enabled()
        modes["a records"] = bool((Value(1.0) + 1).parents)
        steps[2].set()

    def b():
        steps[0].wait(5)
        with shared:
            steps[1].set()
            steps[2].wait(5)
            modes["b inside"] = autograd.is_grad_enabled()
        modes["b after"] = autograd.is_grad_enabled()

    threads = [threading.Thread(target=f) for f in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert modes == {"a after": True, "a records": True, "b inside": False, "b after": True}
    assert autograd.is_grad_enabled() and (Value(1.0) * 2).parents


def test_a_new_thread_starts_recording_even_if_its_parent_is_in_no_grad():
    result = {}
    with no_grad():
        t = threading.Thread(target=lambda: result.setdefault("recorded", bool((Value(1.0) * 3).parents)))
        t.start()
        t.join()
        assert not (Value(1.0) * 3).parents
    assert result["recorded"] is True


# ---- 3. graphs that cross a process, pickles and copies ------------------------------------


def _graph_in_worker(w):
    """Runs in another process, whose creation numbers start again from 0."""
    x = Value(2.0, "x")
    return w * x * w * 3.0, w  # 6w² at w = 2: 24, and d/dw = 12w = 24


def test_a_graph_built_in_a_worker_process_backpropagates_in_the_parent():
    for _ in range(2000):  # the parent's numbers run far ahead of the fresh worker's
        Value(0.0)
    w = Value(2.0, "w")
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        out, w_back = pool.apply(_graph_in_worker, (w,))
    assert out.data == 24.0
    out.backward()
    assert w_back.grad == 24.0  # 12w


def finite_difference(loss_of, params, i, eps=1e-6):
    """d loss / d params[i] by central differences (restoring the parameter)."""
    p = params[i]
    saved = p.data
    p.data = saved + eps
    up = loss_of()
    p.data = saved - eps
    down = loss_of()
    p.data = saved
    return (up - down) / (2 * eps)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copied_micrograd_sized_network_backpropagates_correctly(how):
    model = nn.MLP(2, [16, 16, 1], activation="tanh", seed=3)
    X, y = [[0.5, -1.0], [1.5, 0.3], [-0.2, 0.8]], [1.0, -1.0, 1.0]
    loss = nn.mse_loss([model(x) for x in X], y)
    model2, loss2 = copy.deepcopy((model, loss)) if how == "deepcopy" else pickle.loads(pickle.dumps((model, loss)))
    loss2.backward()
    params = model2.parameters()

    def loss_of():
        with no_grad():
            return nn.mse_loss([model2(x) for x in X], y).data

    for i in (0, 17, 100, len(params) - 1):
        assert math.isclose(params[i].grad, finite_difference(loss_of, params, i), rel_tol=1e-5, abs_tol=1e-8)
    assert all(p.grad == 0.0 for p in model.parameters())  # the original is untouched


def test_pickled_constants_stay_constants_and_batched_graphs_survive():
    y = Value(1.5, "x") * 2.0
    y2 = pickle.loads(pickle.dumps(y))
    assert autograd.engine.is_constant(y2.parents[1]) and y2.parents[0].label == "x"
    (xb,) = batch([1.0, 2.0, 3.0], requires_grad=True)
    w = Value(0.5)
    out = batch_sum((xb * w).tanh())
    out2, w2 = pickle.loads(pickle.dumps((out, w)))
    out2.backward()
    xs = np.array([1.0, 2.0, 3.0])
    assert math.isclose(w2.grad, float(np.sum(xs * (1 - np.tanh(0.5 * xs) ** 2))), rel_tol=1e-12)


def test_a_graph_too_deep_to_pickle_is_a_clear_error_not_a_wrong_gradient():
    x = Value(1.0)
    y = x
    for _ in range(sys.getrecursionlimit() * 2):
        y = y + 1.0
    with pytest.raises(RecursionError):
        pickle.dumps(y)


# ---- 4. overflow follows IEEE: inf and nan, never an exception --------------------------------


def test_sums_and_means_overflow_to_inf_and_cancel_exactly():
    assert autograd.sum([1e308, 1e308]).data == math.inf
    assert autograd.sum([-1e308, -1e308]).data == -math.inf
    assert math.isnan(autograd.sum([math.inf, -math.inf]).data)
    assert autograd.sum([1e308, 1e308, -1e308]).data == 1e308  # exactly, as math.fsum would if it could
    assert autograd.mean([1e308, 1e308]).data == math.inf


@pytest.mark.parametrize(
    "loss, preds, targets",
    [
        (nn.mse_loss, [1e154, 1.2e154], [0.0, 0.0]),
        (nn.mae_loss, [1.7e308, 1.7e308], [-1e308, -1e308]),
        (nn.huber_loss, [1.7e308, 1.7e308], [-1e308, -1e308]),
        (nn.hinge_loss, [-1.7e308, -1.7e308], [1.0, 1.0]),
        (nn.binary_cross_entropy_with_logits, [-1.7e308, -1.7e308], [1.0, 1.0]),
    ],
)
@pytest.mark.parametrize("batched", [False, True])
def test_a_diverging_loss_is_inf_not_an_exception(loss, preds, targets, batched):
    values = batch(preds, requires_grad=True)[0] if batched else [Value(p) for p in preds]
    out = loss(values, targets)
    assert out.data == math.inf  # torch: the mean of terms whose sum overflows is inf
    (x,) = batch([1e308, 1e308], requires_grad=True)
    assert batch_sum(x).data == math.inf


def test_optimizer_refuses_the_non_finite_gradient_of_a_diverged_run():
    w = Value(1e154)
    loss = nn.mse_loss([w * 1.2], [0.0])
    loss.backward()
    opt = optim.SGD([w], lr=0.1)
    w.grad = math.inf
    with pytest.raises(ValueError, match="non-finite"):
        opt.step()
    assert w.data == 1e154


# ---- 5. unbound methods on batched Values ----------------------------------------------------


@pytest.mark.parametrize(
    "name, reference",
    [
        ("relu", lambda x: np.maximum(x, 0.0)),
        ("tanh", np.tanh),
        ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
        ("exp", np.exp),
        ("leaky_relu", lambda x: np.where(x > 0, x, 0.01 * x)),
        ("silu", lambda x: x / (1 + np.exp(-x))),
    ],
)
def test_unbound_methods_work_on_batched_values(name, reference):
    xs = np.array([-1.5, 0.5, 2.0])
    (x,) = batch(xs, requires_grad=True)
    out = getattr(Value, name)(x)
    assert autograd.is_batched(out)
    np.testing.assert_allclose(out.data, reference(xs), rtol=1e-12)
    if name in nn.layers.ACTIVATIONS:
        np.testing.assert_allclose(nn.layers.ACTIVATIONS[name](batch(xs)[0]).data, reference(xs), rtol=1e-12)
    assert getattr(Value, name)(Value(0.5)).data == pytest.approx(float(reference(np.array([0.5]))[0]), rel=1e-12)


def test_unbound_unary_operators_work_on_batched_values():
    (x,) = batch([-2.0, 3.0], requires_grad=True)
    np.testing.assert_array_equal(Value.__neg__(x).data, [2.0, -3.0])
    np.testing.assert_array_equal(Value.__abs__(x).data, [2.0, 3.0])
    np.testing.assert_array_equal(Value.__pow__(x, 2).data, [4.0, 9.0])


# ---- 6. drawings that Graphviz would take minutes over, and clear messages ---------------


def test_draw_dot_bounds_the_edges_before_graphviz_runs():
    root = autograd.sum(autograd.softmax([Value(float(i) / 100) for i in range(240)]))
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"57840 edges, more than max_edges=\d+.*max_edges=57840"):
        draw_dot(root, max_nodes=1000)
    assert time.perf_counter() - start < 5
    assert "v0" in draw_dot(autograd.sum(autograd.softmax([1.0, 2.0, 3.0])), max_edges=20).source


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: autograd.gradcheck(lambda a: a, 5j), TypeError, "inputs"),
        (lambda: nn.mse_loss([Value(1.0), Value(2.0)], {2.0, 1.0}), TypeError, "no order"),
        (lambda: autograd.sum({Value(1.0), Value(2.0)}), TypeError, "order"),
        (lambda: optim.clip_grad_norm(nn.MLP(2, [1]), 1.0), TypeError, r"model\.parameters\(\)"),
        (lambda: nn.MLP(2, [1], seed=-1), ValueError, "seed must be an int >= 0"),
        (lambda: nn.MLP(2, [1], activation=[]), ValueError, "unknown activation"),
        (lambda: nn.MLP(2, [1], init=[]), ValueError, "unknown init"),
        (lambda: optim.SGD([Value(1.0)], lr=10**400), ValueError, "lr must be a finite number"),
        (lambda: nn.MLP(2, [1])(np.array(2.0)), ValueError, "expected 2 inputs"),
        (lambda: nn.plots.plot_loss(["a", "b"]), TypeError, "history"),
        (lambda: nn.plots.plot_decision_boundary("model", np.zeros((2, 2)), [0, 1]), TypeError, "model"),
        (lambda: nn.plots.plot_decision_boundary(nn.MLP(2, [1]), "ab", [0]), TypeError, "X must be"),
        (lambda: nn.plots.plot_optimizer_paths(lambda x, y: x, [[0, 1]]), TypeError, "paths must be a dict"),
        (lambda: nn.plots.plot_optimizer_paths(lambda x, y: x, {"SGD": "ab"}), TypeError, r"paths\['SGD'\]"),
        (lambda: draw_dot(Value(1.0), max_edges=0), ValueError, "max_edges"),
        (lambda: draw_dot(Value(1.0), compact="yes"), TypeError, "compact"),
    ],
)
def test_unclear_inputs_get_messages_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_gradcheck_reads_a_generator_of_inputs_once():
    calls = []

    def f(a, b):
        calls.append(2)
        return a * b

    assert autograd.gradcheck(f, (x for x in [1.5, -2.0]))
    assert calls  # f was called with both inputs
    with pytest.raises(autograd.GradcheckError, match="1 of 2"):
        autograd.gradcheck(
            lambda a, b: Value(a.data * b.data, parents=(a, b), local_grads=(b.data, 0.0), op="bad"), iter([1.5, 2.0])
        )


def test_a_zero_dimensional_array_is_one_input():
    model = nn.MLP(1, [1], seed=0)
    w, b = model.parameters()
    assert model(np.array(2.0)).data == pytest.approx(w.data * 2.0 + b.data, rel=1e-15)


# ---- 7. files -------------------------------------------------------------------------------------


def _model():
    return nn.MLP(2, [3, 1], seed=1)


def test_save_keeps_permission_bits_and_writes_through_a_symlink(tmp_path):
    target = tmp_path / "weights.npz"
    _model().save(target)
    os.chmod(target, 0o600)
    _model().save(target)
    assert os.stat(target).st_mode & 0o777 == 0o600
    link = tmp_path / "latest.npz"
    link.symlink_to(target)
    model = nn.MLP(2, [3, 1], seed=9)
    model.save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    loaded = _model()
    loaded.load(target)
    assert loaded.state_dict() == model.state_dict()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.npz", "weights.npz"]


def test_save_to_a_long_name_and_a_failed_write_leaves_nothing(tmp_path):
    long_name = tmp_path / ("w" * 250)
    _model().save(long_name)
    assert long_name.exists()
    from autograd.files import write_atomically

    def broken(f):
        f.write(b"partial")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_atomically(tmp_path / "x.npz", broken)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w" * 250]


def test_save_removes_what_a_killed_save_left_behind(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    abandoned = tmp_path / f".chainrule-{dead.pid}-k1lled.tmp"
    abandoned.write_bytes(b"half a file")
    alive = tmp_path / f".chainrule-{os.getpid()}-mine.tmp"  # a save of a live process: left alone
    alive.write_bytes(b"in progress")
    _model().save(tmp_path / "m.npz")
    assert not abandoned.exists() and alive.exists()


def test_save_refuses_a_write_protected_file(tmp_path):
    protected = tmp_path / "keep.npz"
    protected.write_bytes(b"precious")
    os.chmod(protected, 0o444)
    os.chmod(tmp_path, 0o777)  # the folder is writable: only the file's own bits protect it
    pid = os.fork()
    if pid == 0:  # the child saves; as root it first becomes 'nobody', whom the bits do stop
        try:
            if os.geteuid() == 0:
                os.setuid(65534)
            nn.MLP(2, [3, 1]).save(protected)
            os._exit(1)
        except PermissionError:
            os._exit(0)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0  # 0: PermissionError; 1: it replaced the file
    assert protected.read_bytes() == b"precious"


def _zip_with_member(path, data, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as archive, archive.open("w.npy", "w") as member:
        for chunk in data:
            member.write(chunk)


def test_load_refuses_an_archive_that_would_inflate_to_gigabytes_at_once(tmp_path):
    """A fuzzed archive: a small deflated member whose headers declare 2 GiB (as a zip bomb's do)."""
    bomb = tmp_path / "bomb.npz"
    _zip_with_member(bomb, [b"\0" * (1 << 20)])
    data = bytearray(bomb.read_bytes())
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.index(signature) + size_offset
        data[start : start + 4] = (1 << 31).to_bytes(4, "little")
    bomb.write_bytes(bytes(data))
    model = _model()
    before = model.state_dict()
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"would decompress to 2,147,483,648 bytes"):
        model.load(bomb)
    assert time.perf_counter() - start < 0.5
    assert model.state_dict() == before


def test_load_turns_encrypted_and_unsupported_members_into_value_errors(tmp_path):
    model = _model()
    saved = tmp_path / "ok.npz"
    model.save(saved)
    data = bytearray(saved.read_bytes())
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # mark every member encrypted
        for match in re.finditer(re.escape(signature), bytes(data)):
            data[match.start() + flag_offset] |= 0x1
    encrypted = tmp_path / "encrypted.npz"
    encrypted.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="encrypted"):
        model.load(encrypted)
    lzma = tmp_path / "lzma.npz"
    _zip_with_member(lzma, [b"\x93NUMPY"], zipfile.ZIP_LZMA)
    with pytest.raises(ValueError, match="compression"):
        model.load(lzma)
    other = tmp_path / "other.npz"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ValueError, match="'notes.txt', which is not a NumPy array"):
        model.load(other)


# ---- 8. optimiser and schedule checkpoints, and all-or-nothing steps ------------------------


def _adam_after_one_step():
    params = [Value(1.0), Value(-2.0)]
    opt = optim.Adam(params, lr=0.1)
    for p in params:
        p.grad = 0.5
    opt.step()
    return params, opt


@pytest.mark.parametrize("field, value", [("v", -5.0), ("v", math.nan), ("m", math.inf), ("m", 10**400), ("m", "x")])
def test_adam_refuses_impossible_moments_and_changes_nothing(field, value):
    params, opt = _adam_after_one_step()
    good = opt.state_dict()
    bad = copy.deepcopy(good)
    bad["state"][1][field] = value
    with pytest.raises(ValueError, match=re.escape(f"state[1]['{field}']")):
        opt.load_state_dict(bad)
    assert opt.state_dict() == good


def test_loaded_states_must_be_alike_and_known():
    params, opt = _adam_after_one_step()
    bad = opt.state_dict()
    del bad["state"][1]["m"]
    with pytest.raises(ValueError, match="same state"):
        opt.load_state_dict(bad)
    bad = opt.state_dict()
    bad["state"][0]["velocity"] = bad["state"][1]["velocity"] = 1.0
    with pytest.raises(ValueError, match="unknown keys"):
        opt.load_state_dict(bad)


def test_adam_resumes_from_a_checkpoint_with_the_same_numbers():
    """Reference: Adam's update written with Python floats, from the checkpoint."""
    params, opt = _adam_after_one_step()
    checkpoint = json.loads(json.dumps(opt.state_dict()))
    resumed_params = [Value(p.data) for p in params]
    resumed = optim.Adam(resumed_params, lr=0.1)
    resumed.load_state_dict(checkpoint)
    for p in resumed_params:
        p.grad = -0.25
    resumed.step()
    for p, state in zip(params, checkpoint["state"]):
        m = state["m"] + (1 - 0.9) * (-0.25 - state["m"])
        v = state["v"] * 0.999 + (1 - 0.999) * 0.0625
        expected = p.data - (0.1 / (1 - 0.9**2)) * m / (math.sqrt(v) / math.sqrt(1 - 0.999**2) + 1e-8)
        assert resumed_params[params.index(p)].data == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("make", [optim.SGD, optim.Momentum, optim.Adam, optim.AdamW, optim.RMSprop])
def test_a_step_that_cannot_be_computed_changes_nothing(make):
    params = [Value(1.0), Value(2.0), Value(3.0)]
    opt = make(params, lr=0.1)
    for p in params:
        p.grad = 1.0
    opt.step()
    before = [p.data for p in params], opt.state_dict()
    params[2].data = "three"  # something no update can compute with
    for p in params:
        p.grad = 1.0
    with pytest.raises(ValueError, match=r"params\[2\]\.data is str"):
        opt.step()
    params[2].data = 3.0 if before[0][2] == 3.0 else before[0][2]
    assert [p.data for p in params] == before[0] and opt.state_dict() == before[1]


@pytest.mark.parametrize(
    "state, message",
    [
        ({"base_lr": 0.1, "epoch": 2.9}, "epoch must be an int"),
        ({"base_lr": 0.1, "epoch": -5}, "epoch must be an int"),
        ({"base_lr": 0.1}, "keys base_lr and epoch"),
        ({"base_lr": "fast", "epoch": 1}, "base_lr"),
        ([0.1, 3], "keys base_lr and epoch"),
    ],
)
def test_schedules_validate_their_checkpoint(state, message):
    schedule = optim.StepLR(optim.SGD([Value(1.0)], lr=0.1), step_size=2)
    schedule.step()
    with pytest.raises(ValueError, match=message):
        schedule.load_state_dict(state)
    assert schedule.state_dict() == {"base_lr": 0.1, "epoch": 1}


# ---- 9. drawings are text, never markup ----------------------------------------------------------

EVIL = [
    "<<TABLE><TR><TD HREF='javascript:alert(1)'>x</TD></TR></TABLE>>",
    "<lambda>",
    "R&amp;D",
    'a "quoted" \\N {record|field} <port>',
    "two  spaces",
]


def _evil_graph():
    leaves = [Value(float(i + 1), label=text) for i, text in enumerate(EVIL)]
    node = Value(1.0, parents=tuple(leaves), local_grads=(1.0,) * len(leaves), op=EVIL[0])
    out = Value(node.data, parents=(node,), local_grads=(1.0,), op="<lambda>")
    out.backward()
    return out


@needs_dot
def test_labels_and_op_names_show_exactly_as_typed_in_svg():
    svg = draw_dot(_evil_graph()).pipe(format="svg").decode()
    texts = [
        t.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#39;", "'").replace("&#160;", " ")
        for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    ]
    texts = [t.replace("&amp;", "&") for t in texts]
    for text in EVIL:
        assert text in [t.strip() for t in texts], (text, texts)
    elements = list(ElementTree.fromstring(svg).iter())
    assert not [e for e in elements if e.tag.endswith("}a")]  # no link element…
    assert not [key for e in elements for key in e.attrib if key.lower().endswith("href")]  # …nor link attribute


@needs_dot
def test_characters_no_picture_can_show_appear_as_visible_stand_ins():
    out = Value(1.0, label="nul\x00 cr\r lf\n ls\u2028 del\x7f")
    svg = draw_dot(out).pipe(format="svg").decode()
    assert "nul\u2400 cr\u240d lf\u240a ls\ufffd del\u2421" in svg.replace("&#160;", " ")
    draw_dot(out).pipe(format="png")  # renders: a NUL no longer makes dot fail


@needs_dot
def test_player_script_carries_captions_as_data_only():
    x = Value(2.0, label="x\r\u2028</script><script>alert(1)</script>")
    y = x * x
    page = autograd.animate_backward(y).to_html()
    script = page[page.rindex("<script>") + len("<script>") : page.rindex("</script>")]  # the player's code
    assert "</script" not in script.lower() and "\r" not in script and "\u2028" not in script
    data = re.search(r'<script type="application/json" class="cr-data">(.*?)</script>', page, re.S).group(1)
    assert "</script" not in data.lower() and "\r" not in data and "\u2028" not in data
    captions = [frame["caption"] for frame in json.loads(data)["frames"]]
    assert any("x\u240d\ufffd</script><script>alert(1)</script>" in c for c in captions)


@needs_dot
def test_a_failed_animation_restores_every_gradient(monkeypatch):
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b + a
    a.grad = 0.5  # an accumulated gradient from before: kept as it was

    def fail(drawing):
        raise RuntimeError("dot crashed")

    monkeypatch.setattr(autograd.animation.Layout, "of", staticmethod(fail))
    with pytest.raises(RuntimeError):
        autograd.animate_backward(c)
    assert (a.grad, b.grad, c.grad) == (0.5, 0.0, 0.0)
    monkeypatch.undo()
    autograd.animate_backward(c)
    assert (a.grad, b.grad) == (0.5 + (-3.0 + 1.0), 2.0)  # ∂c/∂a = b + 1, ∂c/∂b = a: added once
