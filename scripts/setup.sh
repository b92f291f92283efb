#!/usr/bin/env bash
# Set-up on a fresh Debian 12 machine (as root): system packages, npm dependencies, the native addon
# (built by `npm ci`'s install step) and the TypeScript build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
# libopenblas0-pthread matters: without it libtorch falls back to reference BLAS (~17x slower RNN).
# python3-torch / python3-torchtext give the PyTorch reference numbers (parity fixtures, benchmarks).
# libgloo-dev: Gloo's headers, which libtorch's c10d headers include (data-parallel training, lib/distributed).
# chromium runs the demo page's browser test; python3-fastapi / python3-uvicorn serve bench/serve's baseline.
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  libtorch-dev libgloo-dev libopenblas0-pthread python3-torch python3-torchtext cmake make g++ ca-certificates \
  chromium python3-fastapi python3-uvicorn >/dev/null
npm ci --no-audit --no-fund
npm run build:ts
