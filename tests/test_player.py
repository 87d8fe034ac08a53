"""The backward animation's HTML player in a real browser (Chromium): it fits the window with
its controls and caption, answers a presenter's keys, plays and pauses, and shows the numbers
backward() computed, offline."""

import re

import pytest

import nn
from autograd import animate_backward, topological_order
from autograd.steps import format_number
from tests.conftest import needs_dot

pytestmark = needs_dot


def lesson_loss():
    model = nn.MLP(2, [3, 2, 1], activation="tanh", seed=0)  # the lesson's 2 → 3 → 2 → 1 network
    return nn.mse_loss([model([0.5, -1.0])], [1.0])


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    loss = lesson_loss()
    animation = animate_backward(loss)
    path = tmp_path_factory.mktemp("player") / "lesson.html"
    animation.save(path)
    return path, animation, loss


def count(page):
    return page.locator(".cr-count").inner_text()


@pytest.mark.parametrize("width, height", [(1366, 768), (1920, 1080)])
def test_graph_controls_and_caption_fit_the_window_together(saved, page_of, width, height):
    path, animation, _ = saved
    page = page_of(path.as_uri(), width, height)
    for part in (".cr-stage svg", ".cr-controls", ".cr-caption"):
        box = page.locator(f".cr-player {part}").bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0, part
        assert box["x"] + box["width"] <= width + 1 and box["y"] + box["height"] <= height + 1, (part, box)
    assert page.locator(".cr-stage svg").bounding_box()["height"] > height * 0.25  # the picture is not a stamp
    assert count(page) == f"1 / {len(animation)}"
    assert page.errors == [] and page.outside == []
    assert page.locator(".cr-stage img").count() == 0  # the still picture gave way to the live one


def test_a_presenters_keys_move_through_the_frames(saved, page_of):
    path, animation, _ = saved
    page = page_of(path.as_uri())
    n = len(animation)
    for key, expected in [
        ("Space", 2), ("ArrowRight", 3), ("PageDown", 4), ("ArrowLeft", 3), ("PageUp", 2), ("End", n), ("Home", 1),
    ]:
        page.keyboard.press(key)
        assert count(page) == f"{expected} / {n}", key
    assert page.errors == []


def test_frames_show_the_gradients_backward_computed_with_red_edges_and_arrowheads(saved, page_of):
    path, animation, loss = saved
    page = page_of(path.as_uri())
    texts = page.locator(".cr-stage svg text").evaluate_all("els => els.map(e => e.textContent)")
    fields = [t for t in texts if t.startswith("grad ") and not t.startswith("grad =")]  # not the caption
    assert fields and set(fields) == {"grad —"}  # frame 1: nothing computed yet
    page.keyboard.press("Space")
    page.keyboard.press("Space")  # the output passes its gradient on
    assert page.locator(".cr-active").count() == 2  # the node and its operation
    flowing = page.locator(".cr-flow")
    assert flowing.count() >= 2
    arrowheads = page.locator(".cr-flow > polygon")
    assert arrowheads.count() == flowing.count()  # every red edge keeps its arrowhead
    assert arrowheads.first.evaluate("el => getComputedStyle(el).fill") == "rgb(192, 57, 43)"
    assert "passes its gradient" in page.locator(".cr-caption").inner_text()
    page.keyboard.press("End")
    shown = page.locator(".cr-stage svg text").evaluate_all("els => els.map(e => e.textContent)")
    grads = sorted(t for t in shown if t.startswith("grad ") and not t.startswith("grad ="))
    expected = sorted(f"grad {format_number(v.grad)}" for v in topological_order(loss) if v.label or v.parents)
    assert grads == expected  # the last frame: every gradient backward() computed, and nothing else


def test_play_advances_and_pause_stops_at_any_speed(saved, page_of):
    path, animation, _ = saved
    page = page_of(path.as_uri())
    page.select_option(".cr-controls select", "4")
    page.get_by_role("button", name="play").click()
    page.wait_for_function("document.querySelector('.cr-count').textContent.split(' / ')[0] > 2", timeout=5000)
    page.get_by_role("button", name="pause").click()
    stopped = count(page)
    page.wait_for_timeout(700)
    assert count(page) == stopped
    page.get_by_role("button", name="zoom").click()
    assert "cr-zoomed" in page.locator(".cr-player").get_attribute("class")
    assert page.errors == []


def test_without_scripts_the_player_is_a_still_picture_of_the_last_frame(saved, browser):
    path, animation, _ = saved
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(path.as_uri())
    assert page.locator(".cr-stage img").is_visible()
    assert not page.locator(".cr-controls").is_visible()  # no dead buttons
    assert "Done" in page.locator(".cr-caption").inner_text()
    assert page.locator(".cr-stage img").evaluate("img => img.naturalWidth") > 500
    context.close()
    assert re.search(r"^<!DOCTYPE html>", path.read_text())
