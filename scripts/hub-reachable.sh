#!/usr/bin/env bash
set -euo pipefail
# Before a spoke joins, checks from inside it that each hub address its klusterlet will be handed opens
# a connection, with a short-lived pod (`nc -z`) that is removed again: the hub's API server for a
# spoke of runtime existing, the hub's gRPC server for a spoke that registers with grpc. A spoke that
# cannot reach them would join and then never get a certificate. Reads SPOKE_NAME, SPOKE_CONTEXT,
# SPOKE_KUBECONFIG, HUB_CONTEXT, PROBE_IMAGE, TIMEOUT_SECONDS, and HUB_API_SERVER_INTERNAL (https://host[:port])
# and/or GRPC_SERVER (host:port).
STEP=hub-reachable CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env SPOKE_NAME SPOKE_CONTEXT SPOKE_KUBECONFIG HUB_CONTEXT PROBE_IMAGE TIMEOUT_SECONDS
if [ -z "${HUB_API_SERVER_INTERNAL:-}" ] && [ -z "${GRPC_SERVER:-}" ]; then
    fail "neither HUB_API_SERVER_INTERNAL nor GRPC_SERVER is set: nothing to check" \
        "report this as a bug in ocm-lab; the program sets them from the hub"
fi
spoke_kubeconfig="$(secret_file spoke.kubeconfig "$SPOKE_KUBECONFIG")"
pod=ocm-lab-hub-probe namespace=default

remove_probe() {
    kubectl --kubeconfig "$spoke_kubeconfig" --request-timeout=20s delete pod "$pod" -n "$namespace" \
        --ignore-not-found --wait=false >/dev/null 2>&1 || true
}
phase() {
    kubectl --kubeconfig "$spoke_kubeconfig" get pod "$pod" -n "$namespace" -o 'jsonpath={.status.phase}' 2>/dev/null || true
}
# shellcheck disable=SC2317 # called through wait_for
probe_finished() {
    case "$(phase)" in Succeeded | Failed) return 0 ;; *) return 1 ;; esac
}

# probe WHAT ADDRESS FIX: a pod on the spoke connects to ADDRESS (https://host[:port] or host:port,
# an IPv6 host in brackets; 443, the port of https, when none is given), WHAT of the hub; FIX is what
# to change when it cannot.
probe() {
    local what="$1" given="$2" fix="$3" address host port by_hand result
    address="${given#https://}"
    address="${address%%/*}"
    case "$address" in
    \[*\]) host="${address:1:${#address}-2}" port=443 ;;
    \[*\]:*) host="${address%%]:*}" host="${host:1}" port="${address##*]:}" ;;
    *:*) host="${address%:*}" port="${address##*:}" ;;
    *) host="$address" port=443 ;;
    esac
    by_hand="kubectl --context $SPOKE_CONTEXT run hub-probe -n $namespace --rm -i --restart=Never --image=$PROBE_IMAGE -- nc -zv -w 5 $host $port"

    remove_probe # one left by an interrupted run
    if ! kubectl --kubeconfig "$spoke_kubeconfig" --request-timeout=20s run "$pod" -n "$namespace" --image="$PROBE_IMAGE" \
        --restart=Never --labels=app.kubernetes.io/managed-by=ocm-lab --command -- nc -z -w 5 "$host" "$port" \
        >/dev/null 2>"$OCM_LAB_TMP/err"; then
        mask_secrets <"$OCM_LAB_TMP/err" >&2
        fail "could not start a probe pod in namespace $namespace (output above)" "$by_hand"
    fi
    # A pod that never finishes stays for a look; the next run of this step removes it first.
    if ! wait_for "a pod on $SPOKE_NAME to connect to $what at $host:$port" "$TIMEOUT_SECONDS" probe_finished; then
        fail "the probe pod on $SPOKE_NAME did not finish within ${TIMEOUT_SECONDS}s (its image $PROBE_IMAGE may not be pullable there)" \
            "kubectl --context $SPOKE_CONTEXT describe pod $pod -n $namespace (the step removes it when it runs again)"
    fi
    # One connection, not a retry loop: the address either opens from the spoke or a firewall, a name
    # only the host resolves or a server not exposed there stops it, which waiting would only delay
    # reporting. A gRPC server this probes was Available, its NodePort Service applied, before init
    # ended, well before this pod was scheduled and its image pulled.
    result="$(phase)"
    remove_probe
    if [ "$result" != Succeeded ]; then
        fail "a pod on $SPOKE_NAME could not connect to $what at $given, which its klusterlet would be handed" \
            "$by_hand; then $fix"
    fi
    log "a pod on $SPOKE_NAME reached $what at $host:$port"
}

if [ -n "${HUB_API_SERVER_INTERNAL:-}" ]; then
    probe "the hub" "$HUB_API_SERVER_INTERNAL" \
        "set an address of the hub every spoke reaches: pulumi config set ocm-lab:hubApiServer https://<address>:<port>"
fi
if [ -n "${GRPC_SERVER:-}" ]; then
    probe "the hub's gRPC server" "$GRPC_SERVER" \
        "check the hub serves it there: kubectl --context $HUB_CONTEXT get deploy,svc -n open-cluster-management-hub | grep grpc-server (runtime existing: expose it and set ocm-lab:hubGrpcServer <host>:<port>)"
fi
