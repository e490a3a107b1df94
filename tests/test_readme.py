"""The README's code examples run and do what they claim."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_examples_run(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the examples may write files (the ONNX export does)
    blocks = _python_blocks()
    assert len(blocks) >= 2
    for code in blocks:
        exec(compile(code, str(README), "exec"), {})
    out = capsys.readouterr().out
    accuracy = float(re.search(r"accuracy ([\d.]+)%", out).group(1))
    assert accuracy >= 95.0, out


def test_readme_names_the_test_command_that_ci_runs():
    text = README.read_text()
    ci = (README.parent / ".ci" / "run").read_text()
    assert "python -m pytest" in text and "python -m pytest" in ci
    assert "torch==2.13.0" in text and "torch==2.13.0" in ci
