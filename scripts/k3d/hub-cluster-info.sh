#!/usr/bin/env bash
set -euo pipefail
# k3s has no kube-public/cluster-info, and clusteradm init would make one with the host's 0.0.0.0
# address. Creates it with the in-network API address instead. Reads HUB_NAME, HUB_KUBECONFIG,
# HUB_CA_DATA (base64 PEM), HUB_API_SERVER_INTERNAL.
STEP=cluster-info CLUSTER="${HUB_NAME:-?}"
# shellcheck source=../lib.sh
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_env HUB_NAME HUB_KUBECONFIG HUB_CA_DATA HUB_API_SERVER_INTERNAL

hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"
kc() { kubectl --kubeconfig "$hub_kubeconfig" "$@"; }

# Read once: k3s makes no cluster-info and nothing but this step writes one before init runs.
current="$(kc get configmap cluster-info -n kube-public -o 'jsonpath={.data.kubeconfig}' 2>/dev/null || true)"
# grep reads all input (no -q): under pipefail an early exit could fail the pipeline.
if printf '%s\n' "$current" | grep -x " *server: ${HUB_API_SERVER_INTERNAL}" >/dev/null &&
    printf '%s\n' "$current" | grep -x " *certificate-authority-data: ${HUB_CA_DATA}" >/dev/null; then
    log "cluster-info already points at $HUB_API_SERVER_INTERNAL"
    exit 0
fi
if [ -n "$current" ]; then
    # Treated as immutable (kubeadm convention): replace rather than edit in place.
    log "cluster-info holds another address or CA; recreating it"
    kc delete configmap cluster-info -n kube-public >/dev/null
fi

cat >"$OCM_LAB_TMP/cluster-info" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: ""
  cluster:
    certificate-authority-data: ${HUB_CA_DATA}
    server: ${HUB_API_SERVER_INTERNAL}
contexts: null
current-context: ""
preferences: {}
users: null
KUBECONFIG
if ! kc create configmap cluster-info -n kube-public --from-file=kubeconfig="$OCM_LAB_TMP/cluster-info" >/dev/null; then
    fail "could not create kube-public/cluster-info" \
        "kubectl --context k3d-$HUB_NAME get configmap cluster-info -n kube-public -o yaml"
fi
log "cluster-info points at $HUB_API_SERVER_INTERNAL"
