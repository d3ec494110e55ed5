# Shared by the fake kind, k3d, clusteradm and kubectl used in tests. They keep one model of the
# lab in $FAKE_STATE, log every call to $FAKE_STATE/calls.log, and fail like the real tools where
# the lab could go wrong. Faults: a file $FAKE_STATE/fail/<tool>-<verb> makes that call fail.
# They keep time too (see "Time" below and controllers.sh): what the real systems do later, they do
# later.
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
if [ "$fake_tool" != fake-controllers ]; then
    {
        printf '%s' "$fake_tool"
        printf ' %q' "$@"
        printf '\n'
    } >>"$FAKE_STATE/calls.log"
fi

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

# --- Time ----------------------------------------------------------------------------------------
# Every asynchronous effect of the real systems happens here after upstream's delay, cited where the
# effect is scheduled (controllers.sh and the fakes), times FAKE_TIME_SCALE: 0 makes every effect
# immediate, 1 is upstream's own pace. FAKE_TIME_SEED fixes a jitter of 0.5 to 1.5 times each delay,
# which reorders the effects upstream does not order (a CSR and the pod readiness join waits for,
# two spokes' add-ons). The clock is the machine's plus $FAKE_STATE/clock-offset seconds: tests move
# it forward (tokens expire, approved CSRs are garbage-collected), and timed effects move with it.
# The default scale is the one CI runs at (tests/harness/fakeLab.ts fakeTimeScale says the same).
: "${FAKE_TIME_SCALE:=0.01}"
: "${FAKE_TIME_SEED:=1}"
now_ms() {
    local offset=0 micros
    if [ -f "$FAKE_STATE/clock-offset" ]; then offset="$(<"$FAKE_STATE/clock-offset")"; fi
    micros="${EPOCHREALTIME/[.,]/}"
    printf '%s' $((micros / 1000 + offset * 1000))
}
now() { printf '%s' $(($(now_ms) / 1000)); }

# The scale in millionths, for integer arithmetic (bash has no floating point): "0.02" is 20000.
fake_scale_micro="${FAKE_TIME_SCALE%%.*}"
fake_scale_fraction=""
case "$FAKE_TIME_SCALE" in *.*) fake_scale_fraction="${FAKE_TIME_SCALE#*.}" ;; esac
fake_scale_fraction="${fake_scale_fraction}000000"
fake_scale_micro=$((10#${fake_scale_micro:-0} * 1000000 + 10#${fake_scale_fraction:0:6}))

# jitter_permille KEY: a whole number from 500 to 1499, the same for the same FAKE_TIME_SEED and KEY
# (an FNV-1a hash of both, in bash arithmetic: no process is started).
jitter_permille() {
    local text="$FAKE_TIME_SEED/$1" hash=2166136261 i code
    for ((i = 0; i < ${#text}; i++)); do
        printf -v code '%d' "'${text:i:1}"
        hash=$(((hash ^ code) * 16777619 % 4294967296))
    done
    printf '%s' $((500 + hash % 1000))
}
# delay_ms SECONDS KEY: upstream's SECONDS (whole seconds), scaled and jittered, in milliseconds.
delay_ms() {
    if [ "$fake_scale_micro" -eq 0 ]; then
        printf 0
        return 0
    fi
    printf '%s' $(($1 * fake_scale_micro * $(jitter_permille "$2") / 1000000))
}
# fake_sleep SECONDS KEY: the tool itself takes upstream's SECONDS (a CLI's own wait), scaled.
fake_sleep() {
    local ms
    ms="$(delay_ms "$1" "$2")"
    if [ "$ms" -gt 0 ]; then sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"; fi
}
# sleep_until MS: sleeps until the clock reads MS.
sleep_until() {
    local left
    left=$(($1 - $(now_ms)))
    if [ "$left" -gt 0 ]; then sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"; fi
}
# iso_time MS: the RFC 3339 UTC time Kubernetes prints, to the second (creationTimestamp).
iso_time() { date -u -d "@$(($1 / 1000))" +%Y-%m-%dT%H:%M:%SZ; }
# iso_micro MS: the same to the microsecond (a Lease's renewTime, a MicroTime).
iso_micro() { printf '%s.%03d000Z' "$(iso_time "$1" | tr -d Z)" $(($1 % 1000)); }

# later MS FUNCTION ARGS...: FUNCTION (one of controllers.sh) runs with ARGS once the clock reads MS,
# at the first fake call from then on (settle), in time order. What it acts on may be gone by then:
# each function checks, as the controller it stands for would. A test that wants the world slower
# than usual for one call (an agent that takes its time) sets FAKE_SLOW_SECONDS for it: everything
# that call starts happens that much later.
later() {
    local at=$(($1 + ${FAKE_SLOW_SECONDS:-0} * 1000)) partial
    shift
    mkdir -p "$FAKE_STATE/effects"
    partial="$FAKE_STATE/effects/.partial.$$.$RANDOM"
    printf '%q ' "$@" >"$partial"
    mv "$partial" "$FAKE_STATE/effects/$(printf '%015d' "$at").$$.$RANDOM"
}
# settle: runs every effect that is due, oldest first, one fake process at a time; effects that a
# due effect schedules for now run in the same pass.
settle() {
    local file base due ran=1 pending=""
    for file in "$FAKE_STATE"/effects/[0-9]*; do
        [ -f "$file" ] && pending=1
        break
    done
    [ -n "$pending" ] || return 0
    exec 8>>"$FAKE_STATE/effects.lock"
    flock 8
    while [ "$ran" = 1 ]; do
        ran=0
        due="$(now_ms)"
        for file in "$FAKE_STATE"/effects/[0-9]*; do
            [ -f "$file" ] || continue
            base="${file##*/}"
            [ "$((10#${base%%.*}))" -le "$due" ] || break
            rm -f "$file.running"
            mv "$file" "$file.running" 2>/dev/null || continue
            eval "$(<"$file.running")" || true
            rm -f "$file.running"
            ran=1
        done
    done
    flock -u 8
    exec 8>&-
}

# A cluster is kept under the name of its node container, which is what shares one namespace on a
# machine: kind's "<name>-control-plane" and k3d's "k3d-<name>-server-0", so a kind and a k3d cluster
# of the same name live side by side, as they do on a real Docker engine.
kind_node() { printf '%s-control-plane' "$1"; }
k3d_node() { printf 'k3d-%s-server-0' "$1"; }
cluster_dir() { printf '%s' "$FAKE_STATE/clusters/$1"; }
# cluster_exists NODE: its node container exists (from early in a create, and after a create that was
# cut short: kind and k3d list it either way).
cluster_exists() { [ -d "$(cluster_dir "$1")" ]; }
# cluster_ready NODE: its control plane answers: the create that made it ran to the end.
cluster_ready() { [ -f "$(cluster_dir "$1")/ready" ]; }
# cluster_name NODE: the name the cluster was created with (fault files use it).
cluster_name() { cat "$(cluster_dir "$1")/name"; }

# new_cluster NODE NAME RUNTIME NETWORK HOST: records a cluster reachable from the host at HOST:<port>,
# its node container made but its control plane not up yet (the create marks it ready at the end).
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
    echo "$port" >"$dir/port"
    now_ms >"$dir/created"
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

# remove_cluster NODE: its containers are gone, and with them every klusterlet it ran: each one's
# last moment is kept (gone/<agent id>), since the hub goes on reading the lease it last renewed.
# Its host port is free again: an old kubeconfig's address is refused.
remove_cluster() {
    local dir agent
    dir="$(cluster_dir "$1")"
    [ -d "$dir" ] || return 0
    mkdir -p "$FAKE_STATE/gone" "$FAKE_STATE/gone-clusters"
    for agent in "$dir/agent" "$dir"/hosted-agents/*; do
        klusterlet_gone "$agent"
    done
    now_ms >"$FAKE_STATE/gone-clusters/$1"
    rm -f "$FAKE_STATE/port-$(cat "$dir/port" 2>/dev/null || echo none)"
    rm -rf "$dir"
}

# klusterlet_gone AGENT_DIR: records when that klusterlet stopped (it is removed next).
klusterlet_gone() {
    [ -f "$1/id" ] || return 0
    mkdir -p "$FAKE_STATE/gone"
    now_ms >"$FAKE_STATE/gone/$(cat "$1/id")"
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

# cluster_of_kubeconfig FILE: the cluster a kubeconfig file points at; fails like a client would,
# also while the cluster's API server is not up yet (a create under way, or one cut short).
cluster_of_kubeconfig() {
    local server cluster
    [ -r "$1" ] || die "error: stat $1: no such file or directory"
    server="$(sed -n 's/^ *server: *//p' "$1")"
    server="${server%%$'\n'*}"
    cluster="$(cluster_of_url "$server")"
    if [ -z "$cluster" ] || ! cluster_ready "$cluster"; then
        die "Unable to connect to the server: dial tcp ${server#https://}: connect: connection refused"
    fi
    printf '%s' "$cluster"
}

# live_csrs CSRS_DIR [pending]: agent ids with a CSR on the hub, from a cluster's folder of CSRs
# (hub/csrs/<name>; only pending ones with "pending"). Each file reads "pending <ms>" or "approved <ms>". Approved CSRs are garbage-collected an
# hour after approval, pending ones after a day (kubernetes pkg/controller/certificates/cleaner/
# cleaner.go: approvedExpiration 1h, pendingExpiration 24h).
live_csrs() {
    local file state at
    for file in "$1"/*; do
        [ -f "$file" ] || continue
        state="$(<"$file")"
        at="${state#* }"
        case "$state" in
        pending*) [ $(($(now_ms) - at)) -ge 86400000 ] || printf '%s\n' "${file##*/}" ;;
        approved*) [ "${2:-}" = pending ] || [ $(($(now_ms) - at)) -ge 3600000 ] || printf '%s\n' "${file##*/}" ;;
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
    [ -n "$host" ] && cluster_ready "$host" &&
        [ "$(cat "$(cluster_dir "$host")/network")" = "$(cat "$(cluster_dir "$1")/network")" ] &&
        { [ "$port" = "$host" ] || [ "$port" = 6443 ] || [ "$port" = "$(sed 's/.*://' "$(cluster_dir "$host")/server")" ] ||
            serves_node_port "$host" "$port"; }
}

# serves_node_port NODE PORT: a Service on that cluster serves PORT on its node, and the workload it
# selects (a deployment named after its app label) is Available.
serves_node_port() {
    local service
    for service in "$(cluster_dir "$1")"/objects/service/*/*/; do
        [ "$(cat "$service/node-port" 2>/dev/null)" = "$2" ] || continue
        [ "$(cat "$(cluster_dir "$1")/objects/deployment/$(basename "$(dirname "$service")")/$(cat "$service/selector-app")/conditions/Available" 2>/dev/null)" = True ] &&
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

# klusterlet_alive AGENT_DIR [ID]: that klusterlet runs (its folder is there, on a cluster whose
# control plane is up) and, given ID, is still the agent of that id (not restarted under a new one).
klusterlet_alive() {
    local node="${1#"$FAKE_STATE"/clusters/}"
    node="${node%%/*}"
    [ -f "$1/id" ] && [ ! -f "$1/deleting" ] && cluster_ready "$node" && { [ -z "${2:-}" ] || [ "$(<"$1/id")" = "$2" ]; }
}

# klusterlet_certified MANAGED_CLUSTER_DIR: the klusterlet that registered it still runs and holds the
# client certificate its approved CSR gave it (hub-kubeconfig-secret).
klusterlet_certified() {
    local agent
    [ -f "$1/agent" ] || return 1
    agent="$FAKE_STATE/$(<"$1/agent")"
    klusterlet_alive "$agent" && [ -f "$agent/certified" ]
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

# --- The hub's view of a ManagedCluster's klusterlets --------------------------------------------------
# hub/klusterlets/<name>/<agent id> holds "<the klusterlet's folder> [<ms it got its certificate>]" for
# every klusterlet that ever bootstrapped for <name>; gone/<agent id> holds when one stopped.

# lease_period_ms: leaseDurationSeconds, 60 by default (api v1.3.0 cluster/v1/types.go:66-70), scaled.
lease_period_ms() { awk -v k="$FAKE_TIME_SCALE" 'BEGIN { printf "%d", 60 * k * 1000 }'; }

# heartbeat_stopped_ms NAME: when the klusterlets of NAME stopped heartbeating (their agents cut off
# from the hub), from a planted fail/available-<name>: the ms it holds, or 0 (never heartbeated) when
# it holds none; nothing when there is no such fault.
heartbeat_stopped_ms() {
    local fault="$FAKE_STATE/fail/available-$1" at
    [ -e "$fault" ] || return 0
    at="$(<"$fault")"
    case "$at" in '' | *[!0-9]*) printf 0 ;; *) printf '%s' "$at" ;; esac
}

# lease_renewed_ms HUB_DIR NAME: when managed-cluster-lease in namespace NAME was last renewed, or
# nothing. The hub makes it, renewed at that moment, when it first accepts the cluster
# (hub/lease/controller.go:90-111); each certified klusterlet renews it at once when its hub
# controllers start, then every leaseDurationSeconds (spoke/lease/lease_controller.go:100-139), until
# it stops, or stops heartbeating (heartbeat_stopped_ms).
lease_renewed_ms() {
    local klusterlets="$1/hub/klusterlets/$2" last=0 file rel certified id end period renewed stopped
    [ ! -f "$1/hub/managedclusters/$2/hub-lease" ] || last="$(<"$1/hub/managedclusters/$2/hub-lease")"
    stopped="$(heartbeat_stopped_ms "$2")"
    period="$(lease_period_ms)"
    for file in "$klusterlets"/*; do
        [ -f "$file" ] || continue
        read -r rel certified <"$file" || true
        [ -n "${certified:-}" ] || continue
        id="${file##*/}"
        if [ -f "$FAKE_STATE/gone/$id" ]; then
            end="$(<"$FAKE_STATE/gone/$id")"
        elif klusterlet_alive "$FAKE_STATE/$rel" "$id"; then
            end="$(now_ms)"
        else
            continue
        fi
        if [ -n "$stopped" ] && [ "$stopped" -lt "$end" ]; then end="$stopped"; fi
        [ "$end" -ge "$certified" ] || continue
        if [ "$period" -gt 0 ]; then renewed=$((certified + (end - certified) / period * period)); else renewed="$end"; fi
        [ "$renewed" -le "$last" ] || last="$renewed"
    done
    [ "$last" -gt 0 ] && printf '%s' "$last"
    return 0
}

# ever_certified HUB_DIR NAME: some klusterlet of NAME has held a certificate and heartbeated (so its
# status controller set Joined and Available; nothing on the hub resets Joined: joining_reconcile.go:15-36).
ever_certified() {
    [ "$(heartbeat_stopped_ms "$2")" != 0 ] && grep -qs ' ' "$1/hub/klusterlets/$2"/* 2>/dev/null
}

# managed_cluster_available HUB_DIR NAME: ManagedClusterConditionAvailable, True, False or Unknown.
# The klusterlet serving it sets True at its status controller's first sync, as its hub controllers
# start, and False once its managed cluster's API server has failed for 20 s
# (spoke/managedcluster/available_reconcile.go:17-54). The hub sets Unknown once the lease is
# 5 × leaseDurationSeconds old (hub/lease/controller.go:28,116-163), and nothing else: after a klusterlet
# stops, its True stays until then, also while a new klusterlet waits for its certificate.
managed_cluster_available() {
    local mc="$1/hub/managedclusters/$2" spoke gone renewed grace
    ever_certified "$1" "$2" || { printf Unknown; return 0; }
    if klusterlet_certified "$mc" && [ -z "$(heartbeat_stopped_ms "$2")" ]; then
        spoke="$(<"$mc/spoke")"
        if cluster_ready "$spoke"; then printf True && return 0; fi
        gone="$(cat "$FAKE_STATE/gone-clusters/$spoke" 2>/dev/null || echo 0)"
        if [ $(($(now_ms) - gone)) -lt "$(delay_ms 20 "unavailable/$2")" ]; then printf True; else printf False; fi
        return 0
    fi
    renewed="$(lease_renewed_ms "$1" "$2")"
    grace=$((5 * $(lease_period_ms)))
    if [ -n "$renewed" ] && [ "$(now_ms)" -lt $((renewed + grace)) ]; then printf True; else printf Unknown; fi
}

# shellcheck source=controllers.sh
. "$(dirname "${BASH_SOURCE[0]}")/controllers.sh"
settle
