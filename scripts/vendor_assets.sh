#!/usr/bin/env bash
# Copy the pinned npm packages into the git-ignored static/vendor/ (served by whitenoise; no CDN).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/bootstrap ] || npm ci --no-audit --no-fund --loglevel=error
dest=src/dangjian/static/vendor
rm -rf "$dest" && mkdir -p "$dest/bootstrap" "$dest/bootstrap-icons" "$dest/htmx" "$dest/echarts"
# With their source maps: the files name them, and production's collectstatic (ManifestStaticFilesStorage) refuses
# a file that references one it cannot find.
cp node_modules/bootstrap/dist/css/bootstrap.min.css{,.map} node_modules/bootstrap/dist/js/bootstrap.bundle.min.js{,.map} \
  "$dest/bootstrap/"
cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts "$dest/bootstrap-icons/"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx/"
cp node_modules/echarts/dist/echarts.min.js "$dest/echarts/"
