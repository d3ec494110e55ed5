#!/usr/bin/env bash
set -euo pipefail
# runtime existing: prints, on stdout, a kubeconfig of its own for the cluster of kubectl context
# CONTEXT, read from the user's kubeconfig (KUBECONFIG, or ~/.kube/config) as Pulumi runs; the
# program keeps it as a secret. Checks first that the cluster answers through it and, for the hub
# when its server is what klusterlets will be handed (HANDED_TO_SPOKES=true), that the server is
# not a loopback address. Reads CLUSTER_NAME, CONTEXT, HANDED_TO_SPOKES.
STEP=connect CLUSTER="${CLUSTER_NAME:-?}"
# shellcheck source=../lib.sh
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_env CLUSTER_NAME CONTEXT
set_context="pulumi config set --path 'ocm-lab:contexts.$CLUSTER_NAME' <context>"

# --minify keeps the one context (and its cluster and user), --flatten inlines certificate files.
if ! kubectl config view --minify --flatten --context "$CONTEXT" >"$OCM_LAB_TMP/kubeconfig" 2>"$OCM_LAB_TMP/err"; then
    cat "$OCM_LAB_TMP/err" >&2
    fail "kubectl has no context $CONTEXT in ${KUBECONFIG:-~/.kube/config}" \
        "kubectl config get-contexts, then $set_context (or export the KUBECONFIG that has it and run the same pulumi command again)"
fi
server="$(sed -n 's/^ *server: *//p' "$OCM_LAB_TMP/kubeconfig")"
server="${server%%$'\n'*}"
if [ -z "$server" ]; then
    fail "context $CONTEXT names no cluster server" "kubectl config view --minify --context $CONTEXT"
fi
if [ "${HANDED_TO_SPOKES:-}" = true ]; then
    case "$server" in
    https://localhost[:/]* | https://localhost | https://127.* | https://0.0.0.0* | https://\[::1\]*)
        fail "the hub's server in context $CONTEXT is $server, a loopback address: every spoke's klusterlet would look for the hub on its own machine (the register page's warning about 127.0.0.1)" \
            "pulumi config set ocm-lab:hubApiServer https://<an address of the hub every spoke and this machine reach>:<port>"
        ;;
    esac
fi
# Asked once: a cluster of the user's is up or it is not; one that does not answer is reported, not
# waited for (it may be down, or out of reach, for good).
if ! kubectl --kubeconfig "$OCM_LAB_TMP/kubeconfig" --request-timeout=20s get --raw /readyz \
    >/dev/null 2>"$OCM_LAB_TMP/err"; then
    mask_secrets <"$OCM_LAB_TMP/err" >&2
    fail "the cluster of context $CONTEXT ($server) does not answer (output above)" \
        "kubectl --context $CONTEXT get --raw /readyz; when it answers, run the same pulumi command again"
fi
log "connected to $server through context $CONTEXT"
cat "$OCM_LAB_TMP/kubeconfig"
