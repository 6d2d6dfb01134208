#!/usr/bin/env bash
# Debian's PostgreSQL server and Redis for the queue-mode e2e test (e2e/queue.e2e.ts), installed
# when missing. The test starts its own instances on loopback in temporary folders (e2e/lib/services.ts);
# the packages' own services are not used (nor started: no init system here).
set -euo pipefail
need=()
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
if ((${#need[@]} == 0)); then
	exit 0
fi
started=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
# Keep the packages from starting their services during the install.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -qq >/dev/null || apt-get update
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-queue: installed ${need[*]} in $(($(date +%s) - started)) s"
