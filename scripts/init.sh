#!/usr/bin/env bash
set -euo pipefail
# Installs the OCM hub with the pinned bundle (create-or-patch, safe to re-run) and waits for the hub
# controllers later steps use. Reads HUB_NAME, HUB_CONTEXT, HUB_KUBECONFIG, BUNDLE_VERSION, QOS_*, TIMEOUT_SECONDS.
STEP=init CLUSTER="${HUB_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env HUB_NAME HUB_CONTEXT HUB_KUBECONFIG BUNDLE_VERSION TIMEOUT_SECONDS
set_qos_flags
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"

log "installing the OCM hub, bundle $BUNDLE_VERSION (clusteradm waits up to ${TIMEOUT_SECONDS}s)"
# init prints a ready join command with a token in it: its output stays in the private log.
if ! run_quiet clusteradm-init clusteradm init --kubeconfig "$hub_kubeconfig" --bundle-version "$BUNDLE_VERSION" \
    "${QOS_FLAGS[@]}" --wait --timeout "$TIMEOUT_SECONDS"; then
    fail "clusteradm init did not finish (output above, tokens masked)" \
        "kubectl --context $HUB_CONTEXT get pods -n open-cluster-management"
fi

# init --wait covers the operator and the registration controller only; accept needs the webhooks,
# placement and the add-on manager too, and the add-on chart's ClusterManagementAddOn goes through
# the add-on webhook.
hub_namespace=open-cluster-management-hub
for deployment in cluster-manager-registration-controller cluster-manager-registration-webhook \
    cluster-manager-work-webhook cluster-manager-placement-controller cluster-manager-addon-manager-controller \
    cluster-manager-addon-webhook; do
    if ! wait_for "deployment $deployment" "$TIMEOUT_SECONDS" \
        condition_true "$hub_kubeconfig" deployment "$deployment" "$hub_namespace" Available; then
        fail "hub deployment $deployment was not Available within ${TIMEOUT_SECONDS}s" \
            "kubectl --context $HUB_CONTEXT describe deployment $deployment -n $hub_namespace"
    fi
done
log "hub controllers are ready"
