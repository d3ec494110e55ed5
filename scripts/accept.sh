#!/usr/bin/env bash
set -euo pipefail
# Accepts one spoke on the hub, only while hubAcceptsClient is not yet true: once its CSRs are
# garbage-collected, clusteradm accept --wait polls for one until --timeout and fails (clusteradm
# v1.3.1 pkg/cmd/accept/exec.go). Reads HUB_NAME, HUB_CONTEXT, HUB_KUBECONFIG, SPOKE_NAME, TIMEOUT_SECONDS.
STEP=accept CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env HUB_NAME HUB_CONTEXT HUB_KUBECONFIG SPOKE_NAME TIMEOUT_SECONDS
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"

accepted() {
    [ "$(kubectl --kubeconfig "$hub_kubeconfig" get managedcluster "$SPOKE_NAME" \
        -o 'jsonpath={.spec.hubAcceptsClient}' 2>/dev/null)" = "true" ]
}
if accepted; then
    log "already accepted on hub $HUB_NAME"
    exit 0
fi
log "accepting on hub $HUB_NAME (clusteradm waits up to ${TIMEOUT_SECONDS}s for the spoke's CSR)"
if ! run_quiet clusteradm-accept clusteradm accept --kubeconfig "$hub_kubeconfig" --clusters "$SPOKE_NAME" \
    --wait --timeout "$TIMEOUT_SECONDS"; then
    fail "clusteradm accept did not finish (output above)" \
        "kubectl --context $HUB_CONTEXT get csr,managedcluster | grep $SPOKE_NAME"
fi
if ! accepted; then
    fail "clusteradm accept returned but ManagedCluster $SPOKE_NAME has no hubAcceptsClient=true" \
        "kubectl --context $HUB_CONTEXT get managedcluster $SPOKE_NAME -o yaml"
fi
log "accepted on hub $HUB_NAME"
