#!/usr/bin/env bash
set -euo pipefail
# Mints a join token on the hub and joins one spoke with it at once (safe to re-run), then checks the
# klusterlet points at the hub's in-network address. Reads SPOKE_NAME, SPOKE_CONTEXT, SPOKE_KUBECONFIG,
# HUB_NAME, HUB_CONTEXT, HUB_KUBECONFIG, HUB_API_SERVER, HUB_CA_PEM, HUB_API_SERVER_INTERNAL,
# BUNDLE_VERSION, QOS_*, TIMEOUT_SECONDS, KLUSTERLET_MODE (default, singleton or hosted), for
# hosted KLUSTERLET_CONTEXT, KLUSTERLET_KUBECONFIG (the hub) and SPOKE_INTERNAL_KUBECONFIG, and
# FORCE_INTERNAL_ENDPOINT_LOOKUP=false when HUB_API_SERVER is already the address to hand on.
STEP=join CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env SPOKE_NAME SPOKE_CONTEXT SPOKE_KUBECONFIG HUB_NAME HUB_CONTEXT HUB_KUBECONFIG HUB_API_SERVER \
    HUB_CA_PEM HUB_API_SERVER_INTERNAL BUNDLE_VERSION TIMEOUT_SECONDS
set_qos_flags
spoke_kubeconfig="$(secret_file spoke.kubeconfig "$SPOKE_KUBECONFIG")"
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"
hub_ca="$(secret_file hub-ca.crt "$HUB_CA_PEM")"

# Where the klusterlet runs and what join is told of the mode (clusteradm v1.3.1 pkg/cmd/join/cmd.go).
klusterlet_kubeconfig="$spoke_kubeconfig" klusterlet_context="$SPOKE_CONTEXT" mode_flags=()
join_next="kubectl --context $SPOKE_CONTEXT get pods -n open-cluster-management-agent"
case "${KLUSTERLET_MODE:-default}" in
default) ;;
singleton) mode_flags=(--singleton) ;;
hosted)
    require_env KLUSTERLET_CONTEXT KLUSTERLET_KUBECONFIG SPOKE_INTERNAL_KUBECONFIG
    klusterlet_kubeconfig="$(secret_file klusterlet.kubeconfig "$KLUSTERLET_KUBECONFIG")"
    klusterlet_context="$KLUSTERLET_CONTEXT"
    join_next="kubectl --context $KLUSTERLET_CONTEXT get klusterlets -o wide; kubectl --context $KLUSTERLET_CONTEXT get pods -A | grep klusterlet"
    mode_flags=(--mode hosted --managed-cluster-kubeconfig "$(secret_file spoke-internal.kubeconfig "$SPOKE_INTERNAL_KUBECONFIG")")
    ;;
*) fail "KLUSTERLET_MODE is '${KLUSTERLET_MODE}'; it must be default, singleton or hosted" \
    "report this as a bug in ocm-lab; the program sets KLUSTERLET_MODE from ocm-lab:klusterletMode(s)" ;;
esac
# kind and k3d: the klusterlet is handed the in-network address from the hub's cluster-info; existing:
# the one address every cluster reaches, as it is given.
endpoint_flags=(--force-internal-endpoint-lookup)
if [ "${FORCE_INTERNAL_ENDPOINT_LOOKUP:-true}" = false ]; then endpoint_flags=(); fi
# A hosted klusterlet gets a new random name at every join (klusterlet-hosted-<6 characters>, join's
# exec.go): the one already registering this spoke, if any, so a re-run does not add a second.
hosted_klusterlet() {
    kubectl --kubeconfig "$klusterlet_kubeconfig" get klusterlets.operator.open-cluster-management.io \
        -o 'jsonpath={range .items[*]}{.metadata.name}{" "}{.spec.clusterName}{"\n"}{end}' 2>/dev/null |
        awk -v cluster="$SPOKE_NAME" '$2 == cluster { print $1; exit }' || true
}

# Mints a token and joins at once. A clusteradm token lives one hour. Minted here, moments before
# join, it is valid however long ago the lab was made or a failed join was first tried, and it never
# leaves this step: not in Pulumi's state, not on disk. Only stderr is shown on failure: stdout
# holds the token.
mint_and_join() {
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

    log "joining hub $HUB_API_SERVER_INTERNAL, klusterlet mode ${KLUSTERLET_MODE:-default} (clusteradm waits up to ${TIMEOUT_SECONDS}s for the klusterlet)"
    if ! run_quiet clusteradm-join clusteradm join --kubeconfig "$klusterlet_kubeconfig" \
        --hub-token "$hub_token" --hub-apiserver "$HUB_API_SERVER" --ca-file "$hub_ca" \
        --cluster-name "$SPOKE_NAME" ${endpoint_flags[@]+"${endpoint_flags[@]}"} --bundle-version "$BUNDLE_VERSION" \
        ${mode_flags[@]+"${mode_flags[@]}"} "${QOS_FLAGS[@]}" --wait --timeout "$TIMEOUT_SECONDS"; then
        fail "clusteradm join did not finish (output above, tokens masked)" "$join_next"
    fi
}

hosted=""
if [ "${KLUSTERLET_MODE:-default}" = hosted ]; then hosted="$(hosted_klusterlet)"; fi
if [ -n "$hosted" ]; then
    log "already joined: klusterlet $hosted on $klusterlet_context hosts $SPOKE_NAME's agents"
else
    mint_and_join
fi

# The bootstrap secret is in the klusterlet's agent namespace: open-cluster-management-agent, or for
# a hosted one the namespace named after it on the hub.
agent_namespace=open-cluster-management-agent
if [ "${KLUSTERLET_MODE:-default}" = hosted ]; then
    agent_namespace="$(hosted_klusterlet)"
    if [ -z "$agent_namespace" ]; then
        fail "clusteradm join returned but no klusterlet on $klusterlet_context registers $SPOKE_NAME" \
            "kubectl --context $klusterlet_context get klusterlets -o wide"
    fi
fi
bootstrap="$(kubectl --kubeconfig "$klusterlet_kubeconfig" get secret bootstrap-hub-kubeconfig \
    -n "$agent_namespace" -o 'jsonpath={.data.kubeconfig}' 2>/dev/null || true)"
hub_server="$(printf '%s' "$bootstrap" | base64 --decode 2>/dev/null | sed -n 's/^ *server: *//p' || true)"
hub_server="${hub_server%%$'\n'*}"
if [ "$hub_server" != "$HUB_API_SERVER_INTERNAL" ]; then
    fail "the klusterlet points at '${hub_server}', not at $HUB_API_SERVER_INTERNAL, which is the hub address spokes can reach" \
        "kubectl --context $klusterlet_context get secret bootstrap-hub-kubeconfig -n $agent_namespace -o yaml; check kube-public/cluster-info on the hub"
fi
# Hosted means no agent on the spoke: one there is a klusterlet from before (the spoke not rebuilt).
if [ "${KLUSTERLET_MODE:-default}" = hosted ]; then
    agents="$(kubectl --kubeconfig "$spoke_kubeconfig" get pods -n open-cluster-management-agent -o name 2>/dev/null || true)"
    if [ -n "$agents" ]; then
        fail "$SPOKE_NAME is hosted from $klusterlet_context but runs agent pods of its own: $(printf '%s' "$agents" | paste -sd' ' -)" \
            "clusteradm unjoin --context $SPOKE_CONTEXT --cluster-name $SPOKE_NAME, or rebuild the spoke: npm run pulumi -- up --replace <URN of its -cluster resource>"
    fi
fi
log "klusterlet registered against $hub_server (${KLUSTERLET_MODE:-default} mode, running on $klusterlet_context)"
