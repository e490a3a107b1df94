"""Real datasets bundled with chainrule (no download): ``load_digits`` and
``load_breast_cancer``. The files live in ``chainrule/data/datasets/files/`` (see its README for
sources and licenses).

Example:
    >>> from chainrule.data.datasets import load_digits
    >>> ds = load_digits()
    >>> len(ds), len(ds.target_names)
    (1797, 10)
"""

from chainrule.data.datasets.bundled import LabeledDataset, load_breast_cancer, load_digits

__all__ = ["LabeledDataset", "load_breast_cancer", "load_digits"]
