#!/usr/bin/env bash
# Renders a newsclean HTML run report in headless Chromium and writes a screenshot PNG.
#
# Usage: scripts/render_report.sh REPORT.html OUT.png [WIDTHxHEIGHT]
#
# Uses Debian's `chromium` package; when it is missing and we are root, installs it with apt.
# When Chromium cannot be had (no root, no network), the check is skipped with exit code 0.
# The page must render without network access: the browser runs with networking disabled
# through a proxy that does not exist, so a page that loads anything from outside shows it.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    sed -n '2,9p' "$0" >&2
    exit 2
fi
report=$(realpath "$1")
out=$2
size=${3:-1280x2600}

find_chromium() {
    command -v chromium || command -v chromium-browser || command -v google-chrome || true
}

browser=$(find_chromium)
if [[ -z "$browser" && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "render_report: installing chromium with apt-get" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2 || true
    browser=$(find_chromium)
fi
if [[ -z "$browser" ]]; then
    echo "render_report: skipped: chromium is not installed and could not be installed"
    exit 0
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$profile" --proxy-server="127.0.0.1:9" \
    --window-size="${size/x/,}" --screenshot="$(realpath -m "$out")" \
    "file://$report" >"$profile/log" 2>&1 || {
    cat "$profile/log" >&2
    exit 1
}
if [[ ! -s "$out" ]]; then
    cat "$profile/log" >&2
    echo "render_report: no screenshot written" >&2
    exit 1
fi
echo "render_report: wrote $out"
