#!/usr/bin/env bash
# Installs the repository's npm tools (`npm ci`) on the Node.js they need, whatever Node.js the machine has:
# first that Node.js itself, the `node` package pinned in build/node/package-lock.json (it brings its own binary,
# build/node/node_modules/.bin/node), then package-lock.json's tools (Azurite, action-validator) with npm running
# on it, so that npm checks Azurite's `engines` (Node.js 22 or later) against the Node.js that will run it.
# The machine's Node.js only runs npm for the first step. The demo and the tests run this when a tool is missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
command -v npm >/dev/null || { echo "build/npm-ci.sh: npm is required (Debian: apt-get install nodejs npm)" >&2; exit 1; }
npm ci --no-audit --no-fund --prefix "$root/build/node"
node="$root/build/node/node_modules/.bin/node"
echo "build/npm-ci.sh: the repository's npm tools run on Node.js $("$node" --version) ($node)"
cd "$root"
PATH="$root/build/node/node_modules/.bin:$PATH" npm ci --no-audit --no-fund
