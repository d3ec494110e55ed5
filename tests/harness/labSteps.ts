/**
 * The environments the program gives each step, rebuilt for script tests, so a test can walk the
 * lab's steps in order against the fakes and then poke at one of them.
 */
import * as fs from "fs";
import * as path from "path";
import { caDataOf, pemOf, serverOf } from "../../runtimes/kubeconfig";
import { k3dRuntime } from "../../runtimes/k3d";
import { kindRuntime } from "../../runtimes/kind";
import { FakeLab } from "./fakeLab";

export type Runtime = "kind" | "k3d";

export const runtimeFacts = {
    kind: {
        image: "kindest/node:v1.31.0",
        context: (name: string) => `kind-${name}`,
        internal: (name: string) => `https://${name}-control-plane:6443`,
    },
    k3d: {
        image: "rancher/k3s:v1.33.6-k3s1",
        context: (name: string) => `k3d-${name}`,
        internal: (name: string) => `https://k3d-${name}-server-0:6443`,
    },
};

export const timeouts = { TIMEOUT_SECONDS: "5" };

export function clusterEnv(runtime: Runtime, name: string): Record<string, string> {
    return { CLUSTER_NAME: name, NODE_IMAGE: runtimeFacts[runtime].image, NETWORK_NAME: "ocm-lab", ...timeouts };
}

/** Creates a cluster and returns its kubeconfig, as the create and kubeconfig steps do. */
export function createCluster(lab: FakeLab, runtime: Runtime, name: string): string {
    lab.ok(`${runtime}/create-cluster.sh`, clusterEnv(runtime, name));
    return lab.ok(`${runtime}/kubeconfig.sh`, { CLUSTER_NAME: name }).stdout;
}

export function hubEnv(runtime: Runtime, hubKubeconfig: string, spokeName = ""): Record<string, string> {
    return {
        HUB_NAME: "hub",
        HUB_CONTEXT: runtimeFacts[runtime].context("hub"),
        HUB_KUBECONFIG: hubKubeconfig,
        SPOKE_NAME: spokeName,
        BUNDLE_VERSION: "1.3.1",
        QOS_CLASS: "Default",
        QOS_LIMITS: "",
        QOS_REQUESTS: "",
        ...timeouts,
    };
}

export function clusterInfoEnv(hubKubeconfig: string): Record<string, string> {
    return {
        HUB_NAME: "hub",
        HUB_KUBECONFIG: hubKubeconfig,
        HUB_CA_DATA: caDataOf(hubKubeconfig, "hub"),
        HUB_API_SERVER_INTERNAL: runtimeFacts.k3d.internal("hub"),
    };
}

/** The hub as HubCluster makes it: cluster, kubeconfig, (k3d: cluster-info), init. */
export function bringUpHub(lab: FakeLab, runtime: Runtime): string {
    const kubeconfig = createCluster(lab, runtime, "hub");
    if (runtime === "k3d") {
        lab.ok("k3d/hub-cluster-info.sh", clusterInfoEnv(kubeconfig));
    }
    lab.ok("init.sh", hubEnv(runtime, kubeconfig));
    return kubeconfig;
}

export function joinEnv(runtime: Runtime, hubKubeconfig: string, spokeKubeconfig: string, spoke: string) {
    return {
        ...hubEnv(runtime, hubKubeconfig, spoke),
        SPOKE_CONTEXT: runtimeFacts[runtime].context(spoke),
        SPOKE_KUBECONFIG: spokeKubeconfig,
        HUB_API_SERVER: serverOf(hubKubeconfig, "hub"),
        HUB_CA_PEM: pemOf(caDataOf(hubKubeconfig, "hub")),
        HUB_API_SERVER_INTERNAL: runtimeFacts[runtime].internal("hub"),
    };
}

/** A spoke created and joined the way ClusterRegistration does it: cluster, then join (which mints its token). */
export function joinSpoke(lab: FakeLab, runtime: Runtime, hubKubeconfig: string, spoke: string): string {
    const spokeKubeconfig = createCluster(lab, runtime, spoke);
    lab.ok("join.sh", joinEnv(runtime, hubKubeconfig, spokeKubeconfig, spoke));
    return spokeKubeconfig;
}

/** The join tokens the fake hub has issued so far (each a file named after the token). */
export function issuedTokens(lab: FakeLab): string[] {
    const tokens = `${lab.cluster("hub")}/hub/tokens`;
    return lab.exists(tokens) ? fs.readdirSync(path.join(lab.state, tokens)) : [];
}

/** The hub's gRPC server as the program places it for each runtime (runtimes/runtime.ts). */
export function grpcServerOf(runtime: Runtime) {
    const server = (runtime === "kind" ? kindRuntime : k3dRuntime).hubGrpcServer("hub");
    if (!server) {
        throw new Error(`${runtime} serves no gRPC server`);
    }
    return server;
}

/** What HubCluster adds to init's environment when a spoke registers with grpc. */
export function grpcHubEnv(runtime: Runtime): Record<string, string> {
    const server = grpcServerOf(runtime);
    return { GRPC_SERVER_HOST: server.host, GRPC_NODE_PORT: String(server.nodePort) };
}

/** What ClusterRegistration adds to a gRPC spoke's join. */
export function grpcJoinEnv(runtime: Runtime): Record<string, string> {
    return { REGISTRATION_AUTH: "grpc", GRPC_SERVER: grpcServerOf(runtime).address };
}

/**
 * What ClusterRegistration gives accept and the Available wait: the hub's environment, the spoke's,
 * and where the klusterlet runs when that is not the spoke (`klusterlet`: a hosted spoke's hub, the
 * hub itself, a user's cluster).
 */
export function registrationEnv(
    runtime: Runtime,
    hubKubeconfig: string,
    spokeKubeconfig: string,
    spoke: string,
    klusterlet?: { context: string; kubeconfig: string; mode?: string },
): Record<string, string> {
    return {
        ...hubEnv(runtime, hubKubeconfig, spoke),
        SPOKE_CONTEXT: runtimeFacts[runtime].context(spoke),
        SPOKE_KUBECONFIG: spokeKubeconfig,
        KLUSTERLET_MODE: klusterlet?.mode ?? "default",
        ...(klusterlet ? { KLUSTERLET_CONTEXT: klusterlet.context, KLUSTERLET_KUBECONFIG: klusterlet.kubeconfig } : {}),
    };
}

/** Writes a kubeconfig into the lab's folder for a test's own kubectl call; returns its path. */
export function writeKubeconfig(lab: FakeLab, kubeconfig: string): string {
    const file = path.join(lab.root, `kubeconfig-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(file, kubeconfig, { mode: 0o600 });
    return file;
}
