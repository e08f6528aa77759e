#!/usr/bin/env bash
# Install labgrade and what its sandbox needs, then grade the built-in example class.
#   bash setup.sh            install, then grade examples/ into results/
#   bash setup.sh --no-examples   install only
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# System packages: bubblewrap isolates the sandboxed child where the kernel allows it;
# chromium + chromium-driver let the tests open the HTML reports in a headless browser.
# Only what is missing is installed.
apt_missing=()
command -v bwrap >/dev/null 2>&1 || apt_missing+=(bubblewrap)
command -v chromium >/dev/null 2>&1 || apt_missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || apt_missing+=(chromium-driver)
if [ "${#apt_missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}"
  else
    echo "setup.sh: no apt-get here; install ${apt_missing[*]} yourself" \
         "(bubblewrap: full isolation; chromium: the browser tests)" >&2
  fi
fi

# Python packages. torch is pinned to the CPU build: an unpinned torch pulls a CUDA build.
python3 -m pip install --quiet --disable-pip-version-check "torch==2.13.0" -e ".[test]"

if [ "${1:-}" != "--no-examples" ]; then
  grader run examples --out results
  grader report results -o results/class.html
  echo "Results: results/<student>/result.json and report.html; the class page: results/class.html"
fi
