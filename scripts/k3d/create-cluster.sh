#!/usr/bin/env bash
set -euo pipefail
# Creates one k3d cluster on the lab's docker network unless it exists; leaves ~/.kube/config alone.
# Reads CLUSTER_NAME, NODE_IMAGE, NETWORK_NAME, TIMEOUT_SECONDS, and REGISTRY_CONFIG (a k3s
# registries.yaml with the image cache's mirrors; empty without the cache).
STEP=create CLUSTER="${CLUSTER_NAME:-?}"
# shellcheck source=../lib.sh
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_env CLUSTER_NAME NODE_IMAGE NETWORK_NAME TIMEOUT_SECONDS

if k3d cluster get "$CLUSTER_NAME" >/dev/null 2>&1; then
    log "k3d cluster already exists; keeping it"
    exit 0
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
    fail "k3d could not create the cluster (output above)" "k3d cluster delete $CLUSTER_NAME && pulumi up"
fi
log "created"
