# Shared by the fake kind, k3d, clusteradm and kubectl used in tests. They keep one model of the
# lab in $FAKE_STATE, log every call to $FAKE_STATE/calls.log, and fail like the real tools where
# the lab could go wrong. Faults: a file $FAKE_STATE/fail/<tool>-<verb> makes that call fail.
# shellcheck shell=bash
set -euo pipefail
: "${FAKE_STATE:?FAKE_STATE must name the state folder of the fake tools}"
mkdir -p "$FAKE_STATE/clusters" "$FAKE_STATE/fail"

fake_tool="$(basename "$0")"
# A test that checks what steps leave on disk sets FAKE_SNAPSHOT_DIR: every call first copies the
# steps' TMPDIR there, so files a step writes before its next tool call are seen even though the
# step removes them when it ends.
if [ -n "${FAKE_SNAPSHOT_DIR:-}" ] && [ -n "${TMPDIR:-}" ]; then
    cp -R "$TMPDIR" "$FAKE_SNAPSHOT_DIR/$fake_tool-$$-$RANDOM" 2>/dev/null || true
fi
{
    printf '%s' "$fake_tool"
    printf ' %q' "$@"
    printf '\n'
} >>"$FAKE_STATE/calls.log"

die() {
    printf '%s\n' "$*" >&2
    exit 1
}

# injected_fault VERB [CLUSTER]: fails the call when the test planted $FAKE_STATE/fail/<tool>-<verb>
# (every call) or .../<tool>-<verb>-<cluster> (calls for that cluster only); the file's content is
# printed first, like a tool that dies half-way through its output, with @HUB_TOKEN@ standing for
# the token the call was given (FAKE_HUB_TOKEN).
injected_fault() {
    local fault
    for fault in "$FAKE_STATE/fail/$fake_tool-$1" "$FAKE_STATE/fail/$fake_tool-$1-${2:-}"; do
        if [ -e "$fault" ]; then
            sed "s|@HUB_TOKEN@|${FAKE_HUB_TOKEN:-}|g" "$fault"
            die "injected fault: $fake_tool $1 ${2:-}"
        fi
    done
}

# A test stops the fake Docker engine with the file $FAKE_STATE/docker-down.
docker_down() { [ -e "$FAKE_STATE/docker-down" ]; }
export docker_down_message="Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"

now() { cat "$FAKE_STATE/clock" 2>/dev/null || date +%s; }

# A cluster is kept under the name of its node container, which is what shares one namespace on a
# machine: kind's "<name>-control-plane" and k3d's "k3d-<name>-server-0", so a kind and a k3d cluster
# of the same name live side by side, as they do on a real Docker engine.
kind_node() { printf '%s-control-plane' "$1"; }
k3d_node() { printf 'k3d-%s-server-0' "$1"; }
cluster_dir() { printf '%s' "$FAKE_STATE/clusters/$1"; }
cluster_exists() { [ -d "$(cluster_dir "$1")" ]; }
# cluster_name NODE: the name the cluster was created with (fault files use it).
cluster_name() { cat "$(cluster_dir "$1")/name"; }

# new_cluster NODE NAME RUNTIME NETWORK HOST: records a cluster reachable from the host at HOST:<port>.
new_cluster() {
    local dir port
    dir="$(cluster_dir "$1")"
    # Clusters are created in parallel: claim a port by creating its file exclusively (noclobber).
    port=40001
    until (set -C && echo "$1" >"$FAKE_STATE/port-$port") 2>/dev/null; do port=$((port + 1)); done
    mkdir -p "$dir/objects"
    echo "$2" >"$dir/name"
    echo "$3" >"$dir/runtime"
    echo "$4" >"$dir/network"
    echo "https://$5:$port" >"$dir/server"
    # Real PEM, as kubeconfig readers (the kubernetes provider, client-go) parse it: a new CA for each
    # cluster, and a client certificate it signed, each with its key. Short-lived, made here, never trusted.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj "/CN=fake-ca-$1-$RANDOM" -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -subj "/O=system:masters/CN=fake-admin" -keyout "$dir/client.key" -out "$dir/client.csr" 2>/dev/null
    openssl x509 -req -in "$dir/client.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
        -out "$dir/client.pem" 2>/dev/null
    rm -f "$dir/client.csr" "$dir/ca.srl"
}

# network_exists NAME: the docker network is there. In the engine tier (REAL_DOCKER names the real
# docker CLI) the lab's networks are made on the real Docker engine by the docker stand-in, so look there.
network_exists() {
    if [ -n "${REAL_DOCKER:-}" ]; then
        "$REAL_DOCKER" network inspect "$1" >/dev/null 2>&1
    else
        [ -e "$FAKE_STATE/networks/$1" ]
    fi
}

ca_data() { base64 <"$(cluster_dir "$1")/ca.pem" | tr -d '\n'; }
client_data() { base64 <"$(cluster_dir "$1")/client.$2" | tr -d '\n'; }

print_kubeconfig() {
    cat <<KUBECONFIG
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: $(ca_data "$1")
    server: $(cat "$(cluster_dir "$1")/server")
  name: $2
contexts:
- context:
    cluster: $2
    user: $2
  name: $2
current-context: $2
kind: Config
users:
- name: $2
  user:
    client-certificate-data: $(client_data "$1" pem)
    client-key-data: $(client_data "$1" key)
KUBECONFIG
}

# cluster_of_url URL: the cluster a host-side URL (https://host:port) reaches, or nothing.
cluster_of_url() {
    local port="${1##*:}"
    cat "$FAKE_STATE/port-$port" 2>/dev/null || true
}

# cluster_of_kubeconfig FILE: the cluster a kubeconfig file points at; fails like a client would.
cluster_of_kubeconfig() {
    local server cluster
    [ -r "$1" ] || die "error: stat $1: no such file or directory"
    server="$(sed -n 's/^ *server: *//p' "$1")"
    server="${server%%$'\n'*}"
    cluster="$(cluster_of_url "$server")"
    if [ -z "$cluster" ] || ! cluster_exists "$cluster"; then
        die "Unable to connect to the server: dial tcp ${server#https://}: connect: connection refused"
    fi
    printf '%s' "$cluster"
}

# live_csrs MANAGED_CLUSTER_DIR [pending]: agent ids with a CSR on the hub (only pending ones with
# "pending"); approved CSRs are garbage-collected an hour after approval, as kube-controller-manager does.
live_csrs() {
    local file state
    for file in "$1"/csrs/*; do
        [ -f "$file" ] || continue
        state="$(cat "$file")"
        case "$state" in
            pending) printf '%s\n' "$(basename "$file")" ;;
            approved*) [ "${2:-}" = pending ] || [ $(($(now) - ${state#approved })) -ge 3600 ] || printf '%s\n' "$(basename "$file")" ;;
        esac
    done
}

# reachable_from CLUSTER URL: true when a pod in CLUSTER can reach URL (https://host:port or
# host:port) over the docker network. The host is a node container's name, resolved by Docker's DNS on
# a shared network only; the port is its API server's (6443 in the network, or the one it has on the
# host, which a user's address may give) or a NodePort one of its Services serves.
reachable_from() {
    local host="${2#https://}" port
    port="${host##*:}"
    host="${host%%:*}"
    [ -n "$host" ] && cluster_exists "$host" &&
        [ "$(cat "$(cluster_dir "$host")/network")" = "$(cat "$(cluster_dir "$1")/network")" ] &&
        { [ "$port" = "$host" ] || [ "$port" = 6443 ] || [ "$port" = "$(sed 's/.*://' "$(cluster_dir "$host")/server")" ] ||
            serves_node_port "$host" "$port"; }
}

# serves_node_port NODE PORT: a Service on that cluster serves PORT on its node, and the workload it
# selects (a deployment named after its app label) runs.
serves_node_port() {
    local service
    for service in "$(cluster_dir "$1")"/objects/service/*/*/; do
        [ "$(cat "$service/node-port" 2>/dev/null)" = "$2" ] || continue
        [ -d "$(cluster_dir "$1")/objects/deployment/$(basename "$(dirname "$service")")/$(cat "$service/selector-app")" ] &&
            return 0
    done
    return 1
}

# grpc_registers HOST HUB_DIR ADDRESS CA: a gRPC registration agent on cluster HOST, handed ADDRESS
# (host:port) and CA, gets through to the hub's gRPC server: the hub runs one, HOST reaches it there,
# the server's certificate names the host dialled, and CA is the one that signed it. Any other case
# is what the real agent meets as a dial error or an x509 error, and it files no CSR.
grpc_registers() {
    local name="${3%:*}"
    [ -f "$2/hub/grpc-names" ] && [ "$(cluster_dir "$name")" = "${2%/}" ] && reachable_from "$1" "$3" &&
        grep -qx "$name" "$2/hub/grpc-names" &&
        [ "$(printf '%s\n' "$4" | grep -v '^$')" = "$(grep -v '^$' "$2/grpc-ca.pem")" ]
}

# klusterlet_certified MANAGED_CLUSTER_DIR: the klusterlet that registered it still runs (its folder,
# on the cluster it runs on, is there) and holds the client certificate its approved CSR gave it.
klusterlet_certified() {
    [ -f "$1/agent" ] && [ -f "$FAKE_STATE/$(cat "$1/agent")/certified" ]
}

# applied_works CLUSTER: the AppliedManifestWorks on a cluster, one name a line: one per Pod a
# ManifestWork made there (tests/fakes/kubectl's reconcile_work), named after that work.
applied_works() {
    local owner
    for owner in "$(cluster_dir "$1")"/objects/pod/*/*/owner; do
        [ -f "$owner" ] && printf 'fakehash-%s\n' "$(basename "$(cat "$owner")")"
    done
    return 0
}

# dashes NAME: "-o" for a one-letter flag, "--name" otherwise.
dashes() { if [ "${#1}" -eq 1 ]; then printf -- '-%s' "$1"; else printf -- '--%s' "$1"; fi; }

# flag NAME ARGS...: the value after --NAME (or in --NAME=value) among ARGS.
flag() {
    local name previous=""
    name="$(dashes "$1")"
    shift
    for arg in "$@"; do
        if [ "$previous" = "$name" ]; then
            printf '%s' "$arg"
            return 0
        fi
        case "$arg" in "$name="*) printf '%s' "${arg#*=}" && return 0 ;; esac
        previous="$arg"
    done
    return 1
}

has_flag() {
    local name
    name="$(dashes "$1")"
    shift
    for arg in "$@"; do [ "$arg" = "$name" ] && return 0; done
    return 1
}

# mirror_on_network CONTAINER NETWORK: the mirror container exists on that network. In the engine tier
# the docker stand-in makes mirrors on the real Docker engine, which a mirror offline keeps restarting
# (its upstream never answers), so there it counts as made, whatever its state.
mirror_on_network() {
    if [ -n "${REAL_DOCKER:-}" ]; then
        # shellcheck disable=SC2016 # a Go template, not shell
        "$REAL_DOCKER" inspect --format '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}' "$1" 2>/dev/null |
            grep -qw -- "$2"
    else
        [ -f "$FAKE_STATE/containers/$1/network" ] && [ "$(cat "$FAKE_STATE/containers/$1/network")" = "$2" ]
    fi
}

# record_mirrors NODE CONFIG_FILE: what the node's container runtime would find when it first pulls
# through each mirror the config names (`http://<host>:5000`): "<host> up" when a mirror container
# of that name runs on the node's network, "<host> missing" otherwise. Tests read
# clusters/<node>/mirrors to check that every mirror was running before any cluster was made.
record_mirrors() {
    local dir host network
    dir="$(cluster_dir "$1")"
    network="$(cat "$dir/network")"
    : >"$dir/mirrors"
    grep -o 'http://[a-z0-9.-]*:5000' "$2" | sed 's|http://||; s|:5000||' | sort -u | while read -r host; do
        if mirror_on_network "$host" "$network"; then
            echo "$host up" >>"$dir/mirrors"
        else
            echo "$host missing" >>"$dir/mirrors"
        fi
    done
}
