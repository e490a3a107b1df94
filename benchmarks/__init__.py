"""chainrule vs PyTorch benchmarks (``python benchmarks/run.py --help``)."""
