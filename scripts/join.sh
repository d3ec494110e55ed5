#!/usr/bin/env bash
set -euo pipefail
# Mints a join token on the hub and joins one spoke with it at once (safe to re-run), then checks the
# klusterlet points at the hub's in-network address. Reads SPOKE_NAME, SPOKE_CONTEXT, SPOKE_KUBECONFIG,
# HUB_NAME, HUB_CONTEXT, HUB_KUBECONFIG, HUB_API_SERVER, HUB_CA_PEM, HUB_API_SERVER_INTERNAL,
# BUNDLE_VERSION, QOS_*, TIMEOUT_SECONDS.
STEP=join CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env SPOKE_NAME SPOKE_CONTEXT SPOKE_KUBECONFIG HUB_NAME HUB_CONTEXT HUB_KUBECONFIG HUB_API_SERVER \
    HUB_CA_PEM HUB_API_SERVER_INTERNAL BUNDLE_VERSION TIMEOUT_SECONDS
set_qos_flags
spoke_kubeconfig="$(secret_file spoke.kubeconfig "$SPOKE_KUBECONFIG")"
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"
hub_ca="$(secret_file hub-ca.crt "$HUB_CA_PEM")"

# A clusteradm token lives one hour. Minted here, moments before join, it is valid however long ago
# the lab was made or a failed join was first tried, and it never leaves this step: not in Pulumi's
# state, not on disk. Only stderr is shown on failure: stdout holds the token.
if ! token_json="$(clusteradm get token --kubeconfig "$hub_kubeconfig" -o json 2>"$OCM_LAB_TMP/err")"; then
    mask_secrets <"$OCM_LAB_TMP/err" >&2
    fail "clusteradm could not mint a join token on hub $HUB_NAME" \
        "clusteradm get token --context $HUB_CONTEXT >/dev/null && pulumi up"
fi
# {"hub-token": "…", "hub-apiserver": "…"} (clusteradm get token -o json)
if ! [[ "$token_json" =~ \"hub-token\":\ *\"([^\"]+)\" ]]; then
    fail "clusteradm get token printed no hub-token" "clusteradm get token --context $HUB_CONTEXT -o json | grep -c hub-token"
fi
hub_token="${BASH_REMATCH[1]}"

log "joining hub $HUB_API_SERVER_INTERNAL (clusteradm waits up to ${TIMEOUT_SECONDS}s for the klusterlet)"
if ! run_quiet clusteradm-join clusteradm join --kubeconfig "$spoke_kubeconfig" \
    --hub-token "$hub_token" --hub-apiserver "$HUB_API_SERVER" --ca-file "$hub_ca" \
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
