"""Watching backpropagation: backward_steps, animate_backward, and the pictures that teach."""

import io
import shutil
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given

import autograd
import nn
from autograd import GraphvizNotInstalled, MissingExtra, Value, animate_backward, backward_steps, draw_dot
from tests.conftest import needs_dot
from tests.test_engine import programs, run
from tests.test_viz import parse

ROOT = Path(__file__).resolve().parent.parent


def neuron_graph():
    """o = tanh(x1·w1 + x2·w2 + b), the README's neuron, with every leaf labelled."""
    x1, x2, w1, w2 = Value(2.0, "x1"), Value(0.0, "x2"), Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    return o, (x1, x2, w1, w2, b)


# ---- backward_steps is the backward pass -------------------------------------------------


@given(programs())
def test_backward_steps_is_backward_bit_for_bit(program):
    xs, steps = program
    leaves_a, leaves_b = [Value(x) for x in xs], [Value(x) for x in xs]
    out_a, out_b = run(leaves_a, steps, 0), run(leaves_b, steps, 0)
    out_a.backward()
    recorded = backward_steps(out_b)
    nodes_a, nodes_b = autograd.topological_order(out_a), autograd.topological_order(out_b)
    assert [n.grad for n in nodes_a] == [n.grad for n in nodes_b]  # every node, exactly
    # one step per (node, parent) edge, in the order backward visits them
    assert len(recorded) == sum(len(n.parents) for n in nodes_b)
    for step in recorded:
        assert step.contribution == step.local_grad * step.upstream
        assert step.upstream == step.node.grad  # interior grads are final when passed on
    # replaying the steps in order from zero reproduces every gradient bit for bit
    running = {out_b: out_b.grad}
    for step in recorded:
        assert step.node in running  # a node passes its gradient on only after receiving all of it
        running[step.parent] = running.get(step.parent, 0.0) + step.contribution
        assert step.parent_grad == running[step.parent]
    for node in nodes_b:
        assert running.get(node, 0.0) == node.grad


def test_steps_against_hand_computed_chain_rule():
    o, (x1, x2, w1, w2, b) = neuron_graph()
    steps = backward_steps(o)
    slope = 1 - math.tanh(0.8813735870195432) ** 2  # d tanh(n)/dn, n = -6 + 0 + 6.88…
    assert math.isclose(x1.grad, slope * -3.0, rel_tol=1e-12)
    assert math.isclose(w1.grad, slope * 2.0, rel_tol=1e-12)
    assert math.isclose(b.grad, slope, rel_tol=1e-12)
    assert math.isclose(x2.grad, slope * 1.0, rel_tol=1e-12) and w2.grad == 0.0  # ∂/∂x2 = w2, ∂/∂w2 = x2 = 0
    first = steps[0]
    assert first.node is o and first.upstream == 1.0 and math.isclose(first.local_grad, slope, rel_tol=1e-12)
    text = str(steps)
    assert len(text.splitlines()) == len(steps) == 1 + 2 * 2 + 2 * 2  # tanh: 1 edge; two + and two *: 2 each
    assert text.splitlines()[0] == "v8.grad += ∂o/∂v8 × o.grad = 0.5 × 1 = 0.5  →  v8.grad = 0.5"
    assert "w1.grad += ∂v5/∂w1 × v5.grad = 2 × 0.5 = 1  →  w1.grad = 1" in text


def test_slices_and_of_pick_steps():
    o, (x1, x2, w1, w2, b) = neuron_graph()
    steps = backward_steps(o)
    first_two = steps[:2]
    assert type(first_two).__name__ == "BackwardSteps" and str(first_two) == "\n".join(map(str, steps[:2]))
    products = [v for v in autograd.topological_order(o) if v.op == "*"]
    picked = steps.of(*products)
    assert len(picked) == 4 and {s.parent for s in picked} == {x1, x2, w1, w2}


def test_leaves_accumulate_as_with_backward():
    x = Value(3.0, "x")
    y = x * x  # one node, the same parent twice
    steps = backward_steps(y)
    assert [s.parent_grad for s in steps] == [3.0, 6.0] and x.grad == 6.0
    steps = backward_steps(y)  # a second pass adds to the leaf, as backward() does
    assert [s.parent_grad for s in steps] == [9.0, 12.0] and x.grad == 12.0


def test_names_are_stable_and_shared_with_draw_dot():
    def build():
        a = Value(2.0)
        return (a * 3 + a).tanh()

    lines = [str(backward_steps(build())) for _ in range(2)]
    assert lines[0] == lines[1]
    out = build()
    text = str(backward_steps(out))
    names = set(re.findall(r"(\S+)\.grad \+=", text))
    source = draw_dot(out).source
    for name in names:
        assert "{" + name + " |" in source, name
    assert "{v1 | const 3}" in source  # a constant is named like any unlabelled node


def test_backward_steps_bad_input():
    with pytest.raises(TypeError, match="backward_steps"):
        backward_steps(3.0)
    x = Value(1.0)
    with pytest.raises(TypeError, match="backward"):
        backward_steps(x * 2, grad="a")
    assert x.grad == 0.0  # nothing ran


# ---- pictures that teach ----------------------------------------------------------------


def test_nn_parameters_and_inputs_are_named_in_drawings():
    neuron = nn.Neuron(2, "tanh", seed=0)
    assert [p.label for p in neuron.parameters()] == ["w[0]", "w[1]", "b"]
    layer = nn.Layer(2, 2, seed=0)
    assert [p.label for p in layer.parameters()] == ["W[0,0]", "W[1,0]", "b[0]", "W[0,1]", "W[1,1]", "b[1]"]
    mlp = nn.MLP(2, [2, 1], seed=0)
    assert [p.label for p in mlp.parameters()][-3:] == ["W2[0,0]", "W2[1,0]", "b2[0]"]
    out = neuron([2.0, 3.0])
    out.backward()
    labels = [label for label, attrs in parse(draw_dot(out).source)[0].values() if "Mrecord" in attrs]
    assert sorted(label.split(" |")[0].strip("{") for label in labels) == ["b", "w[0]", "w[1]", "x₀", "x₁"]


def test_constants_are_drawn_distinctly_without_a_gradient():
    x = Value(1.5, "x")
    y = 2 * x + autograd.sum([x, 4])
    y.backward()
    nodes, _ = parse(draw_dot(y).source)
    constants = {label: attrs for label, attrs in nodes.values() if "const" in label}
    assert sorted(label.split("| ")[1] for label in constants) == ["const 2}", "const 4}"]
    for attrs in constants.values():
        assert "dashed" in attrs and "grad" not in attrs
    assert autograd.engine.is_constant(y.parents[0].parents[0]) and not autograd.engine.is_constant(x)


def test_local_grads_option_writes_each_edge_derivative():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = (a * b).tanh()
    c.backward()
    source = draw_dot(c, local_grads=True).source
    t = math.tanh(-6.0)
    assert f'label="{format(1 - t * t, ".4g")}"' in source  # ∂tanh/∂(a·b)
    assert re.search(r'label="?-3"?[ \]]', source) and re.search(r'label="?2"?[ \]]', source)  # b, a
    assert "label=\"-3\"" not in draw_dot(c).source
    with pytest.raises(TypeError, match="local_grads"):
        draw_dot(c, local_grads="yes")


def test_compact_records_stack_their_fields():
    x = Value(1.0, "x")
    y = x.exp()
    assert "{x | data 1 | grad —}" in draw_dot(y).source
    assert '"x | data 1 | grad —"' in draw_dot(y, compact=True).source
    assert '"x | data 1 | grad —"' in draw_dot(y, rankdir="TB").source


@pytest.mark.parametrize("cls_args", [("Neuron", (3, "tanh")), ("Layer", (3, 2, "relu")), ("MLP", (3, [4, 2], "gelu"))])
def test_unfused_neurons_compute_the_same_numbers_as_numpy(cls_args):
    name, args = cls_args
    fused = getattr(nn, name)(*args, seed=1)
    unfused = getattr(nn, name)(*args, seed=1, fused=False)
    x = [0.3, -1.2, 2.0]
    out_f, out_u = fused(x), unfused(x)
    outs_f = out_f if isinstance(out_f, list) else [out_f]
    outs_u = out_u if isinstance(out_u, list) else [out_u]
    assert [o.data for o in outs_f] == [o.data for o in outs_u]  # same additions, same order
    autograd.sum(outs_u).backward()
    autograd.sum(outs_f).backward()
    assert [p.grad for p in fused.parameters()] == pytest.approx([p.grad for p in unfused.parameters()], rel=1e-14)
    # and the unfused graph shows every product: one * node per weight
    ops = [v.op for v in autograd.topological_order(autograd.sum(outs_u))]
    assert ops.count("*") == len([p for p in unfused.parameters() if p.label.startswith(("w", "W"))])
    assert "dot" not in ops


def test_unfused_neuron_against_numpy():
    neuron = nn.Neuron(3, "tanh", seed=2, fused=False)
    w = np.array([p.data for p in neuron.w])
    x = np.array([0.5, -0.25, 1.5])
    out = neuron(list(x))
    out.backward()
    z = neuron.b.data + w @ x
    assert math.isclose(out.data, np.tanh(z), rel_tol=1e-14)
    np.testing.assert_allclose([p.grad for p in neuron.w], (1 - np.tanh(z) ** 2) * x, rtol=1e-13)


def test_fused_must_be_a_bool():
    with pytest.raises(TypeError, match="fused"):
        nn.MLP(2, [1], fused="no")


# ---- animate_backward --------------------------------------------------------------------


@needs_dot
def test_animation_runs_backward_and_has_one_frame_per_operation():
    o, leaves = neuron_graph()
    expected = neuron_graph()[0]
    expected.backward()
    animation = animate_backward(o)
    assert [leaf.grad for leaf in leaves] == [v.grad for v in autograd.topological_order(expected) if not v.parents]
    n_operations = sum(1 for v in autograd.topological_order(o) if v.parents)
    assert len(animation) == 2 + n_operations + 1  # forward, seed, one per operation, end


def records(source):
    """The record labels of a DOT source, in order (ignoring positions and colours)."""
    return [label for label, attrs in parse(source)[0].values() if "record" in attrs]


@needs_dot
def test_frames_show_gradients_as_they_are_computed():
    o, _ = neuron_graph()
    frames = animate_backward(o).frames
    first = records(frames[0].drawing.source)
    assert all("grad —" in label for label in first)
    seeded = records(frames[1].drawing.source)
    assert sum("grad —" not in label for label in seeded) == 1  # only the output: grad 1
    counts = [sum("grad —" not in label for label in records(f.drawing.source)) for f in frames]
    assert counts == sorted(counts)  # gradients appear, never disappear
    # each middle frame highlights one node, and its edges carry the local derivatives
    for frame in frames[2:-1]:
        assert frame.drawing.source.count("#c0392b") >= 3 and frame.active and len(frame.flowing) >= 2
    # the last frame is draw_dot after backward(): the same records and edges
    assert records(frames[-1].drawing.source) == records(draw_dot(o).source)
    assert parse(frames[-1].drawing.source)[1] == parse(draw_dot(o).source)[1]


def test_animation_bad_input_changes_nothing():
    with pytest.raises(TypeError, match="animate_backward"):
        animate_backward([1.0])
    x = Value(1.0)
    y = x
    for _ in range(10):
        y = y * 1.5
    with pytest.raises(ValueError, match=r"21 Values.*max_nodes=5"):
        animate_backward(y, max_nodes=5)
    assert x.grad == 0.0  # backward did not run
    with pytest.raises(ValueError, match="seconds_per_frame"):
        animate_backward(y, seconds_per_frame=0)
    if shutil.which("dot"):
        with pytest.raises(ValueError, match=r"\.html or \.gif"):
            animate_backward(y).save("x.mp4")


HTML_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
from autograd import Value, animate_backward
a, b = Value(2.0, "a"), Value(-3.0, "b")
c = (a * b + 1).tanh()
sys.stdout.write(animate_backward(c).to_html())
"""


@needs_dot
def test_html_player_is_self_contained_and_identical_across_processes(tmp_path):
    pages = [
        subprocess.run([sys.executable, "-c", HTML_SCRIPT, str(ROOT)], capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    ]
    assert pages[0] == pages[1]
    page = pages[0]
    assert page.startswith("<!DOCTYPE html>") and page.count('<img class="') == 1  # one picture; frames carry what changes
    for external in ("http://", "https://", "<link", "@import", "@font-face", "<script src", "url("):
        assert external not in page, external
    for control in ('data-go="play"', 'data-go="back"', 'data-go="next"', 'type="range"'):
        assert control in page
    assert "∂" in page  # the captions carry the chain-rule lines


@needs_dot
def test_save_html_and_jupyter_display(tmp_path):
    o, _ = neuron_graph()
    animation = animate_backward(o)
    path = animation.save(tmp_path / "backprop.html")
    assert path.read_text(encoding="utf-8") == animation.to_html()
    fragment = animation._repr_html_()
    assert fragment in animation.to_html() and "<html" not in fragment
    assert [p.name for p in tmp_path.iterdir()] == ["backprop.html"]  # no temporary file left


@needs_dot
def test_gif_has_one_frame_per_animation_frame(tmp_path):
    image = pytest.importorskip("PIL.Image")
    o, _ = neuron_graph()
    animation = animate_backward(o)
    path = animation.save(tmp_path / "backprop.gif")
    with image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == len(animation)
        sizes = set()
        for i in range(gif.n_frames):
            gif.seek(i)
            sizes.add(gif.size)
        assert len(sizes) == 1
    assert path.read_bytes() == animate_backward(neuron_graph()[0]).to_gif()  # same graph, same bytes


@needs_dot
def test_gif_without_pillow_names_the_extra_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    o, _ = neuron_graph()
    animation = animate_backward(o)
    monkeypatch.setattr(type(animation), "_render", lambda self, fmt: [b""] * len(self.frames))
    with pytest.raises(MissingExtra, match=r"'Pillow'.*chainrule\[gif\]"):
        animation.save(tmp_path / "x.gif")
    assert list(tmp_path.iterdir()) == []


def test_missing_dot_says_how_to_install_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    o, _ = neuron_graph()
    with pytest.raises(GraphvizNotInstalled, match="apt-get install graphviz"):
        animate_backward(o)  # the layout needs dot
    assert list(tmp_path.iterdir()) == []
    assert o.grad == 0.0  # and backward did not run


@needs_dot
def test_frames_share_one_canvas(tmp_path):
    image = pytest.importorskip("PIL.Image")
    o, _ = neuron_graph()
    sizes = {image.open(io.BytesIO(png)).size for png in animate_backward(o)._render("png")}
    assert len(sizes) == 1


@needs_dot
def test_frames_per_edge_take_one_chain_rule_step_each():
    o, _ = neuron_graph()
    steps = backward_steps(neuron_graph()[0])
    animation = animate_backward(o, frames="edge")
    assert len(animation) == 2 + len(steps) + 1  # forward, seed, one per edge, the end
    for frame, step in zip(animation.frames[2:-1], steps):
        assert len(frame.flowing) == 2 and str(step) in frame.caption  # the op's edge and one parent's
    with pytest.raises(ValueError, match="frames must be 'node' or 'edge'"):
        animate_backward(o, frames="nodes")
