"""The exercise checkers, played as a student would: wrong answers first, then right ones.
Every wrong answer gets a message that says what is wrong and where to look (never a bare
assertion, a traceback or a message cut short); no forbidden shortcut passes."""

import math

import pytest

from autograd import Value
from nn import exercises


def run(capsys, check, answer):
    passed = check(answer)
    out = capsys.readouterr().out
    return passed, out


# ---- exercise 1: cube ---------------------------------------------------------------------------


def cube_right(x):
    return Value(x.data**3, parents=(x,), local_grads=(3 * x.data**2,), op="cube")


def cube_stub(x):
    raise NotImplementedError("write cube(x) here")


@pytest.mark.parametrize(
    "answer, hints",
    [
        (cube_stub, ["NotImplementedError", "Write your answer in its cell"]),
        (lambda x: x.data**3, ["returned a float (8.0), not a Value", "parents=(x,)"]),
        (lambda x: x.pow(3), ["AttributeError", "x.pow(3)", "A Value has .data"]),
        (lambda x: x**3, ["the engine's own '**3' operation", "make the node yourself"]),
        (lambda x: x * x * x, ["the engine's own '*' operation"]),
        (lambda x: Value(x**3, parents=(x,), local_grads=(3,), op="cube"), ["TypeError", "x.data, not x"]),
        (lambda x: Value(x.data**3, parents=(x,), local_grads=(2 * x.data**2,), op="cube"),
         ["local derivative is off at x = 0.7", "analytic", "numeric", "<-- mismatch", "3x²"]),
        (lambda x: Value(x.data**2, parents=(x,), local_grads=(3 * x.data**2,), op="cube"),
         ["should be 2³ = 8; it is 4.0"]),
    ],
)
def test_cube_wrong_answers_are_explained(capsys, answer, hints):
    passed, out = run(capsys, exercises.check_cube, answer)
    assert not passed and out.startswith("exercise 1: not yet\n")
    for hint in hints:
        assert hint in out, (hint, out)
    assert "Traceback" not in out and "AssertionError" not in out


def test_cube_right_answer_passes(capsys):
    assert run(capsys, exercises.check_cube, cube_right) == (True, "exercise 1: pass\n")


# ---- exercise 2: the planted bug ---------------------------------------------------------------


def softsign(x, power=2, sign=1.0):
    s = 1.0 + abs(x.data)
    return Value(x.data / s, parents=(x,), local_grads=(sign / s**power,), op="softsign")


def test_softsign_bug_shows_the_whole_gradcheck_table(capsys):
    passed, out = run(capsys, exercises.check_softsign, lambda x: softsign(x, power=1))
    assert not passed and "gradcheck compares your local_grads" in out
    assert "analytic" in out and "numeric" in out and "<-- mismatch" in out  # the table, not cut at the colon
    assert "1/(1 + |x|)²" in out


def test_softsign_from_engine_operators_is_not_the_fix(capsys):
    passed, out = run(capsys, exercises.check_softsign, lambda x: x / (1 + abs(x)))
    assert not passed and "make the node yourself" in out


def test_softsign_fixed_passes(capsys):
    assert run(capsys, exercises.check_softsign, softsign) == (True, "exercise 2: pass\n")


# ---- exercise 3: log-cosh ---------------------------------------------------------------------


def log_cosh(preds, targets, divide_value=True, divide_grad=True, sign=1.0):
    n = len(preds)
    d = [p.data - t for p, t in zip(preds, targets)]
    value = sum(math.log(math.cosh(x)) for x in d) / (n if divide_value else 1)
    grads = tuple(sign * math.tanh(x) / (n if divide_grad else 1) for x in d)
    return Value(value, parents=tuple(preds), local_grads=grads, op="log_cosh")


@pytest.mark.parametrize(
    "answer, hints",
    [
        (lambda p, t: log_cosh(p, t, divide_value=False), ["the SUM", "their MEAN", "divide by n"]),
        (lambda p, t: log_cosh(p, t, divide_grad=False), ["divide them by n (3) too"]),
        (lambda p, t: log_cosh(p, t, sign=-1.0), ["wrong sign"]),
        (lambda p, t: 0.5, ["returned a float, not a Value"]),
        (lambda p, t: sum(math.log(math.cosh(x - y)) for x, y in zip(p, t)), ["TypeError", "math functions take numbers"]),
    ],
)
def test_log_cosh_wrong_answers_are_explained(capsys, answer, hints):
    passed, out = run(capsys, exercises.check_log_cosh, answer)
    assert not passed and out.startswith("exercise 3: not yet\n")
    for hint in hints:
        assert hint in out, (hint, out)


def test_log_cosh_from_value_operations_passes(capsys):
    def from_ops(preds, targets):  # log cosh d = log((eᵈ + e⁻ᵈ)/2), with Value operations only
        terms = [(((p - t).exp() + (t - p).exp()) * 0.5).log() for p, t in zip(preds, targets)]
        return sum(terms) * (1.0 / len(terms))

    assert run(capsys, exercises.check_log_cosh, from_ops)[0]
    assert run(capsys, exercises.check_log_cosh, log_cosh)[0]


# ---- exercise 4: by hand; the reference is the chain rule written out here ---------------------


def by_hand_answer():
    a, b, c, f = 3.0, -1.0, 2.0, 4.0
    e = a * b + c
    return {"L": 1.0, "e": f, "f": e, "d": f, "c": f, "a": f * b, "b": f * a}


def test_by_hand_right_answer_passes(capsys):
    assert run(capsys, exercises.check_by_hand, by_hand_answer()) == (True, "exercise 4: pass\n")


def test_by_hand_wrong_answers_get_a_hint_each(capsys):
    guess = by_hand_answer() | {"a": 3.0, "f": 4.0}  # dL/da = b·dL/dd (not a), dL/df = e (not f)
    passed, out = run(capsys, exercises.check_by_hand, guess)
    assert not passed and "5 of 7 right" in out
    assert "dL/da: you wrote 3.0" in out and "the other factor, b" in out
    assert "dL/df: you wrote 4.0" in out


@pytest.mark.parametrize(
    "guess, hint",
    [
        ({"L": 1.0}, "no entry for 'e'"),
        ({name: ... for name in "Lefdcab"}, "still ..."),
        ([1, 2], "should be a dict"),
        (by_hand_answer() | {"c": "4"}, "should be a number"),
    ],
)
def test_by_hand_malformed_answers(capsys, guess, hint):
    passed, out = run(capsys, exercises.check_by_hand, guess)
    assert not passed and hint in out


# ---- exercise 5: used twice ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "guess, hint",
    [(6.0, "left out the + x"), (1.0, "left out x·x"), (4.0, "x·x uses x twice"), (12.0, "3 edges")],
)
def test_used_twice_wrong_answers_show_the_three_edges(capsys, guess, hint):
    passed, out = run(capsys, exercises.check_used_twice, guess)
    assert not passed and hint in out and "+=" in out
    assert out.count("x.grad +=") == 3  # the three chain-rule steps into x


def test_used_twice_right_answer_passes(capsys):
    assert run(capsys, exercises.check_used_twice, 2 * 3.0 + 1)[0]  # d(x² + x)/dx = 2x + 1


# ---- exercise 6: backward yourself ---------------------------------------------------------------


def order_of(root):
    seen, order, stack = set(), [], [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents)
    return order


def backward_right(root):
    order = order_of(root)
    root.grad = 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad


def backward_assigns(root):
    order = order_of(root)
    root.grad = 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad = local * node.grad


def backward_forwards(root):
    root.grad = 1.0
    for node in order_of(root):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad


def backward_unsorted(root):
    root.grad = 1.0
    seen, stack = {root}, [root]
    while stack:  # visits a node as soon as it is found, before all its children are done
        node = stack.pop(0)
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)


def backward_unseeded(root):
    for node in reversed(order_of(root)):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad


def backward_recursive(root):
    order, seen = [], set()

    def visit(v):
        if v not in seen:
            seen.add(v)
            for p in v.parents:
                visit(p)
            order.append(v)

    visit(root)
    root.grad = 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad


def backward_cheats(root):
    root.backward()


def backward_cheats_by_name(root):
    getattr(root, "back" + "ward")()


@pytest.mark.parametrize(
    "answer, hint",
    [
        (backward_assigns, "parent.grad += …, not parent.grad = …"),
        (backward_forwards, "from the leaves towards the root"),
        (backward_unsorted, "before all of its children"),
        (backward_unseeded, "root.grad = 1.0"),
        (backward_recursive, "RecursionError"),
        (backward_cheats, "uses backward: root.backward() is the engine's own pass"),
        (backward_cheats_by_name, "called the engine's own backward"),
        (lambda root: None, "Nothing started the pass"),
    ],
)
def test_backward_mistakes_are_recognised(capsys, answer, hint):
    passed, out = run(capsys, exercises.check_backward, answer)
    assert not passed and out.startswith("exercise 6: not yet\n") and hint in out, out


def test_backward_written_right_passes_on_every_graph(capsys):
    assert run(capsys, exercises.check_backward, backward_right) == (True, "exercise 6: pass\n")
    assert Value(1.0).backward is not None and (Value(2.0) * 3).backward() is None  # the engine's is back
