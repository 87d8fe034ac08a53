"""The README stays true: its example prints what it says, and CI runs its test command."""

import contextlib
import io
import math
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced_blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def printed_by_section(heading):
    """Run the first python block after ``heading`` and return (what it printed, the text block after it)."""
    section = README.split(heading, 1)[1]
    code = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    printed = re.search(r"```text\n(.*?)```", section, flags=re.S).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    return out.getvalue(), printed


def test_first_example_prints_what_the_readme_says():
    got, printed = printed_by_section("## A first example")
    assert got == printed
    # and those numbers are micrograd's, for the same expression
    assert printed.split() == ["24.7041", "138.8338", "645.5773"]


def test_your_own_operation_prints_what_the_readme_says():
    got, printed = printed_by_section("### Your own operation")
    assert got == printed
    # the planted bug flips the sign of cos(0.5): the message shows both numbers
    assert f"{-math.cos(0.5):.8g}" in printed and f"{math.cos(0.5):.8g}" in printed


def test_backward_steps_prints_what_the_readme_says():
    got, printed = printed_by_section("## Watching backpropagation")
    assert got == printed
    # and the numbers are the chain rule's, computed here with math: d = tanh(a·b + 1)
    slope = 1 - math.tanh(-5.0) ** 2
    assert f"a.grad = {-3 * slope:.4g}" in printed and f"b.grad = {2 * slope:.4g}" in printed


def test_batched_mode_example_prints_equal_losses():
    got, _ = printed_by_section("## Batched mode")
    batched, per_sample = got.split()
    assert batched == per_sample


def test_every_python_block_runs_in_order_in_one_namespace(tmp_path, monkeypatch):
    """What a reader pastes, top to bottom, into one fresh interpreter works as written."""
    monkeypatch.chdir(tmp_path)  # blocks may write files
    namespace: dict = {}
    blocks = fenced_blocks("python")
    assert len(blocks) >= 6
    for i, code in enumerate(blocks):
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, f"README.md python block {i}", "exec"), namespace)


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
    assert len(blocks) == 5
    runs = [  # all at once: the machine has more than one core
        subprocess.Popen([sys.executable, "-m", module, *args.split(), *(["--out", str(tmp_path / module)]
                          if module in ("examples.backprop", "examples.moons") else [])],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        for module, args, _ in blocks
    ]
    for (module, args, excerpt), run in zip(blocks, runs):
        stdout, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr
        printed = stdout.splitlines()
        for line in excerpt.splitlines():
            assert line in printed, f"{module}: README line not printed: {line!r}"
