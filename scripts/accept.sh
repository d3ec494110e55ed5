#!/usr/bin/env bash
set -euo pipefail
# Accepts one spoke on the hub, and approves the CSR of a rebuilt spoke's new klusterlet. Once a
# spoke's CSRs are garbage-collected, clusteradm accept --wait polls for one until --timeout and fails
# (clusteradm v1.3.1 pkg/cmd/accept/exec.go), so it runs only while there is something to accept.
# Reads HUB_NAME, HUB_CONTEXT, HUB_KUBECONFIG, SPOKE_NAME, TIMEOUT_SECONDS; SPOKE_CLUSTER_ID is there
# only so that a rebuilt spoke runs this step again.
STEP=accept CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env HUB_NAME HUB_CONTEXT HUB_KUBECONFIG SPOKE_NAME TIMEOUT_SECONDS
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"

accepted() {
    [ "$(kubectl --kubeconfig "$hub_kubeconfig" get managedcluster "$SPOKE_NAME" \
        -o 'jsonpath={.spec.hubAcceptsClient}' 2>/dev/null)" = "true" ]
}
# CSRs of the spoke that are neither approved nor denied: "<name> <condition types>" per CSR.
pending_csrs() {
    kubectl --kubeconfig "$hub_kubeconfig" get csr -l "open-cluster-management.io/cluster-name=$SPOKE_NAME" \
        -o 'jsonpath={range .items[*]}{.metadata.name}{" "}{.status.conditions[*].type}{"\n"}{end}' 2>/dev/null |
        awk 'NF == 1 { print $1 }' || true
}
if accepted; then
    if [ -z "$(pending_csrs)" ]; then
        log "already accepted on hub $HUB_NAME"
        exit 0
    fi
    # A rebuilt spoke: its new klusterlet asks for a certificate while the ManagedCluster is still
    # accepted. Next to the old klusterlet's approved CSR (kept an hour), clusteradm sees two
    # requesters and approves neither unless told --skip-approve-check (accept/exec.go).
    log "already accepted on hub $HUB_NAME, but a new klusterlet's CSR is pending (the spoke was rebuilt); approving it"
    if ! run_quiet clusteradm-accept clusteradm accept --kubeconfig "$hub_kubeconfig" --clusters "$SPOKE_NAME" \
        --skip-approve-check --wait --timeout "$TIMEOUT_SECONDS"; then
        fail "clusteradm accept did not approve the rebuilt spoke's CSR (output above)" \
            "kubectl --context $HUB_CONTEXT get csr | grep $SPOKE_NAME"
    fi
    log "approved the rebuilt spoke's CSR on hub $HUB_NAME"
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
