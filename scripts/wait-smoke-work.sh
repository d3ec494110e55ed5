#!/usr/bin/env bash
set -euo pipefail
# Waits, bounded, until the spoke's smoke ManifestWork is Applied and Available on the hub and its
# Pod runs on the spoke: the hub manages the spoke, with no Argo CD involved. Reads HUB_CONTEXT,
# HUB_KUBECONFIG, SPOKE_NAME, SPOKE_CONTEXT, SPOKE_KUBECONFIG, WORK_NAME, POD_NAME, POD_NAMESPACE,
# TIMEOUT_SECONDS.
STEP=smoke-work CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env HUB_CONTEXT HUB_KUBECONFIG SPOKE_NAME SPOKE_CONTEXT SPOKE_KUBECONFIG WORK_NAME POD_NAME POD_NAMESPACE \
    TIMEOUT_SECONDS
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"
spoke_kubeconfig="$(secret_file spoke.kubeconfig "$SPOKE_KUBECONFIG")"
started="$SECONDS"

work_ready() {
    condition_true "$hub_kubeconfig" manifestwork "$WORK_NAME" "$SPOKE_NAME" Applied &&
        condition_true "$hub_kubeconfig" manifestwork "$WORK_NAME" "$SPOKE_NAME" Available
}
if ! wait_for "ManifestWork $WORK_NAME to be Applied and Available" "$TIMEOUT_SECONDS" work_ready; then
    fail "ManifestWork $WORK_NAME was not Applied and Available within ${TIMEOUT_SECONDS}s" \
        "kubectl --context $HUB_CONTEXT get manifestwork $WORK_NAME -n $SPOKE_NAME -o yaml"
fi

pod_running() {
    [ "$(kubectl --kubeconfig "$spoke_kubeconfig" get pod "$POD_NAME" -n "$POD_NAMESPACE" \
        -o 'jsonpath={.status.phase}' 2>/dev/null || true)" = Running ]
}
if ! wait_for "pod $POD_NAMESPACE/$POD_NAME on $SPOKE_NAME" "$(time_left "$started")" pod_running; then
    fail "the smoke work's pod $POD_NAMESPACE/$POD_NAME is not Running on $SPOKE_NAME within ${TIMEOUT_SECONDS}s" \
        "kubectl --context $SPOKE_CONTEXT describe pod $POD_NAME -n $POD_NAMESPACE"
fi
log "the hub's ManifestWork runs pod $POD_NAMESPACE/$POD_NAME on $SPOKE_NAME"
