#!/usr/bin/env bash
set -euo pipefail
# Joins one spoke to the hub (safe to re-run) and checks its klusterlet points at the hub's in-network
# address. Reads SPOKE_NAME, SPOKE_CONTEXT, SPOKE_KUBECONFIG, HUB_TOKEN, HUB_API_SERVER, HUB_CA_PEM,
# HUB_API_SERVER_INTERNAL, BUNDLE_VERSION, QOS_*, TIMEOUT_SECONDS.
STEP=join CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env SPOKE_NAME SPOKE_CONTEXT SPOKE_KUBECONFIG HUB_TOKEN HUB_API_SERVER HUB_CA_PEM \
    HUB_API_SERVER_INTERNAL BUNDLE_VERSION TIMEOUT_SECONDS
set_qos_flags
spoke_kubeconfig="$(secret_file spoke.kubeconfig "$SPOKE_KUBECONFIG")"
hub_ca="$(secret_file hub-ca.crt "$HUB_CA_PEM")"

# --hub-apiserver is the host's view (clusteradm runs here); --force-internal-endpoint-lookup makes
# the klusterlet use the hub's kube-public/cluster-info address, which spokes reach. --ca-file pins
# the hub CA instead of trusting whatever answers.
log "joining hub $HUB_API_SERVER_INTERNAL (clusteradm waits up to ${TIMEOUT_SECONDS}s for the klusterlet)"
if ! run_quiet clusteradm-join clusteradm join --kubeconfig "$spoke_kubeconfig" \
    --hub-token "$HUB_TOKEN" --hub-apiserver "$HUB_API_SERVER" --ca-file "$hub_ca" \
    --cluster-name "$SPOKE_NAME" --force-internal-endpoint-lookup --bundle-version "$BUNDLE_VERSION" \
    "${QOS_FLAGS[@]}" --wait --timeout "$TIMEOUT_SECONDS"; then
    fail "clusteradm join did not finish (output above, tokens masked)" \
        "kubectl --context $SPOKE_CONTEXT get pods -n open-cluster-management-agent"
fi

bootstrap="$(kubectl --kubeconfig "$spoke_kubeconfig" get secret bootstrap-hub-kubeconfig \
    -n open-cluster-management-agent -o 'jsonpath={.data.kubeconfig}' 2>/dev/null || true)"
hub_server="$(printf '%s' "$bootstrap" | base64 --decode 2>/dev/null | sed -n 's/^ *server: *//p' || true)"
hub_server="${hub_server%%$'\n'*}"
if [ "$hub_server" != "$HUB_API_SERVER_INTERNAL" ]; then
    fail "the klusterlet points at '${hub_server}', not at $HUB_API_SERVER_INTERNAL, which is the hub address spokes can reach" \
        "kubectl --context $SPOKE_CONTEXT get secret bootstrap-hub-kubeconfig -n open-cluster-management-agent -o yaml; check kube-public/cluster-info on the hub"
fi
log "klusterlet registered against $hub_server"
