"""Every notebook runs top to bottom (the README's test command runs them), and each stored
notebook holds its script's cells, so what GitHub shows is what the scripts say."""

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("nbclient")
pytest.importorskip("jupytext")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("notebook_build", ROOT / "notebooks" / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)

import jupytext  # noqa: E402
import nbformat  # noqa: E402

SCRIPTS = build.scripts()


def text_of(notebook) -> str:
    return "\n".join(
        output.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])
    )


def test_there_are_six_notebooks():
    assert [s.stem for s in SCRIPTS] == [
        "01_backprop_from_scratch", "02_the_lesson", "03_exercises", "03_exercises_solutions", "04_batched_digits",
        "05_to_pytorch",
    ]


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_notebook_runs_and_its_stored_copy_matches(script):
    if script.stem == "04_batched_digits":
        pytest.importorskip("sklearn")
    executed = build.execute(script)  # raises CellExecutionError, naming the cell, if any cell fails
    stored = nbformat.read(script.with_suffix(".ipynb"), as_version=4)
    sources = [(c.cell_type, c.source) for c in jupytext.read(script).cells]
    assert [(c.cell_type, c.source) for c in stored.cells] == sources, "run: python notebooks/build.py"
    assert all(c.execution_count for c in stored.cells if c.cell_type == "code"), "stored without its outputs"
    printed = text_of(executed)
    if script.stem == "03_exercises":  # as a student gets it: every checker says what to do, none passes
        assert printed.count(": not yet") == 6 and ": pass" not in printed and "<-- mismatch" in printed
        assert printed.count("Write your answer in its cell") == 4 and printed.count("is still ...") == 2
    if script.stem == "03_exercises_solutions":
        assert [f"exercise {i}: pass" in printed for i in range(1, 7)] == [True] * 6 and "not yet" not in printed
    if script.stem == "01_backprop_from_scratch":
        assert "a: by hand +6.0   backward() +6.0" in printed and "training accuracy 100%" in printed
        assert "a.grad += ∂e/∂a × e.grad = -3 × -2 = 6  →  a.grad = 6" in printed  # backward_step, by hand


def test_pytorch_notebook_steps_aside_without_torch():
    """The PyTorch cells say so and skip when torch cannot be imported."""
    notebook = jupytext.read(ROOT / "notebooks" / "05_to_pytorch.py")
    notebook.cells.insert(0, nbformat.v4.new_code_cell('import sys\nsys.modules["torch"] = None  # as if not installed'))
    from nbclient import NotebookClient

    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    printed = text_of(notebook)
    assert "PyTorch is not installed here" in printed and printed.count("(skipped: PyTorch is not installed)") == 2


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_stored_notebook_shows_its_pictures_as_stored(script):
    """Opened untrusted (as every downloaded notebook is) or on GitHub, a notebook shows no SVG
    and runs no script: every picture output carries a PNG beside its SVG or HTML, and no output
    is an object's bare repr. Every code cell was run and kept what it printed or drew."""
    stored = nbformat.read(script.with_suffix(".ipynb"), as_version=4)
    code = [cell for cell in stored.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code)
    assert sum(len(cell.outputs) for cell in code) >= len(code) // 2, "stored without its outputs"
    for cell in code:
        for output in cell.outputs:
            data = output.get("data", {})
            if "image/svg+xml" in data or "text/html" in data:
                assert "image/png" in data, f"a picture without a PNG in: {cell.source[:60]!r}"
            assert " at 0x" not in data.get("text/plain", ""), f"a bare repr in: {cell.source[:60]!r}"
