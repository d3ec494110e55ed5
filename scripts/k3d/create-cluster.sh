#!/usr/bin/env bash
set -euo pipefail
# Creates one k3d cluster on the lab's docker network unless it exists; leaves ~/.kube/config alone.
# Reads CLUSTER_NAME, NODE_IMAGE, NETWORK_NAME, TIMEOUT_SECONDS, and REGISTRY_CONFIG (a k3s
# registries.yaml with the image cache's mirrors; empty without the cache).
STEP=create CLUSTER="${CLUSTER_NAME:-?}"
# shellcheck source=../lib.sh
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_env CLUSTER_NAME NODE_IMAGE NETWORK_NAME TIMEOUT_SECONDS

# A cluster of this name with the lab's mark that answers was made by an earlier run: kept. One that does not answer
# was started by a run that was interrupted: pulumi-command stops a step by killing its interpreter
# only, so a create it ran goes on, and is waited for; a create that was itself killed leaves the
# cluster half made (k3d rolls back only on its own errors, not on a signal: k3d v5.8.3 pkg/client/cluster.go),
# so it is deleted and made again.
# shellcheck disable=SC2317 # called through wait_for
cluster_answers() {
    k3d kubeconfig get "$CLUSTER_NAME" >"$OCM_LAB_TMP/existing.kubeconfig" 2>/dev/null &&
        kubectl --kubeconfig "$OCM_LAB_TMP/existing.kubeconfig" --request-timeout=10s get --raw /readyz >/dev/null 2>&1
}
# shellcheck disable=SC2317 # called through wait_for
create_done() { ! pgrep -f "k3d cluster create $CLUSTER_NAME( |$)" >/dev/null 2>&1; }
# A lookup that fails tells nothing: stop rather than take it for "no such cluster".
found="$(k3d_lookup "$CLUSTER_NAME")"
if [ "$found" = unknown ]; then
    cat "$OCM_LAB_TMP/k3d-get.log" >&2
    fail "k3d could not look the cluster up (output above), so whether one of this name exists is unknown; nothing was made" \
        "k3d cluster list (docker info must answer), then run the same command again"
fi
if [ "$found" = found ]; then
    # A create still going is waited for first: it goes on after the servers start, with the agents
    # and then the helpers, the load balancer among them (k3d v5.8.3 pkg/client/cluster.go:903-1007);
    # a node k3d lists may come before the server's container does.
    waited=""
    if ! create_done; then
        log "a create of this cluster that an interrupted run started is still going; waiting for it"
        wait_for "the earlier create to finish" "$TIMEOUT_SECONDS" create_done || true
        waited=yes
    fi
    # Then kept, or made again, only when it carries the lab's mark (lib.sh lab_mark); a same-named
    # cluster made otherwise is left as it is.
    require_lab_mark "k3d-$CLUSTER_NAME-server-0" "k3d cluster delete $CLUSTER_NAME" \
        "give the lab's cluster another name (pulumi config set ocm-lab:hubName NAME for the hub, pulumi config set --path 'ocm-lab:spokes[N]' NAME for a spoke), or delete that cluster if nothing needs it (k3d cluster delete $CLUSTER_NAME), then run the same command again"
    if create_done && cluster_answers; then
        if [ -n "$waited" ]; then
            log "k3d cluster made by the earlier create; keeping it"
        else
            log "k3d cluster already exists; keeping it"
        fi
        exit 0
    fi
    create_done || fail "a create of this cluster that an interrupted run started has not finished within ${TIMEOUT_SECONDS}s" \
        "pgrep -fl 'k3d cluster create $CLUSTER_NAME( |$)'; when it is done, run the same command again"
    log "k3d cluster is half made (its API server does not answer, no create is running): deleting it to make it again"
    if ! run_quiet k3d-delete k3d cluster delete "$CLUSTER_NAME"; then
        fail "could not delete the half-made cluster (output above)" "k3d cluster delete $CLUSTER_NAME, then run the same command again"
    fi
fi

config_args=()
if [ -n "${REGISTRY_CONFIG:-}" ]; then
    printf '%s\n' "$REGISTRY_CONFIG" >"$OCM_LAB_TMP/registries.yaml"
    config_args=(--registry-config "$OCM_LAB_TMP/registries.yaml")
    log "nodes pull through the lab's registry mirrors (imageCache)"
fi

# traefik is off: its ServiceLB claims port 443 on the node, which collides with the add-on later.
# The tls-san lets other clusters on the network verify the API server by its container name.
log "creating the cluster with $NODE_IMAGE on network $NETWORK_NAME (k3d waits up to ${TIMEOUT_SECONDS}s)"
if ! run_quiet k3d-create k3d cluster create "$CLUSTER_NAME" --image "$NODE_IMAGE" --network "$NETWORK_NAME" \
    --k3s-arg "--disable=traefik@server:*" \
    --k3s-arg "--tls-san=k3d-${CLUSTER_NAME}-server-0@server:*" \
    ${config_args[@]+"${config_args[@]}"} --wait --timeout "${TIMEOUT_SECONDS}s" \
    --kubeconfig-update-default=false --kubeconfig-switch-context=false; then
    fail "k3d could not create the cluster (output above)" "k3d cluster delete $CLUSTER_NAME, then run the same command again"
fi
log "created"
