#!/usr/bin/env bash
set -euo pipefail
# Installs the OCM hub with the pinned bundle (create-or-patch, safe to re-run) and waits for the hub
# controllers later steps use; with a gRPC spoke, also for the gRPC server, where spokes reach it.
# Reads HUB_NAME, HUB_CONTEXT, HUB_KUBECONFIG, BUNDLE_VERSION, QOS_*, TIMEOUT_SECONDS, and with a gRPC
# spoke GRPC_SERVER_HOST (the host its certificate covers) and on kind and k3d GRPC_NODE_PORT.
STEP=init CLUSTER="${HUB_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env HUB_NAME HUB_CONTEXT HUB_KUBECONFIG BUNDLE_VERSION TIMEOUT_SECONDS
set_qos_flags
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"
hub_namespace=open-cluster-management-hub

# gRPC registration (clusteradm v1.3.1 pkg/cmd/init/exec.go): the grpc driver beside csr, exposed by
# host name. The operator's serving certificate then covers that host besides the Service's own name
# (ocm v1.3.1 pkg/operator/helpers/helpers.go GRPCServerHostNames).
grpc_flags=()
if [ -n "${GRPC_SERVER_HOST:-}" ]; then
    grpc_flags=(--registration-drivers "csr,grpc" --grpc-endpoint-type hostname --grpc-server "$GRPC_SERVER_HOST")
fi

log "installing the OCM hub, bundle $BUNDLE_VERSION (clusteradm waits up to ${TIMEOUT_SECONDS}s)"
# init prints a ready join command with a token in it: its output stays in the private log.
if ! run_quiet clusteradm-init clusteradm init --kubeconfig "$hub_kubeconfig" --bundle-version "$BUNDLE_VERSION" \
    "${QOS_FLAGS[@]}" ${grpc_flags[@]+"${grpc_flags[@]}"} --wait --timeout "$TIMEOUT_SECONDS"; then
    fail "clusteradm init did not finish (output above, tokens masked)" \
        "kubectl --context $HUB_CONTEXT get pods -n open-cluster-management"
fi

# init --wait covers the operator and the registration controller only; accept needs the webhooks,
# placement and the add-on manager too, and the add-on chart's ClusterManagementAddOn goes through
# the add-on webhook.
for deployment in cluster-manager-registration-controller cluster-manager-registration-webhook \
    cluster-manager-work-webhook cluster-manager-placement-controller cluster-manager-addon-manager-controller \
    cluster-manager-addon-webhook; do
    if ! wait_for "deployment $deployment" "$TIMEOUT_SECONDS" \
        condition_true "$hub_kubeconfig" deployment "$deployment" "$hub_namespace" Available; then
        fail "hub deployment $deployment was not Available within ${TIMEOUT_SECONDS}s" \
            "kubectl --context $HUB_CONTEXT describe deployment $deployment -n $hub_namespace"
    fi
done
log "hub controllers are ready"

# The lab's NodePort in front of the operator's ClusterIP Service (runtimes/runtime.ts grpcNodePort),
# so that spokes on the lab's network reach the gRPC server at <hub node>:<port>; gone again when no
# spoke registers with grpc. runtime existing never has one: the user exposes the server there.
grpc_service=ocm-lab-grpc-server
if [ -z "${GRPC_SERVER_HOST:-}" ]; then
    if ! run_quiet delete-grpc-service kubectl --kubeconfig "$hub_kubeconfig" delete service "$grpc_service" \
        -n "$hub_namespace" --ignore-not-found; then
        fail "could not remove the gRPC NodePort service $grpc_service (output above)" \
            "kubectl --context $HUB_CONTEXT delete service $grpc_service -n $hub_namespace"
    fi
    exit 0
fi
# The server must present a certificate for the host the spokes dial, signed by the CA they are handed:
# the operator's cert-rotation controller issues it (secret grpc-server-serving-cert, for the
# --grpc-server host: ocm v1.3.1 pkg/operator/helpers/helpers.go:931-991) once the server is wanted.
# ca-bundle-configmap alone shows nothing: the operator publishes it on every hub, gRPC or not
# (certrotation_controller.go:207-304). The pod mounts the secret, so once the deployment is Available
# after the certificate exists, the server serves it.
command -v openssl >/dev/null 2>&1 ||
    fail "openssl is needed to check the certificate of the hub's gRPC server" "install openssl, then run the same pulumi command again"
# shellcheck disable=SC2317 # called through wait_for
grpc_certificate_issued() {
    kubectl --kubeconfig "$hub_kubeconfig" get secret grpc-server-serving-cert -n "$hub_namespace" \
        -o 'jsonpath={.data.tls\.crt}' 2>/dev/null | base64 --decode >"$OCM_LAB_TMP/grpc-server.crt" 2>/dev/null || true
    kubectl --kubeconfig "$hub_kubeconfig" get configmap ca-bundle-configmap -n "$hub_namespace" \
        -o 'jsonpath={.data.ca-bundle\.crt}' >"$OCM_LAB_TMP/grpc-ca.crt" 2>/dev/null || true
    [ -s "$OCM_LAB_TMP/grpc-server.crt" ] && [ -s "$OCM_LAB_TMP/grpc-ca.crt" ] &&
        openssl verify -CAfile "$OCM_LAB_TMP/grpc-ca.crt" "$OCM_LAB_TMP/grpc-server.crt" >/dev/null 2>&1 &&
        openssl x509 -in "$OCM_LAB_TMP/grpc-server.crt" -noout -text 2>/dev/null |
        grep -E "DNS:${GRPC_SERVER_HOST//./\\.}(,|\$)" >/dev/null
}
if ! wait_for "the gRPC server's certificate for $GRPC_SERVER_HOST (secret grpc-server-serving-cert)" "$TIMEOUT_SECONDS" \
    grpc_certificate_issued; then
    fail "the hub's gRPC server has no certificate for $GRPC_SERVER_HOST signed by its CA (secret grpc-server-serving-cert) within ${TIMEOUT_SECONDS}s" \
        "kubectl --context $HUB_CONTEXT get secret grpc-server-serving-cert -n $hub_namespace -o jsonpath='{.data.tls\\.crt}' | base64 -d | openssl x509 -noout -text | grep DNS"
fi
if ! wait_for "the hub's gRPC server (deployment cluster-manager-grpc-server)" "$TIMEOUT_SECONDS" \
    condition_true "$hub_kubeconfig" deployment cluster-manager-grpc-server "$hub_namespace" Available; then
    fail "the hub's gRPC server (deployment cluster-manager-grpc-server) was not Available within ${TIMEOUT_SECONDS}s" \
        "kubectl --context $HUB_CONTEXT describe deployment cluster-manager-grpc-server -n $hub_namespace"
fi
if [ -n "${GRPC_NODE_PORT:-}" ]; then
    if ! kubectl --kubeconfig "$hub_kubeconfig" apply -f - >/dev/null 2>"$OCM_LAB_TMP/err" <<SERVICE; then
apiVersion: v1
kind: Service
metadata:
  name: $grpc_service
  namespace: $hub_namespace
  labels:
    app.kubernetes.io/managed-by: ocm-lab
spec:
  type: NodePort
  selector:
    app: cluster-manager-grpc-server
  ports:
    - name: grpc
      protocol: TCP
      port: 8090
      targetPort: 8090
      nodePort: $GRPC_NODE_PORT
SERVICE
        mask_secrets <"$OCM_LAB_TMP/err" >&2
        fail "could not serve the gRPC server at NodePort $GRPC_NODE_PORT (output above; another Service may hold the port)" \
            "kubectl --context $HUB_CONTEXT get services -A | grep $GRPC_NODE_PORT"
    fi
fi
log "the hub's gRPC server is ready for $GRPC_SERVER_HOST${GRPC_NODE_PORT:+:$GRPC_NODE_PORT}"
