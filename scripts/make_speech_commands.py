"""Synthesize the spoken-command data set used by examples/speech_commands.py.

Needs: sudo apt-get install -y --no-install-recommends espeak-ng flite sox festival \
           festvox-kallpc16k festvox-kdlpc16k

    PYTHONPATH=. python3 scripts/make_speech_commands.py                  # "on" / "off"
    PYTHONPATH=. python3 scripts/make_speech_commands.py --words yes no up down --root DIR

Writes DIR/<word>/<engine>_<voice>_<k>.wav (1 s, 16 kHz, with noise) and DIR/index.json.
"""

from __future__ import annotations

import argparse
import time

from chainrule.data.datasets.speech import synth_voices, synthesize_commands


def main() -> None:
    ap = argparse.ArgumentParser(description="synthesize spoken command words")
    ap.add_argument("--words", nargs="+", default=["on", "off"])
    ap.add_argument("--root", default=None, help="default ~/.cache/chainrule/synth_commands")
    ap.add_argument("--augment", type=int, default=24, help="sox variants per flite/festival voice")
    ap.add_argument("--no-extra", action="store_true", help="only the 17 classic espeak variants")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    voices = synth_voices(extra=not args.no_extra)
    engines = sorted({v["engine"] for v in voices})
    print(f"{len(voices)} voices from {', '.join(engines)}; words {args.words}", flush=True)
    t = time.time()
    root = synthesize_commands(
        args.root,
        args.words,
        augment=args.augment,
        extra=not args.no_extra,
        seed=args.seed,
        verbose=args.verbose,
    )
    print(f"wrote {root} in {time.time() - t:.0f} s")


if __name__ == "__main__":
    main()
