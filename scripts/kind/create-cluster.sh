#!/usr/bin/env bash
set -euo pipefail
# Creates one kind cluster on the lab's docker network unless it already exists, without touching
# the user's kubeconfig. Reads CLUSTER_NAME, NODE_IMAGE, NETWORK_NAME, TIMEOUT_SECONDS, and
# KIND_CONFIG (kind's cluster config with the image cache's mirrors; empty without the cache).
STEP=create CLUSTER="${CLUSTER_NAME:-?}"
# shellcheck source=../lib.sh
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_env CLUSTER_NAME NODE_IMAGE NETWORK_NAME TIMEOUT_SECONDS

# kind runs every node in containers that share the host's inotify limits; with the usual defaults
# the third cluster's kubelet fails to start, so say so before it happens.
limit_file=/proc/sys/fs/inotify/max_user_instances
if [ -r "$limit_file" ] && [ "$(cat "$limit_file")" -lt 512 ]; then
    log "fs.inotify.max_user_instances is $(cat "$limit_file"); kind labs with 3+ clusters need 512 or more:" \
        "sudo sysctl fs.inotify.max_user_instances=512 fs.inotify.max_user_watches=524288"
fi

# A cluster of this name with the lab's mark that answers was made by an earlier run: kept. One that does not answer
# was started by a run that was interrupted: pulumi-command stops a step by killing its interpreter
# only, so a create it ran goes on, and is waited for; a create that was itself killed leaves the
# cluster half made (kind rolls back only on its own errors, not on a signal: kind v0.24.0 pkg/cluster/internal/create/create.go),
# so it is deleted and made again.
# shellcheck disable=SC2317 # called through wait_for
cluster_answers() {
    kind get kubeconfig --name "$CLUSTER_NAME" >"$OCM_LAB_TMP/existing.kubeconfig" 2>/dev/null &&
        kubectl --kubeconfig "$OCM_LAB_TMP/existing.kubeconfig" --request-timeout=10s get --raw /readyz >/dev/null 2>&1
}
# shellcheck disable=SC2317 # called through wait_for
create_done() { ! pgrep -f "kind create cluster --name $CLUSTER_NAME( |$)" >/dev/null 2>&1; }
# A listing that fails tells nothing: stop rather than take it for "no such cluster".
if ! kind get clusters >"$OCM_LAB_TMP/kind-list.log" 2>&1; then
    cat "$OCM_LAB_TMP/kind-list.log" >&2
    fail "kind could not list its clusters (output above), so whether one of this name exists is unknown; nothing was made" \
        "kind get clusters (docker info must answer), then run the same command again"
fi
if grep -x "$CLUSTER_NAME" "$OCM_LAB_TMP/kind-list.log" >/dev/null; then
    # A create still going is waited for first: its API server answers once kubeadm init is done,
    # before the create installs the CNI and storage and joins the other nodes (kind v0.24.0
    # pkg/cluster/internal/create/create.go:110-125).
    waited=""
    if ! create_done; then
        log "a create of this cluster that an interrupted run started is still going; waiting for it"
        wait_for "the earlier create to finish" "$TIMEOUT_SECONDS" create_done || true
        waited=yes
    fi
    # Then kept, or made again, only when it carries the lab's mark (lib.sh lab_mark); a same-named
    # cluster made otherwise is left as it is.
    require_lab_mark "$CLUSTER_NAME-control-plane" "kind delete cluster --name $CLUSTER_NAME" \
        "give the lab's cluster another name (pulumi config set ocm-lab:hubName NAME for the hub, pulumi config set --path 'ocm-lab:spokes[N]' NAME for a spoke), or delete that cluster if nothing needs it (kind delete cluster --name $CLUSTER_NAME), then run the same command again"
    if create_done && cluster_answers; then
        if [ -n "$waited" ]; then
            log "kind cluster made by the earlier create; keeping it"
        else
            log "kind cluster already exists; keeping it"
        fi
        exit 0
    fi
    create_done || fail "a create of this cluster that an interrupted run started has not finished within ${TIMEOUT_SECONDS}s" \
        "pgrep -fl 'kind create cluster --name $CLUSTER_NAME( |$)'; when it is done, run the same command again"
    log "kind cluster is half made (its API server does not answer, no create is running): deleting it to make it again"
    if ! run_quiet kind-delete kind delete cluster --name "$CLUSTER_NAME" --kubeconfig "$OCM_LAB_TMP/kubeconfig"; then
        fail "could not delete the half-made cluster (output above)" "kind delete cluster --name $CLUSTER_NAME, then run the same command again"
    fi
fi

# kind puts its nodes on the network this names instead of its own `kind` network.
export KIND_EXPERIMENTAL_DOCKER_NETWORK="$NETWORK_NAME"
config_args=()
if [ -n "${KIND_CONFIG:-}" ]; then
    printf '%s\n' "$KIND_CONFIG" >"$OCM_LAB_TMP/kind-config.yaml"
    config_args=(--config "$OCM_LAB_TMP/kind-config.yaml")
    log "nodes pull through the lab's registry mirrors (imageCache)"
fi

log "creating the cluster with $NODE_IMAGE on network $NETWORK_NAME (kind waits up to ${TIMEOUT_SECONDS}s for the control plane)"
if ! run_quiet kind-create kind create cluster --name "$CLUSTER_NAME" --image "$NODE_IMAGE" ${config_args[@]+"${config_args[@]}"} \
    --kubeconfig "$OCM_LAB_TMP/kubeconfig" --wait "${TIMEOUT_SECONDS}s"; then
    fail "kind could not create the cluster (output above)" \
        "kind delete cluster --name $CLUSTER_NAME, then run the same command again   # docker ps -a shows a half-made node"
fi
log "created"
