"""Spoken command words: WAV reading/writing, log-mel spectrogram features in NumPy (our own STFT
and mel filterbank), Google's Speech Commands folder layout, and a speech-command data set
synthesized offline with Debian's ``espeak-ng``, ``flite`` and ``festival`` (plus ``sox``).

Example:
    >>> import numpy as np
    >>> from chainrule.data.datasets.speech import log_mel_spectrogram
    >>> log_mel_spectrogram(np.zeros(16000, np.float32), 16000).shape
    (40, 101)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.data.dataset import Dataset
from chainrule.data.datasets._common import DatasetNotFoundError, cache_dir

__all__ = [
    "SPEECH_COMMANDS_HOW",
    "SYNTH_HOW",
    "SYNTH_VERSION",
    "SpeechCommands",
    "cmvn",
    "hz_to_mel",
    "load_synth_commands",
    "log_mel_spectrogram",
    "mel_filterbank",
    "mel_to_hz",
    "read_wav",
    "stft",
    "synth_voices",
    "synthesize_commands",
    "write_wav",
]

SPEECH_COMMANDS_HOW = (
    "download http://download.tensorflow.org/data/speech_commands_v0.02.tar.gz and unpack it "
    "into ~/.cache/chainrule/speech_commands (needs network)"
)
SYNTH_HOW = (
    "sudo apt-get install -y --no-install-recommends espeak-ng flite sox "
    "festival festvox-kallpc16k festvox-kdlpc16k\n"
    "then: python3 scripts/make_speech_commands.py   "
    "(or chainrule.data.datasets.speech.synthesize_commands())"
)

# --------------------------------------------------------------------------------------- WAV I/O


def read_wav(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Read a RIFF/WAVE file: PCM 8/16/24/32-bit or IEEE float 32/64, any channel count
    (``WAVE_FORMAT_EXTENSIBLE`` too). Returns ``(samples, sample_rate)`` with samples float32 in
    [-1, 1], shape ``(n,)`` for mono or ``(n, channels)``.

    Example:
        >>> import os, tempfile, numpy as np
        >>> from chainrule.data.datasets.speech import read_wav, write_wav
        >>> p = os.path.join(tempfile.mkdtemp(), "a.wav")
        >>> write_wav(p, np.array([0.0, 0.5, -0.5], np.float32), 8000)
        >>> x, sr = read_wav(p)
        >>> sr, np.round(x, 3).tolist()
        (8000, [0.0, 0.5, -0.5])
    """
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(f"{path}: not a RIFF/WAVE file")
    pos, fmt, payload = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = data[pos + 8 : pos + 8 + size]
        if cid == b"fmt ":
            fmt = body
        elif cid == b"data":
            payload = body  # sox may write size 0xFFFFFFFF when streaming: take what is there
            break
        pos += 8 + size + (size & 1)
    if fmt is None or payload is None or len(fmt) < 16:
        raise ValueError(f"{path}: WAV file without a 'fmt ' or 'data' chunk")
    tag, channels, rate, _, block, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == 0xFFFE and len(fmt) >= 26:  # WAVE_FORMAT_EXTENSIBLE: the real tag is in the GUID
        tag = struct.unpack("<H", fmt[24:26])[0]
    width = bits // 8
    n = len(payload) // (width * channels) * width * channels
    raw = payload[:n]
    if tag == 1:
        if width == 1:
            x = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0) / 128.0
        elif width == 2:
            x = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
        elif width == 3:
            b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
            v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
            v = np.where(v >= 1 << 23, v - (1 << 24), v)
            x = v.astype(np.float32) / float(1 << 23)
        elif width == 4:
            x = (np.frombuffer(raw, "<i4").astype(np.float64) / 2147483648.0).astype(np.float32)
        else:
            raise ValueError(f"{path}: unsupported PCM sample width {bits} bits")
    elif tag == 3 and width in (4, 8):
        x = np.frombuffer(raw, "<f4" if width == 4 else "<f8").astype(np.float32)
    else:
        raise ValueError(f"{path}: unsupported WAV format tag {tag} ({bits} bits)")
    if channels > 1:
        x = x.reshape(-1, channels)
    return x, int(rate)


def write_wav(path: str | os.PathLike, samples: np.ndarray, sample_rate: int) -> None:
    """Write mono or ``(n, channels)`` float samples in [-1, 1] as 16-bit PCM WAV.

    Example:
        >>> import os, tempfile, numpy as np
        >>> from chainrule.data.datasets.speech import write_wav
        >>> p = os.path.join(tempfile.mkdtemp(), "z.wav")
        >>> write_wav(p, np.zeros(10), 16000); os.path.getsize(p)
        64
    """
    x = np.asarray(samples, dtype=np.float64)
    channels = 1 if x.ndim == 1 else x.shape[1]
    pcm = np.clip(np.rint(x * 32768.0), -32768, 32767).astype("<i2").tobytes()
    fmt = struct.pack(
        "<HHIIHH", 1, channels, sample_rate, sample_rate * 2 * channels, 2 * channels, 16
    )
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(pcm)) + b"WAVE")
        f.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt)
        f.write(b"data" + struct.pack("<I", len(pcm)) + pcm)


# -------------------------------------------------------------------------------------- features


def hz_to_mel(f: Any) -> Any:
    """HTK mel scale: ``2595 * log10(1 + f / 700)``.

    Example:
        >>> from chainrule.data.datasets.speech import hz_to_mel
        >>> round(float(hz_to_mel(1000.0)))
        1000
    """
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m: Any) -> Any:
    """Inverse of :func:`hz_to_mel`.

    Example:
        >>> from chainrule.data.datasets.speech import mel_to_hz
        >>> round(float(mel_to_hz(1000.0)))
        1000
    """
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(
    sample_rate: int, n_fft: int, n_mels: int = 40, fmin: float = 20.0, fmax: float | None = None
) -> np.ndarray:
    """Triangular mel filters, shape ``(n_mels, n_fft // 2 + 1)``: filter ``m`` rises linearly
    from mel point ``m`` to ``m + 1`` and falls to ``m + 2`` (``n_mels + 2`` points equally
    spaced on the HTK mel scale between ``fmin`` and ``fmax``, default Nyquist). Peak 1.

    Example:
        >>> from chainrule.data.datasets.speech import mel_filterbank
        >>> fb = mel_filterbank(16000, 512, n_mels=40)
        >>> fb.shape, float(fb.max()) <= 1.0
        ((40, 257), True)
    """
    fmax = sample_rate / 2 if fmax is None else fmax
    freqs = np.linspace(0.0, sample_rate / 2, n_fft // 2 + 1)
    pts = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    lo, mid, hi = pts[:-2, None], pts[1:-1, None], pts[2:, None]
    up = (freqs[None] - lo) / (mid - lo)
    down = (hi - freqs[None]) / (hi - mid)
    return np.maximum(0.0, np.minimum(up, down)).astype(np.float32)


def stft(
    x: np.ndarray,
    n_fft: int = 512,
    hop_length: int = 160,
    win_length: int | None = None,
    center: bool = True,
) -> np.ndarray:
    """Short-time Fourier transform with a periodic Hann window of ``win_length`` (default
    ``n_fft``) samples, zero-padded to ``n_fft``; frames every ``hop_length`` samples; with
    ``center`` the signal is zero-padded by ``n_fft // 2`` on both sides (as torch.stft /
    librosa). Returns complex ``(n_fft // 2 + 1, n_frames)``.

    Example:
        >>> import numpy as np
        >>> from chainrule.data.datasets.speech import stft
        >>> stft(np.ones(1000), n_fft=256, hop_length=100).shape
        (129, 11)
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 0:
        raise ValueError(f"stft: expected a 1-d signal (or a batch of them), got shape {x.shape}")
    if x.ndim > 1:  # a batch: (..., n) -> (..., n_fft // 2 + 1, n_frames)
        flat = x.reshape(-1, x.shape[-1])
        out = np.stack([stft(r, n_fft, hop_length, win_length, center) for r in flat])
        return out.reshape(*x.shape[:-1], *out.shape[1:])
    win_length = n_fft if win_length is None else win_length
    if win_length > n_fft:
        raise ValueError(f"stft: win_length {win_length} > n_fft {n_fft}")
    window = np.zeros(n_fft)
    off = (n_fft - win_length) // 2
    window[off : off + win_length] = 0.5 - 0.5 * np.cos(
        2 * np.pi * np.arange(win_length) / win_length
    )
    if center:
        x = np.pad(x, (n_fft // 2, n_fft // 2))
    if len(x) < n_fft:
        x = np.pad(x, (0, n_fft - len(x)))
    n_frames = 1 + (len(x) - n_fft) // hop_length
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop_length][:n_frames]
    return np.fft.rfft(frames * window, axis=1).T


def log_mel_spectrogram(
    x: np.ndarray,
    sample_rate: int,
    *,
    n_fft: int = 512,
    hop_length: int | None = None,
    win_length: int | None = None,
    n_mels: int = 40,
    fmin: float = 20.0,
    fmax: float | None = None,
    eps: float = 1e-6,
) -> np.ndarray:
    """``log(mel_filterbank @ |stft(x)|^2 + eps)``, float32 of shape ``(n_mels, n_frames)``.
    Defaults: 25 ms windows (``win_length = sample_rate // 40``), 10 ms hop, 40 mel bands;
    1 s at 16 kHz gives 101 frames.

    Example:
        >>> import numpy as np
        >>> from chainrule.data.datasets.speech import log_mel_spectrogram, mel_filterbank
        >>> t = np.arange(16000) / 16000
        >>> S = log_mel_spectrogram(np.sin(2 * np.pi * 1000 * t), 16000)
        >>> int(S.mean(axis=1).argmax()) == int(mel_filterbank(16000, 512)[:, 32].argmax())
        True
    """
    hop = sample_rate // 100 if hop_length is None else hop_length
    win = min(n_fft, sample_rate // 40) if win_length is None else win_length
    spec = stft(np.asarray(x, dtype=np.float64), n_fft, hop, win)
    power = spec.real**2 + spec.imag**2
    fb = mel_filterbank(sample_rate, n_fft, n_mels, fmin, fmax).astype(np.float64)
    return np.log(fb @ power + eps).astype(np.float32)


def cmvn(features: np.ndarray, *, variance: bool = False, eps: float = 1e-5) -> np.ndarray:
    """Per-utterance cepstral mean (and variance) normalisation: subtract from every channel
    (mel band) its mean over time (last axis), and with ``variance`` divide by its standard
    deviation. On log-mel features this removes any fixed gain and any fixed filter (microphone,
    vocoder or synthesizer colouring), which are additive per band in the log domain.

    Example:
        >>> import numpy as np
        >>> from chainrule.data.datasets.speech import cmvn
        >>> S = np.random.default_rng(0).normal(size=(40, 101))
        >>> tilt = np.linspace(-3, 3, 40)[:, None]   # a fixed EQ, additive in log-mel
        >>> bool(np.allclose(cmvn(S + tilt), cmvn(S), atol=1e-6))
        True
    """
    S = np.asarray(features, dtype=np.float32)
    S = S - S.mean(axis=-1, keepdims=True)
    if variance:
        S = S / (S.std(axis=-1, keepdims=True) + eps)
    return S


def _fix_length(x: np.ndarray, n: int) -> np.ndarray:
    return x[:n] if len(x) >= n else np.pad(x, (0, n - len(x)))


# ------------------------------------------------------------------------ Google Speech Commands


class SpeechCommands(Dataset):
    """Google's Speech Commands (Warden 2018, CC BY 4.0) from its unpacked folder:
    ``root/<word>/<speaker>_nohash_<n>.wav`` plus ``validation_list.txt`` and
    ``testing_list.txt`` (paths relative to ``root``); training = every other clip.
    ``_background_noise_`` is skipped.

    Item ``i`` is ``(features, label)``: by default the waveform padded/cut to 1 s as a float32
    tensor ``(1, 16000)``; ``features="logmel"`` gives ``(1, n_mels, 101)`` log-mel images;
    ``transform`` (waveform array -> anything) overrides both.

    Args:
        root: the folder (default ``~/.cache/chainrule/speech_commands``).
        subset: ``"training"``, ``"validation"`` or ``"testing"``.
        words: keep only these words (label = position); default all, sorted.

    Example:
        >>> import os, tempfile, numpy as np
        >>> from chainrule.data.datasets.speech import SpeechCommands, write_wav
        >>> root = tempfile.mkdtemp()
        >>> for w in ("on", "off"):
        ...     os.makedirs(os.path.join(root, w))
        ...     for s in ("a", "b"):
        ...         write_wav(os.path.join(root, w, f"{s}_nohash_0.wav"), np.zeros(800), 16000)
        >>> _ = open(os.path.join(root, "testing_list.txt"), "w").write("on/b_nohash_0.wav\\n")
        >>> _ = open(os.path.join(root, "validation_list.txt"), "w").write("")
        >>> ds = SpeechCommands(root, "training")
        >>> len(ds), ds.classes, tuple(ds[0][0].shape)
        (3, ['off', 'on'], (1, 16000))
    """

    def __init__(
        self,
        root: str | None = None,
        subset: str = "training",
        words: Sequence[str] | None = None,
        *,
        features: str = "waveform",
        n_mels: int = 40,
        transform: Callable[[np.ndarray], Any] | None = None,
        sample_rate: int = 16000,
    ) -> None:
        if subset not in ("training", "validation", "testing"):
            raise ValueError(
                f"subset must be 'training', 'validation' or 'testing', got {subset!r}"
            )
        if features not in ("waveform", "logmel"):
            raise ValueError(f"features must be 'waveform' or 'logmel', got {features!r}")
        root = cache_dir("speech_commands", root)
        if not os.path.isdir(root):
            raise DatasetNotFoundError("speech_commands", SPEECH_COMMANDS_HOW, looked=[root])
        all_words = sorted(
            d
            for d in os.listdir(root)
            if os.path.isdir(os.path.join(root, d)) and not d.startswith("_")
        )
        self.classes = list(words) if words is not None else all_words
        missing = [w for w in self.classes if w not in all_words]
        if missing:
            raise ValueError(f"SpeechCommands: no folder for words {missing} in {root}")

        def listed(name: str) -> set[str]:
            p = os.path.join(root, name)
            if not os.path.isfile(p):
                return set()
            with open(p) as f:
                return {ln.strip().replace("\\", "/") for ln in f if ln.strip()}

        val, test = listed("validation_list.txt"), listed("testing_list.txt")
        self.files: list[str] = []
        self.labels: list[int] = []
        for k, w in enumerate(self.classes):
            for fn in sorted(os.listdir(os.path.join(root, w))):
                if not fn.lower().endswith(".wav"):
                    continue
                rel = f"{w}/{fn}"
                where = "testing" if rel in test else "validation" if rel in val else "training"
                if where == subset:
                    self.files.append(os.path.join(root, w, fn))
                    self.labels.append(k)
        self.root, self.subset = root, subset
        self.features, self.n_mels = features, n_mels
        self.transform, self.sample_rate = transform, sample_rate

    def __len__(self) -> int:
        return len(self.files)

    def speaker(self, i: int) -> str:
        """Speaker id of item ``i`` (the file name before ``_nohash_``)."""
        return os.path.basename(self.files[i]).split("_nohash_")[0]

    def __getitem__(self, i: int) -> tuple[Any, int]:
        x, sr = read_wav(self.files[i])
        if x.ndim > 1:
            x = x.mean(axis=1)
        if sr != self.sample_rate:
            raise ValueError(f"{self.files[i]}: sample rate {sr}, expected {self.sample_rate}")
        x = _fix_length(x, self.sample_rate)
        if self.transform is not None:
            return self.transform(x), self.labels[i]
        if self.features == "logmel":
            feats = log_mel_spectrogram(x, sr, n_mels=self.n_mels)[None]
            return Tensor._wrap(feats), self.labels[i]
        return Tensor._wrap(x[None].astype(np.float32)), self.labels[i]


# ------------------------------------------------------------------------ synthesized commands

_ESPEAK_ACCENTS = [
    "en-us",
    "en-gb",
    "en-gb-scotland",
    "en-gb-x-rp",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
    "en-029",
]
_ESPEAK_VARIANTS = [
    "m1",
    "m2",
    "m3",
    "m4",
    "m5",
    "m6",
    "m7",
    "f1",
    "f2",
    "f3",
    "f4",
    "f5",
    "klatt",
    "klatt2",
    "klatt3",
    "croak",
    "whisper",
]
_ESPEAK_EXTRA_VARIANTS = [  # espeak-ng 1.51's other voice variants (!v/), used with extra=True
    "Alex", "Alicia", "Andrea", "Andy", "Annie", "AnxiousAndy", "Demonic", "Denis", "Diogo",
    "Gene", "Gene2", "Henrique", "Hugo", "Jacky", "Lee", "Marco", "Mario", "Michael", "Mike",
    "Nguyen", "RicishayMax", "RicishayMax2", "RicishayMax3", "Storm", "Tweaky", "UniRobot",
    "adam", "anika", "anikaRobot", "announcer", "antonio", "aunty", "belinda", "benjamin",
    "boris", "caleb", "david", "ed", "edward", "edward2", "grandma", "grandpa", "gustave",
    "iven", "iven2", "iven3", "iven4", "john", "kaukovalta", "klatt4", "klatt5", "klatt6",
    "linda", "m8", "marcelo", "max", "michel", "miguel", "norbert", "pablo", "paul", "pedro",
    "quincy", "rob", "robert", "robosoft", "robosoft2", "robosoft3", "robosoft4", "robosoft5",
    "robosoft6", "robosoft7", "robosoft8", "sandro", "shelby", "steph", "steph2", "steph3",
    "travis", "victor", "whisperf", "zac",
]  # fmt: skip
_ESPEAK_EXTRA_ACCENTS = [("en-us-nyc", "gmw/en-US-nyc")]  # (accent, its file under lang/)
_FLITE_VOICES = ["kal", "kal16", "awb", "rms", "slt"]  # (awb_time is awb: left out)
_FESTIVAL_VOICES = ["kal_diphone", "ked_diphone"]
SYNTH_VERSION = 2  # bump when synthesize_commands' defaults change what it writes


def _espeak_data_dir() -> str | None:
    for d in (
        "/usr/lib/x86_64-linux-gnu/espeak-ng-data",
        "/usr/lib/aarch64-linux-gnu/espeak-ng-data",
        "/usr/share/espeak-ng-data",
    ):
        if os.path.isdir(os.path.join(d, "voices", "!v")):
            return d
    return None


def synth_voices(extra: bool = False) -> list[dict[str, str]]:
    """The voices this machine can synthesize: every espeak-ng accent x variant, flite's built-in
    voices and installed festival voices (each a dict with ``engine`` and ``voice``). With
    ``extra``, also espeak-ng's other ~80 voice variants (those installed) and the en-us-nyc
    accent.

    Example:
        >>> from chainrule.data.datasets.speech import synth_voices
        >>> all(v["engine"] in ("espeak-ng", "flite", "festival") for v in synth_voices())
        True
        >>> len(synth_voices(extra=True)) >= len(synth_voices())
        True
    """
    out: list[dict[str, str]] = []
    if shutil.which("espeak-ng"):
        out += [
            {"engine": "espeak-ng", "voice": f"{a}+{v}"}
            for a in _ESPEAK_ACCENTS
            for v in _ESPEAK_VARIANTS
        ]
        if extra:
            # espeak-ng quietly falls back to its default voice for unknown names: use only the
            # variants and accents whose files are there
            d = _espeak_data_dir()
            variants = [
                v
                for v in _ESPEAK_EXTRA_VARIANTS
                if d is not None and os.path.isfile(os.path.join(d, "voices", "!v", v))
            ]
            accents = [
                a
                for a, f in _ESPEAK_EXTRA_ACCENTS
                if d is not None and os.path.isfile(os.path.join(d, "lang", f))
            ]
            out += [
                {"engine": "espeak-ng", "voice": f"{a}+{v}"}
                for a in _ESPEAK_ACCENTS + accents
                for v in (variants if a in _ESPEAK_ACCENTS else _ESPEAK_VARIANTS + variants)
            ]
    if shutil.which("flite"):
        out += [{"engine": "flite", "voice": v} for v in _FLITE_VOICES]
    if shutil.which("text2wave"):
        for v in _FESTIVAL_VOICES:
            if os.path.isdir(f"/usr/share/festival/voices/english/{v}"):
                out.append({"engine": "festival", "voice": v})
    return out


def _run(cmd: list[str], **kw: Any) -> None:
    r = subprocess.run(cmd, capture_output=True, timeout=60, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {r.stderr.decode(errors='replace')[:300]}")


def _synth_one(engine: str, voice: str, word: str, speed: int, pitch: int, out: str) -> None:
    if engine == "espeak-ng":
        _run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", out, word])
    elif engine == "flite":
        _run(["flite", "-voice", voice, "-t", word, "-o", out])
    elif engine == "festival":
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(word)
        try:
            _run(["text2wave", "-eval", f"(voice_{voice})", "-o", out, f.name])
        finally:
            os.remove(f.name)
    else:
        raise ValueError(f"unknown engine {engine!r}")


def _rng(seed: int, *key: Any) -> np.random.Generator:
    """A generator of its own per (seed, key...): adding voices leaves other clips unchanged."""
    return np.random.default_rng([seed, zlib.crc32("|".join(map(str, key)).encode())])


def synthesize_commands(
    root: str | None = None,
    words: Sequence[str] = ("on", "off"),
    *,
    speeds: Sequence[int] = (130, 175),
    pitches: Sequence[int] = (35, 65),
    augment: int = 24,
    extra: bool = True,
    extra_settings: int = 2,
    seed: int = 0,
    sample_rate: int = 16000,
    verbose: bool = False,
) -> str:
    """Build a spoken-command data set by speech synthesis into ``root`` (default
    ``~/.cache/chainrule/synth_commands``): for every voice of :func:`synth_voices` (``extra``:
    espeak-ng's ~80 other variants too) and word, espeak-ng at each speed x pitch (the extra
    variants at ``extra_settings`` random speeds 110-200 and pitches 20-80), and flite/festival
    with ``augment`` sox variations (pitch shift +-300 cents, tempo 0.85-1.2) — then every clip
    is trimmed of silence, resampled to 16 kHz mono, placed at a random offset in 1 s and mixed
    with white or pink noise at a random SNR (5-30 dB). Writes ``root/<word>/<id>.wav`` and
    ``root/index.json`` (one record per clip: file, word, engine, voice, and its settings).
    Needs ``espeak-ng``, ``flite``, ``sox`` (``festival`` optional). Each clip draws its random
    settings from its own generator (seed, voice, word, k), so a run resumes (existing clips are
    kept) and adding voices changes no other clip; clips left by another version or other
    options are deleted first.

    Example:
        >>> from chainrule.data.datasets.speech import synthesize_commands
        >>> callable(synthesize_commands)
        True
    """
    for tool in ("sox", "espeak-ng", "flite"):
        if shutil.which(tool) is None:
            raise DatasetNotFoundError("synth_commands", SYNTH_HOW, detail=f"{tool} is missing")
    root = cache_dir("synth_commands", root)
    config = {
        "version": SYNTH_VERSION,
        "speeds": list(speeds),
        "pitches": list(pitches),
        "augment": augment,
        "extra": extra,
        "extra_settings": extra_settings,
        "seed": seed,
        "sample_rate": sample_rate,
    }
    os.makedirs(root, exist_ok=True)
    marker = os.path.join(root, "synth_config.json")
    old = None
    if os.path.isfile(marker):
        with open(marker) as f:
            old = json.load(f)
    if old != config:  # another version's clips (or a first run): start clean
        for w in os.listdir(root):
            d = os.path.join(root, w)
            if os.path.isdir(d):
                for fn in os.listdir(d):
                    if fn.endswith(".wav") and fn.startswith(("espeak-ng_", "flite_", "festival_")):
                        os.remove(os.path.join(d, fn))
            elif w.startswith("features_") and w.endswith(".npz") or w == "index.json":
                os.remove(d)
        with open(marker, "w") as f:
            json.dump(config, f)
    records = []
    tmp = tempfile.mkdtemp(prefix="chainrule-synth-")
    base = {f"{a}+{v}" for a in _ESPEAK_ACCENTS for v in _ESPEAK_VARIANTS}
    try:
        for v in synth_voices(extra=extra):
            eng, voice = v["engine"], v["voice"]
            vr = _rng(seed, eng, voice)
            if eng == "espeak-ng" and voice in base:
                settings = [(s, p, 0, 1.0) for s in speeds for p in pitches]
            elif eng == "espeak-ng":
                settings = [
                    (int(vr.integers(110, 201)), int(vr.integers(20, 81)), 0, 1.0)
                    for _ in range(extra_settings)
                ]
            else:
                settings = [(0, 0, 0, 1.0)] + [
                    (0, 0, int(vr.integers(-300, 301)), float(vr.uniform(0.85, 1.2)))
                    for _ in range(augment)
                ]
            for word in words:
                os.makedirs(os.path.join(root, word), exist_ok=True)
                for k, (speed, pitch, cents, tempo) in enumerate(settings):
                    ident = f"{eng}_{voice.replace('+', '-')}_{k}"
                    dst = os.path.join(root, word, ident + ".wav")
                    cr = _rng(seed, eng, voice, word, k)
                    snr = float(cr.uniform(5, 30))
                    offset = float(cr.uniform(0, 1))
                    color = "whitenoise" if cr.random() < 0.5 else "pinknoise"
                    rec = {
                        "file": f"{word}/{ident}.wav",
                        "word": word,
                        "engine": eng,
                        "voice": voice,
                        "speed": speed,
                        "pitch": pitch,
                        "cents": cents,
                        "tempo": round(tempo, 3),
                        "snr": round(snr, 2),
                        "noise": color,
                    }
                    records.append(rec)
                    if os.path.exists(dst):
                        continue
                    raw = os.path.join(tmp, "raw.wav")
                    _synth_one(eng, voice, word, speed, pitch, raw)
                    clean = os.path.join(tmp, "clean.wav")
                    trim = ["silence", "1", "0.01", "0.5%"]
                    fx = [*trim, "reverse", *trim, "reverse"]
                    if cents:
                        fx += ["pitch", str(cents)]
                    if tempo != 1.0:
                        fx += ["tempo", f"{tempo:.3f}"]
                    _run(
                        [
                            "sox",
                            "-R",
                            raw,
                            "-r",
                            str(sample_rate),
                            "-c",
                            "1",
                            "-b",
                            "16",
                            clean,
                            *fx,
                        ]
                    )
                    x, _ = read_wav(clean)
                    x = x[:sample_rate]
                    peak = float(np.abs(x).max()) if len(x) else 0.0
                    x = x / peak * 0.7 if peak > 0 else x
                    y = np.zeros(sample_rate)
                    start = int(offset * (sample_rate - len(x)))
                    y[start : start + len(x)] = x
                    noise = cr.standard_normal(sample_rate)
                    if color == "pinknoise":
                        f = np.fft.rfft(noise)
                        f[1:] /= np.sqrt(np.arange(1, len(f)))
                        noise = np.fft.irfft(f, sample_rate)
                    p_sig = float(np.mean(x**2)) if len(x) else 1e-4
                    noise *= np.sqrt(p_sig / 10 ** (snr / 10) / np.mean(noise**2))
                    write_wav(dst, np.clip(y + noise, -1, 1), sample_rate)
                if verbose:
                    print(f"  {eng} {voice} {word}: {len(settings)} clips", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump(
            {"version": SYNTH_VERSION, "words": list(words), "sample_rate": sample_rate,
             "config": config, "clips": records},
            f,
        )  # fmt: skip
    return root


def load_synth_commands(
    root: str | None = None,
    words: Sequence[str] | None = None,
    *,
    test_voices: Callable[[dict[str, str]], bool] | None = None,
    n_mels: int = 40,
    waveforms: bool = False,
) -> dict[str, Any]:
    """Log-mel features of a synthesized data set (see :func:`synthesize_commands`), split by
    **voice**: no voice of the test part is heard in training. Default test voices: the whole
    ``festival`` synthesizer (if present), flite's ``awb`` and ``slt``, espeak-ng's
    ``en-gb-scotland`` and ``en-029`` accents and its ``f3``, ``m3`` and ``klatt3`` variants.
    Features are cached in ``root/features_<n_mels>.npz``.

    Returns a dict with ``X_train`` / ``X_test`` float32 ``(N, 1, n_mels, 101)``, ``y_train`` /
    ``y_test`` int64, ``classes``, ``test_groups`` (the engine of each test clip),
    ``train_clip_voices`` / ``test_clip_voices`` (``engine:voice`` of each clip) and the sorted
    ``train_voices`` / ``test_voices``; with ``waveforms`` also ``W_train`` / ``W_test``, the 1 s
    float32 waveforms ``(N, sample_rate)`` (for augmentation before the features).

    Example:
        >>> from chainrule.data.datasets.speech import load_synth_commands
        >>> try:
        ...     d = load_synth_commands("/nonexistent")
        ... except FileNotFoundError as e:
        ...     ok = "espeak-ng" in str(e)
        >>> ok
        True
    """
    root = cache_dir("synth_commands", root)
    index = os.path.join(root, "index.json")
    if not os.path.isfile(index):
        raise DatasetNotFoundError("synth_commands", SYNTH_HOW, looked=[root])
    with open(index) as f:
        meta = json.load(f)
    clips = meta["clips"]
    classes = list(words) if words is not None else list(meta["words"])
    clips = [c for c in clips if c["word"] in classes]

    def default_test(c: dict[str, str]) -> bool:
        if c["engine"] == "festival":
            return True
        if c["engine"] == "flite":
            return c["voice"] in ("awb", "slt")
        accent, variant = c["voice"].split("+")
        return accent in ("en-gb-scotland", "en-029") or variant in ("f3", "m3", "klatt3")

    is_test = test_voices or default_test
    ident = [meta.get("version", 1), meta.get("config"), [c["file"] for c in clips]]
    key = hashlib.sha1(json.dumps(ident).encode()).hexdigest()[:12]
    cache = os.path.join(root, f"features_{n_mels}_{key}.npz")
    W = None
    if os.path.isfile(cache):
        with np.load(cache, allow_pickle=False) as z:
            X = z["X"]
            W = z["W"] if "W" in z.files else None
    if W is None:
        waves, feats = [], []
        for c in clips:
            x, sr = read_wav(os.path.join(root, c["file"]))
            x = _fix_length(x if x.ndim == 1 else x.mean(axis=1), sr)
            waves.append(x.astype(np.float32))
            feats.append(log_mel_spectrogram(x, sr, n_mels=n_mels))
        X, W = np.stack(feats)[:, None], np.stack(waves)
        np.savez(cache, X=X, W=(W * 32768).round().clip(-32768, 32767).astype(np.int16))
    elif W.dtype == np.int16:
        W = W.astype(np.float32) / 32768.0
    y = np.array([classes.index(c["word"]) for c in clips], np.int64)
    test = np.array([bool(is_test(c)) for c in clips])
    names = np.array([f"{c['engine']}:{c['voice']}" for c in clips])
    out = {
        "X_train": X[~test],
        "y_train": y[~test],
        "X_test": X[test],
        "y_test": y[test],
        "classes": classes,
        "test_groups": np.array([c["engine"] for c in clips])[test],
        "train_voices": sorted({f"{c['engine']}:{c['voice']}" for c in clips if not is_test(c)}),
        "test_voices": sorted({f"{c['engine']}:{c['voice']}" for c in clips if is_test(c)}),
        "train_clip_voices": names[~test],
        "test_clip_voices": names[test],
    }
    if waveforms:
        out["W_train"], out["W_test"] = W[~test], W[test]
    return out
