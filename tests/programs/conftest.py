"""The programs under src/ are run by test_programs.py, never imported by pytest."""

collect_ignore = ["src"]
