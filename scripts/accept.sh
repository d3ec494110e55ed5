#!/usr/bin/env bash
set -euo pipefail
# Accepts one spoke on the hub: approves the CSR of the klusterlet the join made, waiting for it,
# bounded, and ends once that klusterlet holds its hub certificate. Reads HUB_NAME, HUB_CONTEXT,
# HUB_KUBECONFIG, SPOKE_NAME, SPOKE_CONTEXT, SPOKE_KUBECONFIG, KLUSTERLET_MODE, TIMEOUT_SECONDS, and
# KLUSTERLET_CONTEXT, KLUSTERLET_KUBECONFIG where the klusterlet runs elsewhere than on the spoke;
# SPOKE_CLUSTER_ID is there only so that a rebuilt spoke runs this step again.
STEP=accept CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env HUB_NAME HUB_CONTEXT HUB_KUBECONFIG SPOKE_NAME SPOKE_CONTEXT SPOKE_KUBECONFIG TIMEOUT_SECONDS
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"
klusterlet_where
started="$SECONDS"

accepted() {
    [ "$(kubectl --kubeconfig "$hub_kubeconfig" get managedcluster "$SPOKE_NAME" \
        -o 'jsonpath={.spec.hubAcceptsClient}' 2>/dev/null)" = "true" ]
}
# The spoke's CSRs on the hub: "<name> <condition types>" per CSR (none for a pending one).
csrs() {
    kubectl --kubeconfig "$hub_kubeconfig" get csr -l "open-cluster-management.io/cluster-name=$SPOKE_NAME" \
        -o 'jsonpath={range .items[*]}{.metadata.name}{" "}{.status.conditions[*].type}{"\n"}{end}' 2>/dev/null || true
}
pending_csr() { csrs | awk 'NF == 1 { found = 1 } END { exit !found }'; }
# shellcheck disable=SC2317 # called through wait_for
something_to_accept() {
    if [ "${KLUSTERLET_MODE:-default}" = hosted ] && [ -z "$AGENT_NAMESPACE" ]; then klusterlet_where; fi
    hub_certificate_held || pending_csr || ! accepted
}

# Done only when the klusterlet that runs now holds its certificate: "accepted" on the hub says
# nothing of a klusterlet made since (a rebuilt spoke, a new driver or mode), whose CSR may come after
# join returned: clusteradm v1.3.1 join --wait returns once the agent's pod is ready and the
# ManagedCluster exists, which for a rebuilt spoke it already does (pkg/cmd/join/exec.go:467-482),
# while the agent files its CSR concurrently (ocm v1.3.1 pkg/registration/spoke/spokeagent.go:313-314).
if accepted && hub_certificate_held; then
    log "already accepted on hub $HUB_NAME; the klusterlet on $KLUSTERLET_AT holds its hub certificate"
    exit 0
fi
next="kubectl --context $HUB_CONTEXT get csr | grep $SPOKE_NAME; kubectl --context $KLUSTERLET_AT get pods -n ${AGENT_NAMESPACE:-open-cluster-management-agent}"
log "accepting on hub $HUB_NAME (waiting up to ${TIMEOUT_SECONDS}s for the klusterlet's CSR and certificate)"
no_certificate="the klusterlet on $KLUSTERLET_AT holds no hub certificate after ${TIMEOUT_SECONDS}s: its CSR was not filed or not signed"
while ! { accepted && hub_certificate_held; }; do
    if ! wait_for "a CSR from $SPOKE_NAME's klusterlet" "$(time_left "$started")" something_to_accept; then
        fail "$no_certificate" "$next"
    fi
    if ! hub_certificate_held || ! accepted; then
        # clusteradm v1.3.1 accept (pkg/cmd/accept/exec.go:128-249) approves nothing while the spoke has
        # CSRs of two requesters (an old klusterlet's approved one is kept an hour, a join run again
        # before approval leaves one behind) unless told --skip-approve-check; and it reports success
        # as soon as any of the spoke's CSRs is approved, so this loop looks again.
        skip=()
        if [ "$(csrs | grep -c .)" -gt 1 ]; then skip=(--skip-approve-check); fi
        if ! run_quiet clusteradm-accept clusteradm accept --kubeconfig "$hub_kubeconfig" --clusters "$SPOKE_NAME" \
            ${skip[@]+"${skip[@]}"} --wait --timeout "$(time_left "$started")"; then
            fail "clusteradm accept did not finish (output above)" "$next"
        fi
    fi
    if ! { accepted && hub_certificate_held; }; then
        [ $((SECONDS - started)) -lt "$TIMEOUT_SECONDS" ] || fail "$no_certificate" "$next"
        sleep "${OCM_LAB_POLL_SECONDS:-5}"
    fi
done
log "accepted on hub $HUB_NAME; the klusterlet on $KLUSTERLET_AT holds its hub certificate"
