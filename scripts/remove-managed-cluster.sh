#!/usr/bin/env bash
set -euo pipefail
# On delete of a registration: removes the spoke's ManagedCluster from the hub so a spoke dropped from
# config leaves no stale entry. Best effort: the hub may be gone already. Reads HUB_KUBECONFIG, SPOKE_NAME.
STEP=unregister CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env HUB_KUBECONFIG SPOKE_NAME
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"

# --wait=false: the hub's cleanup of the cluster namespace may wait on a spoke that no longer exists.
if ! kubectl --kubeconfig "$hub_kubeconfig" --request-timeout=20s delete managedcluster "$SPOKE_NAME" \
    --ignore-not-found --wait=false >/dev/null 2>&1; then
    log "hub not reachable; nothing to remove (it is deleted with the lab)"
    exit 0
fi
log "ManagedCluster removed from the hub"
