"""nn.Playground without a browser: its Python API, the messages the page sends, the widget's
Python side and the server.  Reference numbers come from a plain training loop written here."""

import json
import math
import socket
import urllib.error
import urllib.request

import numpy as np
import pytest

import autograd
import nn
import optim
from nn.playground.session import Session


def plain_loop(X, y, model, optimizer, loss_fn, steps):
    """The loop the playground promises to run, written out."""
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(autograd.batch(X)), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    return losses


@pytest.mark.parametrize("data", ["moons", "circles", "xor", "spiral", "lesson"])
def test_each_step_is_bit_for_bit_the_plain_training_loop(data):
    pg = nn.Playground(data=data, seed=3)
    twin = nn.MLP(2, [4, 4, pg.outputs], activation="tanh", seed=3)
    twin.load_state_dict(pg.model.state_dict())
    loss_fn = nn.cross_entropy if pg.classes > 2 else nn.binary_cross_entropy_with_logits
    expected = plain_loop(pg.X, pg.y, twin, optim.Adam(twin.parameters(), lr=0.03), loss_fn, 5)
    assert pg.step(5) == expected[-1]
    assert pg.history == expected and pg.steps == 5
    assert pg.model.state_dict() == twin.state_dict()


def test_models_and_optimisers_passed_in_are_the_live_objects():
    X, y = nn.data.lesson_data()
    model = nn.MLP(2, [3, 1], activation="tanh", seed=1)
    opt = optim.SGD(model.parameters(), lr=0.2)
    pg = nn.Playground((X, y), model, optimizer=opt, loss=nn.hinge_loss)
    assert pg.model is model and pg.optimizer is opt
    twin = nn.MLP(2, [3, 1], activation="tanh", seed=1)
    expected = plain_loop(X, 2 * y - 1, twin, optim.SGD(twin.parameters(), lr=0.2), nn.hinge_loss, 3)
    pg.step(3)
    assert pg.history == expected  # hinge_loss receives 2y − 1


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"data": "spirals"}, ValueError, "data must be one of"),
        ({"data": (np.zeros((3, 3)), [0, 1, 0])}, ValueError, r"shape \(n, 2\)"),
        ({"data": (np.zeros((3, 2)), [0, 1])}, ValueError, "integer class labels"),
        ({"data": (np.zeros((3, 2)), [0, 2, 2])}, ValueError, "classes 0…k−1"),
        ({"lr": -1}, ValueError, "lr must be"),
        ({"model": nn.MLP(3, [1])}, ValueError, "2 inputs"),
        ({"model": nn.MLP(2, [4, 3])}, ValueError, "3 outputs"),
        ({"optimizer": "rmsprop"}, ValueError, "optimizer must be"),
        ({"loss": nn.cross_entropy}, ValueError, "does not fit"),
        ({"trace": 1000}, IndexError, "out of range"),
        ({"model": "mlp"}, TypeError, "nn module"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        nn.Playground(**kwargs)


def test_points_trace_and_reset():
    pg = nn.Playground("xor", seed=1)
    n = len(pg.X)
    before = (pg.X.copy(), pg.y.copy())
    for bad, error in (([np.nan, 0], ValueError), ([1, 2, 3], ValueError), ("ab", ValueError)):
        with pytest.raises(error):
            pg.add_point(bad, 0)
    with pytest.raises(ValueError, match="class"):
        pg.add_point([0.1, 0.2], 2)
    with pytest.raises(IndexError):
        pg.remove_point(n)
    assert np.array_equal(pg.X, before[0]) and np.array_equal(pg.y, before[1])  # nothing changed
    pg.add_point([0.1, 0.2], 1)
    assert len(pg.X) == n + 1 and pg.y[-1] == 1
    pg.remove_point(0)
    assert len(pg.X) == n and np.array_equal(pg.X[0], before[0][1])
    pg.trace = 5
    with pytest.raises(IndexError):
        pg.trace = -1
    pg.step(3)
    pg.reset(seed=7)
    first = pg.model.state_dict()
    assert pg.steps == 0 and pg.history == [] and pg.optimizer.state == {} and pg.optimizer.steps == 0
    pg.reset(seed=7)
    assert pg.model.state_dict() == first  # reproducible for an int seed
    bound = 1 / math.sqrt(2)
    assert all(abs(v) <= bound for k, v in first.items() if k.startswith("layers.0"))


def test_the_surface_is_the_models_probability_on_a_grid():
    pg = nn.Playground("moons")
    bounds = pg.bounds()
    grid = pg.predict_grid(bounds, size=5)
    x = np.linspace(bounds[0], bounds[1], 5)[1]
    y = np.linspace(bounds[3], bounds[2], 5)[2]  # rows from the top of the plane down
    logit = pg.model([x, y]).data
    assert grid.shape == (5, 5) and math.isclose(grid[2, 1], 1 / (1 + math.exp(-logit)), rel_tol=1e-12)
    assert bounds[0] < pg.X[:, 0].min() and bounds[3] > pg.X[:, 1].max()


def test_messages_from_the_page_act_on_the_playground_and_bad_ones_change_nothing():
    pg = nn.Playground()
    session = Session(pg)
    first = session.handle({"type": "hello"})
    assert first["type"] == "state" and "svg" in first["graph"] and first["steps"] == 0
    state = session.handle({"type": "step", "n": 3})
    assert pg.steps == 3 and state["steps"] == 3 and "svg" not in state["graph"]  # the layout went once
    assert state["graph"]["texts"] and len(state["grid"]) == 40 and state["loss"] == pg.history[-1]
    for bad in [None, [], {"type": 5}, {"type": "explode"}, {"type": "step", "n": 10**9}, {"type": "step", "n": "2"},
                {"type": "add_point", "x": [1e999, 0], "label": 0}, {"type": "add_point", "x": "ab", "label": 0},
                {"type": "trace", "i": -1}, {"type": "configure", "lr": -3}, {"type": "configure", "hidden": [1000]},
                {"type": "configure", "data": "../etc"}, {"type": "remove_point", "i": 10**6}]:
        reply = session.handle(bad)
        assert reply["type"] == "error" and reply["message"], bad
    assert pg.steps == 3 and len(pg.X) == 100
    weights = state["network"]["weights"]
    assert {w["name"] for w in weights} == {p.label for p in pg.model.parameters()}
    assert all(set(w["state"]) == {"m", "v"} for w in weights)  # Adam's moments, for the hover text
    assert session.handle({"type": "configure", "optimizer": "sgd", "lr": 0.5})["settings"]["optimizer"] == "sgd"
    assert isinstance(pg.optimizer, optim.SGD) and pg.optimizer.lr == 0.5
    assert session.handle({"type": "trace", "i": 7})["graph"].get("svg")  # a new point: a new layout
    assert session.handle({"type": "animate"})["html"].startswith("<!DOCTYPE html>")


def test_the_widget_answers_its_messages():
    pytest.importorskip("anywidget")
    from nn.playground.widget import make_widget

    pg = nn.Playground("lesson")
    widget = make_widget(pg)
    sent = []
    widget.send = sent.append
    widget._answer(widget, {"type": "step", "n": 2}, [])
    assert pg.steps == 2 and sent[-1]["type"] == "state" and sent[-1]["steps"] == 2
    assert widget._esm and "export default" in widget._esm


def _post(url, body, headers=None):
    request = urllib.request.Request(url + "api", data=body, headers=headers or {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_the_server_binds_loopback_survives_bad_requests_and_stalls():
    pg = nn.Playground("lesson")
    with pg.serve(port=0, open_browser=False, block=False) as server:
        assert server.url.startswith("http://127.0.0.1:") and server.server_address[0] == "127.0.0.1"
        stalled = socket.create_connection(server.server_address)  # a client that never sends a line
        stalled.sendall(b"POST /api HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")
        assert _post(server.url, b"not json")["type"] == "error"
        with pytest.raises(urllib.error.HTTPError):
            _post(server.url, b"x" * 70_000)
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(server.url + "../../etc/passwd", timeout=5)
        assert _post(server.url, json.dumps({"type": "step", "n": 1}).encode())["steps"] == 1
        page = urllib.request.urlopen(server.url, timeout=5).read().decode()
        assert "/static/playground.js" in page and "http" not in page.replace("http://www.w3.org", "")
        stalled.close()
    assert pg.steps == 1


def test_python_m_nn_playground_serves_and_stops_cleanly_on_ctrl_c():
    import os
    import signal
    import subprocess
    import sys
    import time

    with socket.socket() as probe:  # a free port to ask for
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "nn.playground", "--data", "xor", "--port", str(port), "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=os.path.dirname(os.path.dirname(__file__)),
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(100):
            try:
                reply = _post(url, json.dumps({"type": "hello"}).encode())
                break
            except OSError:
                time.sleep(0.1)
        assert reply["settings"]["data"] == "xor"
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0 and f"127.0.0.1:{port}" in out and "Traceback" not in err
