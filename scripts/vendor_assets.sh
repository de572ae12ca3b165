#!/usr/bin/env bash
# Re-fetch the vendored front-end assets into static/vendor from the npm registry.
# Run by hand when upgrading a version (see static/vendor/VERSIONS.md); not part of the build.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent bootstrap@5.3.9 htmx.org@2.0.11 echarts@5.6.0 bootstrap-icons@1.13.2 >/dev/null)
for f in "$work"/*.tgz; do d="$work/x/$(basename "$f" .tgz)"; mkdir -p "$d"; tar xzf "$f" -C "$d"; done
V=static/vendor
mkdir -p $V/bootstrap $V/htmx $V/echarts $V/bootstrap-icons/fonts
cp "$work"/x/bootstrap-5.3.9/package/dist/css/bootstrap.min.css* "$work"/x/bootstrap-5.3.9/package/dist/js/bootstrap.bundle.min.js* "$work"/x/bootstrap-5.3.9/package/LICENSE $V/bootstrap/
cp "$work"/x/htmx.org-2.0.11/package/dist/htmx.min.js "$work"/x/htmx.org-2.0.11/package/LICENSE $V/htmx/
cp "$work"/x/echarts-5.6.0/package/dist/echarts.min.js "$work"/x/echarts-5.6.0/package/LICENSE $V/echarts/
cp "$work"/x/bootstrap-icons-1.13.2/package/font/bootstrap-icons.min.css "$work"/x/bootstrap-icons-1.13.2/package/LICENSE $V/bootstrap-icons/
# Both font formats and the source maps: collectstatic's manifest storage rewrites every url() and
# sourceMappingURL and fails on a file that is referenced but missing (tests/ops/test_production_path.py).
cp "$work"/x/bootstrap-icons-1.13.2/package/font/fonts/bootstrap-icons.woff* $V/bootstrap-icons/fonts/
echo "vendored into $V"
