#!/usr/bin/env bash
set -euo pipefail
# Deletes one k3d cluster; succeeds when it is already gone (deleted by hand).
# Reads CLUSTER_NAME.
STEP=delete CLUSTER="${CLUSTER_NAME:-?}"
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
require_env CLUSTER_NAME

if ! k3d cluster get "$CLUSTER_NAME" >/dev/null 2>&1; then
    log "k3d cluster is already gone"
    exit 0
fi
if ! run_quiet k3d-delete k3d cluster delete "$CLUSTER_NAME"; then
    fail "k3d could not delete the cluster (output above)" "k3d cluster delete $CLUSTER_NAME"
fi
log "deleted"
