"""Backpropagation made visible: detect, name, explain and draw the problems of training.

* :func:`check_training` / :class:`GradientMonitor`: gradient flow per layer, update ratios,
  activation statistics; findings for vanishing / exploding gradients, dead ReLUs, saturated
  activations, learning rate too high / too low, NaN/Inf (with the op and line).
* :class:`OverfittingMonitor`: validation loss rising while training loss falls.
* :func:`lr_find`: the learning-rate range test.
* :func:`explain`: one training step of a small network by hand, with the engine's numbers.
* :func:`write_report`: the self-contained HTML report of a run folder.
* ``chainrule.viz.draw_graph``: the computational graph as DOT.

Matplotlib is imported only when a plot is drawn.

Example:
    >>> from chainrule.diagnostics import Finding
    >>> Finding("vanishing", ["0"], "tiny gradients").title
    'Vanishing gradients'
"""

from chainrule.diagnostics.findings import KINDS, REMEDIES, DiagnosticWarning, Finding
from chainrule.diagnostics.monitor import GradientMonitor, Thresholds
from chainrule.diagnostics.check import check_training
from chainrule.diagnostics.overfitting import OverfittingMonitor
from chainrule.diagnostics.lr_finder import LRFinderResult, lr_find
from chainrule.diagnostics.explain import Explanation, explain, load_weights_json, make_network
from chainrule.diagnostics.report import load_run, merge_diagnostics, write_report

__all__ = [
    "KINDS",
    "REMEDIES",
    "DiagnosticWarning",
    "Explanation",
    "Finding",
    "GradientMonitor",
    "LRFinderResult",
    "OverfittingMonitor",
    "Thresholds",
    "check_training",
    "explain",
    "load_run",
    "load_weights_json",
    "lr_find",
    "make_network",
    "merge_diagnostics",
    "write_report",
]
