#!/usr/bin/env bash
set -euo pipefail
# Waits, bounded, until the argocd-agent add-on is Available for one spoke. Reads HUB_CONTEXT,
# HUB_KUBECONFIG, SPOKE_NAME, TIMEOUT_SECONDS.
# Available comes from the add-on's workload-availability prober: the agent's Deployment is up on
# the spoke, not that the agent reached the principal; the guestbook wait after it proves that.
STEP=addon-available CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=../lib.sh
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_env HUB_CONTEXT HUB_KUBECONFIG SPOKE_NAME TIMEOUT_SECONDS
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"

if ! wait_for "add-on argocd-agent-addon on $SPOKE_NAME" "$TIMEOUT_SECONDS" \
    condition_true "$hub_kubeconfig" managedclusteraddon argocd-agent-addon "$SPOKE_NAME" Available; then
    fail "the argocd-agent add-on did not become Available on $SPOKE_NAME within ${TIMEOUT_SECONDS}s" \
        "kubectl --context $HUB_CONTEXT get managedclusteraddon argocd-agent-addon -n $SPOKE_NAME -o yaml"
fi
log "argocd-agent add-on Available"
