#!/usr/bin/env bash
# Vendor the official Socket.IO JavaScript client from its npm package, so pages need no
# CDN (they work with no internet). Run from anywhere: `bash static/vendor/fetch-socketio.sh`
# (needs npm). Pin the version here; commit the files it writes.
set -euo pipefail
VERSION="${1:-4.8.4}"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "socket.io-client@$VERSION" >/dev/null && tar xzf socket.io-client-*.tgz)
mkdir -p "$here/socket.io"
# The ES-module build (no source map comment: the map is not shipped).
sed '/^\/\/# sourceMappingURL=/d' "$tmp/package/dist/socket.io.esm.min.js" > "$here/socket.io/socket.io.esm.min.js"
cp "$tmp/package/LICENSE" "$here/socket.io/LICENSE"
echo "socket.io-client $VERSION" > "$here/socket.io/VERSION"
echo "vendored socket.io-client $VERSION into $here/socket.io"
