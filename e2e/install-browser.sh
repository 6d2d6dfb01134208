#!/usr/bin/env bash
# Debian's Chromium for the editor test (e2e/editor.e2e.ts, driven by playwright-core, which brings
# no browser of its own). Installed system-wide by apt, i.e. outside the repository; apt keeps the
# downloaded packages in its own cache.
#
#   e2e/install-browser.sh                   # /usr/bin/chromium, installed with apt-get when missing
#   N8N_E2E_CHROMIUM=/path/to/chromium e2e/install-browser.sh   # use that one (not installed here)
#
# Idempotent: a working Chromium is left alone. A lock keeps two runs from calling apt at once.
set -euo pipefail

log() { printf '[install-browser] %s\n' "$*" >&2; }

works() { [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

CHROMIUM="${N8N_E2E_CHROMIUM:-/usr/bin/chromium}"
if works "$CHROMIUM"; then
	log "$("$CHROMIUM" --version 2>/dev/null | tail -1) at $CHROMIUM"
	exit 0
fi
if [ -n "${N8N_E2E_CHROMIUM:-}" ]; then
	log "N8N_E2E_CHROMIUM=$CHROMIUM is not a working Chromium"
	exit 1
fi
if ! command -v apt-get >/dev/null; then
	log "no Chromium at $CHROMIUM and no apt-get: install Chromium, or point N8N_E2E_CHROMIUM at one"
	exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo -n); fi
export DEBIAN_FRONTEND=noninteractive
started=$(date +%s)
(
	exec 9>"${TMPDIR:-/tmp}/n8n-nodes-veeam-install-browser.lock"
	flock 9
	works "$CHROMIUM" && exit 0
	log "installing Debian's chromium package with apt-get"
	# The package lists may be missing or stale on a fresh machine: update once if the install fails.
	"${SUDO[@]}" apt-get install -y --no-install-recommends chromium >/dev/null \
		|| { "${SUDO[@]}" apt-get update >/dev/null && "${SUDO[@]}" apt-get install -y --no-install-recommends chromium >/dev/null; }
)
works "$CHROMIUM" || { log "apt-get installed chromium, but $CHROMIUM does not run"; exit 1; }
log "$("$CHROMIUM" --version 2>/dev/null | tail -1) installed in $(($(date +%s) - started)) s"
