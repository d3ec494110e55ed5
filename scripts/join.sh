#!/usr/bin/env bash
set -euo pipefail
# Mints a join token on the hub and joins one spoke with it at once (safe to re-run), then checks the
# klusterlet points at the hub's in-network address. Reads SPOKE_NAME, SPOKE_CONTEXT, SPOKE_KUBECONFIG,
# HUB_NAME, HUB_CONTEXT, HUB_KUBECONFIG, HUB_API_SERVER, HUB_CA_PEM, HUB_API_SERVER_INTERNAL,
# BUNDLE_VERSION, QOS_*, TIMEOUT_SECONDS, KLUSTERLET_MODE (default, singleton or hosted), for
# hosted KLUSTERLET_CONTEXT, KLUSTERLET_KUBECONFIG (the hub) and SPOKE_INTERNAL_KUBECONFIG, and
# FORCE_INTERNAL_ENDPOINT_LOOKUP=false when HUB_API_SERVER is already the address to hand on, and
# REGISTRATION_AUTH=grpc with GRPC_SERVER (host:port) for a klusterlet that registers through the
# hub's gRPC server.
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
# gRPC registration (clusteradm v1.3.1 join --registration-auth grpc --grpc-server --grpc-ca-file): the
# klusterlet registers through the hub's gRPC server. Its CA is read from the hub, where the operator
# publishes it (ca-bundle-configmap), and handed to join as a file, as the hub CA is.
grpc_flags=() registration="${REGISTRATION_AUTH:-csr}"
case "$registration" in
csr) ;;
grpc)
    require_env GRPC_SERVER
    # Read once: init, which this step follows, waited for the server's certificate signed by this CA.
    if ! grpc_ca="$(kubectl --kubeconfig "$hub_kubeconfig" get configmap ca-bundle-configmap -n open-cluster-management-hub \
        -o 'jsonpath={.data.ca-bundle\.crt}' 2>"$OCM_LAB_TMP/err")" || [ -z "$grpc_ca" ]; then
        mask_secrets <"$OCM_LAB_TMP/err" >&2
        fail "could not read the CA of hub $HUB_NAME's gRPC server (configmap ca-bundle-configmap, key ca-bundle.crt)" \
            "kubectl --context $HUB_CONTEXT get configmap ca-bundle-configmap -n open-cluster-management-hub -o yaml"
    fi
    grpc_flags=(--registration-auth grpc --grpc-server "$GRPC_SERVER" --grpc-ca-file "$(secret_file grpc-ca.crt "$grpc_ca")")
    ;;
*) fail "REGISTRATION_AUTH is '${REGISTRATION_AUTH}'; it must be csr or grpc" \
    "report this as a bug in ocm-lab; the program sets REGISTRATION_AUTH from ocm-lab:registration(s)" ;;
esac
# kind and k3d: the klusterlet is handed the in-network address from the hub's cluster-info; existing:
# the one address every cluster reaches, as it is given.
endpoint_flags=(--force-internal-endpoint-lookup)
if [ "${FORCE_INTERNAL_ENDPOINT_LOOKUP:-true}" = false ]; then endpoint_flags=(); fi

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

    log "joining hub $HUB_API_SERVER_INTERNAL, klusterlet mode ${KLUSTERLET_MODE:-default}, registration $registration${GRPC_SERVER:+ via $GRPC_SERVER} (clusteradm waits up to ${TIMEOUT_SECONDS}s for the klusterlet)"
    if ! run_quiet clusteradm-join clusteradm join --kubeconfig "$klusterlet_kubeconfig" \
        --hub-token "$hub_token" --hub-apiserver "$HUB_API_SERVER" --ca-file "$hub_ca" \
        --cluster-name "$SPOKE_NAME" ${endpoint_flags[@]+"${endpoint_flags[@]}"} --bundle-version "$BUNDLE_VERSION" \
        ${mode_flags[@]+"${mode_flags[@]}"} ${grpc_flags[@]+"${grpc_flags[@]}"} "${QOS_FLAGS[@]}" --wait --timeout "$TIMEOUT_SECONDS"; then
        # join --wait waits for the ManagedCluster the klusterlet creates; one handed an address it
        # cannot reach never creates it. Say which address, when that is why.
        check_addresses
        fail "clusteradm join did not finish (output above, tokens masked)" "$join_next"
    fi
}

# check_addresses: the klusterlet was handed the hub's in-network address, and a gRPC klusterlet the
# lab's gRPC server, read back from its bootstrap secret (once join has applied it, which join --wait
# did before it returned: reading it once is enough). The secret is in the klusterlet's agent
# namespace: open-cluster-management-agent, or for a hosted one the namespace named after it on the hub.
check_addresses() {
    local agent_namespace=open-cluster-management-agent bootstrap grpc_url
    if [ "${KLUSTERLET_MODE:-default}" = hosted ]; then
        agent_namespace="$(hosted_klusterlet "$klusterlet_kubeconfig")"
        [ -n "$agent_namespace" ] || return 0
    fi
    bootstrap="$(kubectl --kubeconfig "$klusterlet_kubeconfig" get secret bootstrap-hub-kubeconfig \
        -n "$agent_namespace" -o 'jsonpath={.data.kubeconfig}' 2>/dev/null || true)"
    [ -n "$bootstrap" ] || return 0
    hub_server="$(printf '%s' "$bootstrap" | base64 --decode 2>/dev/null | sed -n 's/^ *server: *//p' || true)"
    hub_server="${hub_server%%$'\n'*}"
    if [ "$hub_server" != "$HUB_API_SERVER_INTERNAL" ]; then
        fail "the klusterlet points at '${hub_server}', not at $HUB_API_SERVER_INTERNAL, which is the hub address spokes can reach" \
            "kubectl --context $klusterlet_context get secret bootstrap-hub-kubeconfig -n $agent_namespace -o yaml; check kube-public/cluster-info on the hub"
    fi
    # A gRPC klusterlet's bootstrap secret also holds its gRPC config (config.yaml, which has the token:
    # only its url is read, deploy/klusterlet/chart templates/bootstrap_kubeconfig_secret.yaml in ocm v1.3.1).
    if [ "$registration" = grpc ]; then
        grpc_url="$(grpc_config_url bootstrap-hub-kubeconfig "$agent_namespace")"
        if [ "$grpc_url" != "$GRPC_SERVER" ]; then
            fail "the klusterlet registers through '${grpc_url}', not through $GRPC_SERVER, where the spokes reach the hub's gRPC server" \
                "kubectl --context $klusterlet_context get klusterlet klusterlet -o jsonpath='{.spec.registrationConfiguration}'"
        fi
    fi
}

# grpc_config_url SECRET NAMESPACE: the url of the gRPC config (config.yaml) in that secret of the
# klusterlet, empty when there is none. clusteradm and the agent write it with gopkg.in/yaml.v2, which
# puts a value that starts with a YAML indicator, as a bracketed IPv6 address does, in single quotes
# (clusteradm v1.3.1 pkg/cmd/join/exec.go setGRPCConfig through github.com/ghodss/yaml; ocm v1.3.1
# pkg/registration/register/grpc/spoke_driver.go loadConfig; go-yaml v2.4.0 emitterc.go
# yaml_emitter_analyze_scalar and yaml_emitter_select_scalar_style): the quotes are not the url's.
grpc_config_url() {
    local url
    url="$(kubectl --kubeconfig "$klusterlet_kubeconfig" get secret "$1" -n "$2" -o 'jsonpath={.data.config\.yaml}' 2>/dev/null |
        base64 --decode 2>/dev/null | sed -n 's/^url: *//p' || true)"
    url="${url%%$'\n'*}"
    url="${url%"${url##*[![:space:]]}"}"
    case "$url" in
    \'*\') url="${url:1:${#url}-2}" url="${url//\'\'/\'}" ;;
    \"*\") url="${url:1:${#url}-2}" ;;
    esac
    printf '%s' "$url"
}

# A gRPC klusterlet that holds a certificate from this hub keeps the gRPC config it registered with, in
# its hub-kubeconfig-secret, for as long as that certificate is valid: a new join changes only its
# bootstrap secret, and the agent, restarted, finds its hub kubeconfig still valid and goes on with
# the old url and CA (ocm v1.3.1 pkg/registration/register/common.go IsHubKubeconfigValid compares the
# API server, proxy and CA of the two kubeconfigs, nothing of the gRPC config; grpc/spoke_driver.go
# IsHubKubeConfigValid checks the certificate alone). A join handed another gRPC server would then
# report success for a klusterlet that still dials the old one: refuse it, before anything changes.
if [ "$registration" = grpc ] && [ "${KLUSTERLET_MODE:-default}" != hosted ]; then
    held_url="$(grpc_config_url hub-kubeconfig-secret open-cluster-management-agent)"
    if [ -n "$held_url" ] && [ "$held_url" != "$GRPC_SERVER" ]; then
        fail "the klusterlet of $SPOKE_NAME registered through the hub's gRPC server at $held_url and keeps that address and its CA in its hub-kubeconfig-secret; joining again would not move it to $GRPC_SERVER" \
            "register $SPOKE_NAME anew: remove it from ocm-lab:spokes and run up (its klusterlet is unjoined), then add it back and run up again"
    fi
fi

# The hosted klusterlet already registering this spoke, if any, so a re-run does not add a second.
hosted=""
if [ "${KLUSTERLET_MODE:-default}" = hosted ]; then hosted="$(hosted_klusterlet "$klusterlet_kubeconfig")"; fi
if [ -n "$hosted" ]; then
    log "already joined: klusterlet $hosted on $klusterlet_context hosts $SPOKE_NAME's agents"
else
    mint_and_join
fi
if [ "${KLUSTERLET_MODE:-default}" = hosted ] && [ -z "$(hosted_klusterlet "$klusterlet_kubeconfig")" ]; then
    fail "clusteradm join returned but no klusterlet on $klusterlet_context registers $SPOKE_NAME" \
        "kubectl --context $klusterlet_context get klusterlets -o wide"
fi
hub_server=""
check_addresses
# Hosted means no agent on the spoke: one there is a klusterlet from before (the spoke not rebuilt),
# whose pods run already: one look is enough.
if [ "${KLUSTERLET_MODE:-default}" = hosted ]; then
    agents="$(kubectl --kubeconfig "$spoke_kubeconfig" get pods -n open-cluster-management-agent -o name 2>/dev/null || true)"
    if [ -n "$agents" ]; then
        fail "$SPOKE_NAME is hosted from $klusterlet_context but runs agent pods of its own: $(printf '%s' "$agents" | paste -sd' ' -)" \
            "clusteradm unjoin --context $SPOKE_CONTEXT --cluster-name $SPOKE_NAME, or rebuild the spoke: npm run pulumi -- up --replace <URN of its -cluster resource>"
    fi
fi
log "klusterlet registered against $hub_server (${KLUSTERLET_MODE:-default} mode, $registration registration${GRPC_SERVER:+ via $GRPC_SERVER}, running on $klusterlet_context)"
