#!/usr/bin/env bash
set -euo pipefail
# Waits, bounded, until the hub reports the spoke's ManagedCluster Available (the klusterlet is
# heartbeating). Reads HUB_CONTEXT, HUB_KUBECONFIG, SPOKE_NAME, TIMEOUT_SECONDS.
STEP=wait-available CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env HUB_CONTEXT HUB_KUBECONFIG SPOKE_NAME TIMEOUT_SECONDS
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"

if ! wait_for "ManagedCluster $SPOKE_NAME to be Available" "$TIMEOUT_SECONDS" \
    condition_true "$hub_kubeconfig" managedcluster "$SPOKE_NAME" "" ManagedClusterConditionAvailable; then
    fail "$SPOKE_NAME did not become Available within ${TIMEOUT_SECONDS}s" \
        "kubectl --context $HUB_CONTEXT get managedcluster $SPOKE_NAME -o yaml"
fi
log "Available"
