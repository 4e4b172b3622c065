#!/usr/bin/env bash
# Regenerates data/breast_cancer.csv from Debian's python3-sklearn package (BSD-3-Clause), without installing it.
# The committed copy came from python3-sklearn 1.2.1+dfsg-1 (Debian 12); its SHA-256 is in data/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download python3-sklearn >/dev/null
dpkg -x python3-sklearn_*.deb extracted
cp extracted/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv "$here/breast_cancer.csv"
sha256sum "$here/breast_cancer.csv"
