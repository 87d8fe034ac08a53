"""The README stays true: its example prints what it says, and CI runs its test command."""

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced_blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_first_example_prints_what_the_readme_says():
    section = README.split("## A first example", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    printed = re.search(r"```text\n(.*?)```", section, flags=re.S).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue() == printed
    # and those numbers are micrograd's, for the same expression
    assert printed.split() == ["24.7041", "138.8338", "645.5773"]


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_command():
    commands = [block.strip() for block in fenced_blocks("bash")[:2]]
    assert commands[0] == "pip install -e . && python -m examples.backprop"
    assert commands[1] == 'pip install -e ".[test]" && pytest'
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci.splitlines()


def test_readme_documents_every_public_name():
    import autograd

    for name in autograd.__all__:
        assert f"`{name}" in README or f"autograd.{name}" in README, name


def test_example_output_excerpts_are_what_the_examples_print(tmp_path):
    """Each ```text block after a `<!-- output: examples.NAME args -->` marker: every line of
    it appears, as is, in what that command prints."""
    import subprocess
    import sys

    blocks = re.findall(r"<!-- output: (\S+)(.*?) -->\n```text\n(.*?)```", README, flags=re.S)
    assert len(blocks) == 4
    for module, args, excerpt in blocks:
        result = subprocess.run([sys.executable, "-m", module, *args.split(), *(["--out", str(tmp_path)]
                                 if module in ("examples.backprop", "examples.moons") else [])],
                                capture_output=True, text=True, cwd=ROOT, check=True)
        printed = result.stdout.splitlines()
        for line in excerpt.splitlines():
            assert line in printed, f"{module}: README line not printed: {line!r}"
