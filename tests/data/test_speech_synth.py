"""Speech features and the synthesized speech-command set (chainrule.data.datasets.speech)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from chainrule.data.datasets import speech
from chainrule.data.datasets.speech import (
    SYNTH_VERSION,
    cmvn,
    load_synth_commands,
    log_mel_spectrogram,
    stft,
    synth_voices,
    synthesize_commands,
    write_wav,
)


def test_cmvn_removes_fixed_gain_and_filter():
    rng = np.random.default_rng(0)
    S = rng.normal(size=(3, 1, 40, 101)).astype(np.float32)
    colour = rng.normal(size=(3, 1, 40, 1)) * 4  # per clip: a gain and a filter (log domain)
    np.testing.assert_allclose(cmvn(S + colour), cmvn(S), atol=1e-5)
    np.testing.assert_allclose(cmvn(S).mean(-1), 0, atol=1e-5)
    np.testing.assert_allclose(cmvn(S, variance=True).std(-1), 1, atol=1e-3)
    assert cmvn(S).dtype == np.float32


def test_stft_and_log_mel_accept_batches():
    x = np.random.default_rng(1).normal(size=(2, 3, 4000))
    batch = stft(x, n_fft=256, hop_length=100)
    assert batch.shape == (2, 3, 129, 41)
    np.testing.assert_allclose(batch[1, 2], stft(x[1, 2], n_fft=256, hop_length=100))
    S = log_mel_spectrogram(x[0], 16000)
    assert S.shape == (3, 40, 26)
    np.testing.assert_allclose(S[1], log_mel_spectrogram(x[0, 1], 16000), rtol=1e-5)
    with pytest.raises(ValueError):
        stft(np.float64(1.0))


def test_load_synth_commands_waveforms_and_voice_names(tmp_path):
    root = tmp_path / "synth"
    clips = []
    rng = np.random.default_rng(0)
    for w in ("on", "off"):
        (root / w).mkdir(parents=True)
        for eng, voice in (("espeak-ng", "en-us+m1"), ("espeak-ng", "en-us+Andy"),
                           ("espeak-ng", "en-029+Andy"), ("flite", "awb"),
                           ("festival", "ked_diphone")):  # fmt: skip
            f = f"{w}/{eng}_{voice}.wav"
            write_wav(root / f, rng.uniform(-0.5, 0.5, 16000), 16000)
            clips.append({"file": f, "word": w, "engine": eng, "voice": voice})
    meta = {"version": SYNTH_VERSION, "words": ["on", "off"], "clips": clips}
    (root / "index.json").write_text(json.dumps(meta))
    for _ in range(2):  # second time from the feature cache
        d = load_synth_commands(str(root), waveforms=True)
        assert d["W_train"].shape == (4, 16000) and d["W_test"].shape == (6, 16000)
        assert d["W_train"].dtype == np.float32
        np.testing.assert_allclose(
            log_mel_spectrogram(d["W_train"][0], 16000), d["X_train"][0, 0], rtol=1e-4, atol=1e-4
        )
        assert set(d["train_clip_voices"]) == {"espeak-ng:en-us+m1", "espeak-ng:en-us+Andy"}
        assert set(d["test_clip_voices"]) == set(d["test_voices"])
        assert "festival:ked_diphone" in d["test_voices"]
    assert "W_train" not in load_synth_commands(str(root))


def test_synth_voices_extra():
    base, extra = synth_voices(), synth_voices(extra=True)
    assert all(v in extra for v in base)
    if shutil.which("espeak-ng"):
        assert len(extra) > len(base)
        assert {"engine": "espeak-ng", "voice": "en-us-nyc+m1"} in extra


@pytest.mark.skipif(
    not all(shutil.which(t) for t in ("espeak-ng", "flite", "sox")),
    reason="needs espeak-ng, flite and sox",
)
def test_synthesize_commands_per_clip_seeds_and_version(tmp_path, monkeypatch):
    voices = [{"engine": "espeak-ng", "voice": "en-us+m1"}, {"engine": "flite", "voice": "kal"}]
    monkeypatch.setattr(speech, "synth_voices", lambda extra=False: list(voices))
    root = tmp_path / "s"
    synthesize_commands(str(root), ("on",), speeds=(150,), pitches=(50,), augment=1)
    idx = json.loads((root / "index.json").read_text())
    assert idx["version"] == SYNTH_VERSION
    assert [c["file"] for c in idx["clips"]] == [
        "on/espeak-ng_en-us-m1_0.wav", "on/flite_kal_0.wav", "on/flite_kal_1.wav"
    ]  # fmt: skip
    first = (root / "on" / "flite_kal_1.wav").read_bytes()
    # a fresh run with one more voice in front: the others' clips are drawn the same
    voices.insert(0, {"engine": "espeak-ng", "voice": "en-gb+f1"})
    other = tmp_path / "t"
    synthesize_commands(str(other), ("on",), speeds=(150,), pitches=(50,), augment=1)
    assert (other / "on" / "flite_kal_1.wav").read_bytes() == first
    # other options: the old clips are removed, not mixed in
    (root / "on" / "espeak-ng_stale_0.wav").write_bytes(b"x")
    synthesize_commands(str(root), ("on",), speeds=(150,), pitches=(50,), augment=0)
    assert not (root / "on" / "espeak-ng_stale_0.wav").exists()
    assert not (root / "on" / "flite_kal_1.wav").exists()
    d = load_synth_commands(str(root), test_voices=lambda c: c["engine"] == "flite")
    assert d["X_train"].shape == (2, 1, 40, 101) and d["X_test"].shape == (1, 1, 40, 101)
