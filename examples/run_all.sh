#!/usr/bin/env bash
# Run every application example on real data and print each one's final metric line.
# Data: scripts/install_data.sh (digits and breast cancer are bundled and always work).
#   examples/run_all.sh            from the repository root
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="${PYTHONPATH:-}:."
for ex in image_digits medical_breast_cancer image_fashion_mnist text_sentiment \
          speech_commands recommend_movielens; do
    echo "== examples/$ex.py"
    start=$(date +%s)
    if python3 "examples/$ex.py" > "/tmp/chainrule_example_$ex.log" 2>&1; then
        grep -E "^(test accuracy|test RMSE|bag-of-words|baseline|malignant)" \
            "/tmp/chainrule_example_$ex.log"
    else
        tail -n 5 "/tmp/chainrule_example_$ex.log"
    fi
    echo "   ($(( $(date +%s) - start )) s; full log /tmp/chainrule_example_$ex.log)"
done
