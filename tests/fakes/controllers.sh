# What upstream's controllers and agents do on their own, after the fake CLIs have started them: the
# effects fakelib.sh's `later` schedules and `settle` runs when their time has come. Each one checks
# that what it acts on is still there, as the controller it stands for would. The delays are chosen
# where the effects are scheduled (tests/fakes/clusteradm), each with its upstream source.
# Sourced by fakelib.sh; every function works on paths relative to $FAKE_STATE.
# shellcheck shell=bash

# --- cluster-manager operator (ocm v1.3.1 pkg/operator/operators/clustermanager) -------------------

# deployment_available NODE NAMESPACE NAME: the deployment's pods are up (image pulled, started).
deployment_available() {
    local object="$FAKE_STATE/clusters/$1/objects/deployment/$2/$3"
    [ -d "$object" ] || return 0
    mkdir -p "$object/conditions"
    echo True >"$object/conditions/Available"
}

# ca_bundle_published NODE: the operator's cert-rotation controller publishes its signer CA as
# ca-bundle-configmap on every hub, gRPC or not (certrotation_controller.go:207-304, started
# unconditionally by options.go:132,159); the gRPC server's certificate is signed by it.
ca_bundle_published() {
    local dir="$FAKE_STATE/clusters/$1" bundle
    [ -d "$dir/hub" ] || return 0
    bundle="$dir/objects/configmap/open-cluster-management-hub/ca-bundle-configmap"
    mkdir -p "$bundle/data"
    cp "$dir/grpc-ca.pem" "$bundle/data/ca-bundle.crt"
}

# grpc_cert_issued NODE: the cert-rotation controller issues the gRPC server's serving certificate
# (secret grpc-server-serving-cert) for the names GRPCServerHostNames gives (helpers.go:931-991): the
# Service's own name and the --grpc-server host, here in hub/grpc-wanted; once issued, those are the
# names the server presents (hub/grpc-names). Nothing while the gRPC server is not wanted.
grpc_cert_issued() {
    local dir="$FAKE_STATE/clusters/$1" secret names
    [ -f "$dir/hub/grpc-wanted" ] || return 0
    secret="$dir/objects/secret/open-cluster-management-hub/grpc-server-serving-cert"
    mkdir -p "$secret/data" "$secret/conditions"
    names="$(paste -sd, "$dir/hub/grpc-wanted" | sed 's/^/DNS:/; s/,/,DNS:/g')"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=cluster-manager-grpc-server" \
        -keyout "$secret/tls.key" -out "$secret/tls.csr" 2>/dev/null
    openssl x509 -req -in "$secret/tls.csr" -CA "$dir/grpc-ca.pem" -CAkey "$dir/grpc-ca.key" -CAcreateserial -days 2 \
        -extfile <(printf 'subjectAltName=%s\n' "$names") -out "$secret/tls.crt.pem" 2>/dev/null
    base64 <"$secret/tls.crt.pem" | tr -d '\n' >"$secret/data/tls.crt"
    rm -f "$secret/tls.csr" "$secret/tls.key" "$secret/tls.crt.pem" "$dir/grpc-ca.srl"
    echo 0 >"$secret/pending-polls"
    cp "$dir/hub/grpc-wanted" "$dir/hub/grpc-names"
}

# --- klusterlet registration agent (ocm v1.3.1 pkg/registration/spoke/spokeagent.go) --------------

# csr_filed AGENT_DIR ID HUB_NODE NAME: a bootstrapping agent files its CSR (generateName <NAME>-,
# label open-cluster-management.io/cluster-name, CN system:open-cluster-management:<NAME>:<ID>:
# register/csr/csr.go:429-482), unless it was restarted meanwhile (a new id) or already holds a
# certificate. It becomes the klusterlet the hub's records for NAME follow.
csr_filed() {
    local agent="$FAKE_STATE/$1" hub="$FAKE_STATE/clusters/$3/hub"
    klusterlet_alive "$agent" "$2" && [ ! -f "$agent/certified" ] && [ -d "$hub" ] || return 0
    mkdir -p "$hub/csrs/$4" "$hub/klusterlets/$4"
    [ -f "$hub/csrs/$4/$2" ] || echo "pending $(now_ms)" >"$hub/csrs/$4/$2"
    [ -f "$hub/klusterlets/$4/$2" ] || echo "$1" >"$hub/klusterlets/$4/$2"
}

# managed_cluster_created AGENT_DIR ID HUB_NODE NAME MANAGED_NODE: the bootstrapping agent creates
# its ManagedCluster when there is none (creating_controller.go:52-92; concurrently with the CSR,
# spokeagent.go:313-314). The fake's own records: which cluster it manages, which klusterlet serves it.
managed_cluster_created() {
    local agent="$FAKE_STATE/$1" hub="$FAKE_STATE/clusters/$3/hub" mc
    klusterlet_alive "$agent" "$2" && [ -d "$hub" ] || return 0
    mc="$hub/managedclusters/$4"
    mkdir -p "$mc"
    [ -f "$mc/accepted" ] || echo false >"$mc/accepted"
    [ -f "$mc/created" ] || now_ms >"$mc/created"
    echo "$5" >"$mc/spoke"
    echo "$1" >"$mc/agent"
}

# certified AGENT_DIR ID HUB_NODE NAME: kube-controller-manager signed the approved CSR and the agent
# stored the certificate in hub-kubeconfig-secret, then started its hub controllers (the lease, the
# status controller) within its 1 s poll (csr.go:92-174, spokeagent.go:327-476).
certified() {
    local agent="$FAKE_STATE/$1" hub="$FAKE_STATE/clusters/$3/hub"
    klusterlet_alive "$agent" "$2" && [ ! -f "$agent/certified" ] || return 0
    now_ms >"$agent/certified"
    mkdir -p "$hub/klusterlets/$4"
    printf '%s %s\n' "$1" "$(<"$agent/certified")" >"$hub/klusterlets/$4/$2"
}

# --- work agent (ocm v1.3.1 pkg/work/spoke) -----------------------------------------------------------

# work_finalized HUB_NODE CLUSTER WORK: the work agent removed what a deleted ManifestWork applied and
# then its finalizer (manifestwork_finalize_controller.go:124-149,
# appliedmanifestwork_finalize_controller.go:83-135), if the agent still runs.
work_finalized() {
    local hub="$FAKE_STATE/clusters/$1" work spoke pod
    work="$hub/hub/manifestworks/$2/$3"
    [ -f "$work.deleting" ] || return 0
    work_agent_running "$1" "$2" || return 0
    spoke="$(<"$hub/hub/managedclusters/$2/spoke")"
    pod="$FAKE_STATE/clusters/$spoke/objects/pod/$(<"$work")"
    rm -rf "$pod" "$hub/objects/manifestwork/$2/$3"
    rm -f "$work" "$work.deleting" "$work.finalizer" "$work.created"
}

# work_agent_running HUB_NODE CLUSTER: the klusterlet serving ManagedCluster CLUSTER runs, holds its
# certificate, and its managed cluster is up.
work_agent_running() {
    local mc="$FAKE_STATE/clusters/$1/hub/managedclusters/$2"
    [ -f "$mc/spoke" ] && cluster_ready "$(<"$mc/spoke")" && klusterlet_certified "$mc"
}

# --- hub registration controllers (ocm v1.3.1 pkg/registration/hub) ----------------------------------

# managed_cluster_deleted HUB_NODE CLUSTER: the hub's GC (gc_resources.go:48-102, the resource-cleanup
# finalizer) deletes the cluster's add-ons, then its ManifestWorks, retrying every 5 s; the
# ManagedCluster goes once no work is left. A work the agent put its finalizer on goes only when the
# agent removes it, so with the spoke gone the ManagedCluster stays Terminating.
managed_cluster_deleted() {
    local hub="$FAKE_STATE/clusters/$1/hub" work left=0
    [ -f "$hub/managedclusters/$2/deleting" ] || return 0
    # An add-on's pre-delete hook runs a cleanup Job on the spoke, and its finalizer goes when the Job
    # is done (addon-framework default_hook_sync.go:44-74; 10 s, an assumption): not without the spoke.
    if [ -f "$hub/addons/$2" ]; then
        if work_agent_running "$1" "$2"; then
            later "$(($(now_ms) + $(delay_ms 10 "addon-pre-delete/$2")))" addon_removed "$1" "$2"
        fi
        later "$(($(now_ms) + $(delay_ms 5 "gc/$2")))" managed_cluster_deleted "$1" "$2"
        return 0
    fi
    for work in "$hub/manifestworks/$2"/*; do
        [ -f "$work" ] || continue
        case "$work" in *.*) continue ;; esac
        if [ -f "$work.finalizer" ]; then
            [ -f "$work.deleting" ] || now_ms >"$work.deleting"
            left=1
        else
            rm -f "$work" "$work".*
        fi
    done
    if [ "$left" = 1 ]; then
        # the work agent finalizes, then the GC looks again (manager.go:76-77: 5 s)
        later "$(($(now_ms) + $(delay_ms 2 "finalize/$2")))" work_finalized_all "$1" "$2"
        later "$(($(now_ms) + $(delay_ms 5 "gc/$2")))" managed_cluster_deleted "$1" "$2"
        return 0
    fi
    rm -rf "$hub/managedclusters/$2" "$hub/manifestworks/$2"
}

# work_finalized_all HUB_NODE CLUSTER: work_finalized for each deleted work of CLUSTER.
work_finalized_all() {
    local work
    for work in "$FAKE_STATE/clusters/$1/hub/manifestworks/$2"/*.deleting; do
        [ -f "$work" ] || continue
        work="${work%.deleting}"
        work_finalized "$1" "$2" "${work##*/}"
    done
}

# addon_removed HUB_NODE CLUSTER: the add-on's cleanup Job ran on the spoke; the ManagedClusterAddOn
# and its finalizer are gone.
addon_removed() {
    local hub="$FAKE_STATE/clusters/$1"
    work_agent_running "$1" "$2" || return 0
    rm -f "$hub/hub/addons/$2"
    rm -rf "$hub/objects/managedclusteraddon/$2"
}

# klusterlet_removed AGENT_DIR: the klusterlet operator has removed what a deleted Klusterlet deployed,
# and the Klusterlet is gone.
klusterlet_removed() {
    [ -f "$FAKE_STATE/$1/deleting" ] || return 0
    rm -rf "${FAKE_STATE:?}/$1"
}
