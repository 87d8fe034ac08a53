"""Run every notebook and store it with its outputs.

The notebooks are written as jupytext "percent" scripts (``NN_name.py``: readable diffs);
each is paired with ``NN_name.ipynb``, the same cells with the outputs of a real run, which
GitHub shows with its pictures.  After editing a script, rebuild its notebook:

    python notebooks/build.py                 # every notebook
    python notebooks/build.py 02_the_lesson   # one

The test suite runs the scripts the same way (tests/test_notebooks.py) and checks that each
stored notebook holds the script's cells.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def scripts() -> list[Path]:
    return sorted(p for p in HERE.glob("[0-9][0-9]_*.py"))


def execute(script: Path, timeout: int = 300) -> nbformat.NotebookNode:
    """The notebook of ``script``, every cell run in a fresh kernel (working directory: notebooks/)."""
    notebook = jupytext.read(script)
    NotebookClient(notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
    return notebook


def main(names: list[str]) -> None:
    for script in scripts():
        if names and script.stem not in names:
            continue
        notebook = execute(script)
        target = script.with_suffix(".ipynb")
        nbformat.write(notebook, target)
        print(f"wrote {target.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main(sys.argv[1:])
