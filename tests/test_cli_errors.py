"""Every ``chainrule`` command fails in one line: an exit code, one message naming the problem,
no traceback."""

import subprocess
import sys

import pytest

from chainrule.cli import main


def _one_line(capsys, argv):
    code = main(argv)
    err = capsys.readouterr().err.strip()
    return code, err


@pytest.mark.parametrize(
    "argv, code, needle",
    [
        (["diagnose", "NO_SUCH_DIR"], 2, "RUN_DIR"),
        (["lr-find", "--hidden", "abc"], 2, "--hidden"),
        (["lr-find", "--dataset", "nope", "--num-steps", "2"], 2, "--dataset"),
        (["explain", "--layers", "2-x-1"], 2, "--layers"),
        (["explain", "--layers", "3"], 2, "--layers"),
        (["explain", "--weights", "nope.json"], 2, "--weights"),
        (["evaluate", "NO_SUCH_DIR"], 2, "RUN_DIR"),
        (["train", "--epochs", "-1"], 2, "epochs"),
    ],
)
def test_failing_commands_print_one_line(capsys, tmp_path, argv, code, needle):
    # a folder that surely does not exist (as root, /nonexistent may have been made by anyone)
    argv = [str(tmp_path / "missing") if a == "NO_SUCH_DIR" else a for a in argv]
    got, err = _one_line(capsys, argv)
    assert got == code, err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert needle in err and err.startswith("chainrule")


def test_an_unexpected_error_is_one_line(capsys, monkeypatch):
    import chainrule.diagnostics.commands as dc

    def boom(*a, **k):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(dc, "_explain", boom)
    code, err = _one_line(capsys, ["explain"])
    assert code == 1 and err.splitlines() == [
        "chainrule explain: error: RuntimeError: disk on fire "
        "(set CHAINRULE_DEBUG=1 for the traceback)"
    ]


def test_train_zero_epochs_finishes(tmp_path, capsys):
    code = main(["train", "--epochs", "0", "--output", str(tmp_path), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Traceback" not in captured.err


def test_through_the_console_entry(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "chainrule", "diagnose", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
