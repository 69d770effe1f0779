#!/usr/bin/env bash
# Fetch front-end assets from the npm registry at a pinned version, check their hash, and
# place them under peelian/web/static/vendor/ (not committed). Pages never load from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=peelian/web/static/vendor
HTMX_VERSION=2.0.8
HTMX_SHA256=22283ef68cb7545914f0a88a1bdedc7256a703d1d580c1d255217d0a50d31313

if [ -f "$dest/htmx.min.js" ] && echo "$HTMX_SHA256  $dest/htmx.min.js" | sha256sum -c --status; then
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "htmx.org@$HTMX_VERSION" --silent >/dev/null)
tar -xzf "$tmp/htmx.org-$HTMX_VERSION.tgz" -C "$tmp" package/dist/htmx.min.js package/LICENSE
echo "$HTMX_SHA256  $tmp/package/dist/htmx.min.js" | sha256sum -c --status \
  || { echo "htmx.min.js does not match its pinned hash" >&2; exit 1; }
mkdir -p "$dest"
cp "$tmp/package/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$tmp/package/LICENSE" "$dest/htmx.LICENSE"
echo "assets: htmx $HTMX_VERSION installed in $dest"
