"""nn.summary: rows, output shapes, parameter counts and totals."""

import chainrule
from chainrule import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 6)
        self.gain = nn.Parameter(chainrule.ones(6))

    def forward(self, x):
        return self.fc(x).relu() * self.gain


def test_summary_counts_and_shapes(capsys):
    model = nn.Sequential(
        nn.Flatten(), nn.Linear(12, 6), Block(), nn.Linear(6, 3, bias=False), nn.Softmax(dim=1)
    )
    model[3].weight.requires_grad_(False)
    text = nn.summary(model, (3, 4), batch_size=5)
    assert capsys.readouterr().out.strip() == text.strip()
    lines = text.splitlines()
    rows = {ln.split()[0]: ln for ln in lines if ln[:1].isdigit()}
    assert list(rows) == ["0", "1", "2", "2.fc", "3", "4"]
    assert "(5, 12)" in rows["0"] and "(5, 6)" in rows["1"] and "(5, 3)" in rows["4"]
    # counts: hand-computed (each row counts the parameters the module owns directly)
    assert rows["1"].split()[-1] == "78"  # 12 * 6 + 6
    assert rows["2"].split()[-1] == "6"  # Block.gain
    assert rows["2.fc"].split()[-1] == "42"  # 6 * 6 + 6
    assert rows["3"].split()[-1] == "18"
    total = 78 + 6 + 42 + 18
    assert f"Total params: {total}" in text
    assert f"Trainable params: {total - 18}" in text
    assert "Non-trainable params: 18" in text
    assert "Block" in rows["2"] and "Linear" in rows["2.fc"]
    assert sum(int(r.split()[-1].replace(",", "")) for r in rows.values()) == total


def test_summary_restores_mode_and_int_inputs():
    model = nn.Sequential(nn.Embedding(10, 4), nn.Dropout(0.5), nn.Linear(4, 2))
    model.train()
    state = chainrule.get_rng_state()
    text = nn.summary(model, (7,), dtype=chainrule.int64, batch_size=2, print_fn=None)
    assert all(m.training for m in model.modules())
    assert chainrule.get_rng_state() == state  # does not consume the global random stream
    assert "(2, 7, 4)" in text and "(2, 7, 2)" in text
    assert "Total params: 50" in text
    assert not model[0]._forward_hooks and not model[0]._forward_pre_hooks


def test_summary_multiple_inputs_and_shared():
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, a, b):
            return self.fc(self.fc(a) + b), a

    text = nn.summary(Two(), [(3,), (3,)], print_fn=None)
    assert text.count("fc (Linear)") == 2  # called twice
    assert "Total params: 12" in text
