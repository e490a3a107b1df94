"""The programs under src/ are run by test_programs.py, never imported by pytest.

test_programs.py is not collected yet: the ports are written and checked against PyTorch,
but the chainrule side has not been run on the merged main (next session turns it on).
"""

collect_ignore = ["src", "test_programs.py"]
