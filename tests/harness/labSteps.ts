/**
 * The environments the program gives each step, taken from the program itself (its Commands'
 * `environment` inputs under mocks, tests/harness/stepEnvironments.ts) with this fake lab's
 * kubeconfigs in place of the mocks', so a test can walk the lab's steps in order against the fakes
 * and then poke at one of them. A script test file calls loadProgramSteps() in beforeAll.
 */
import * as fs from "fs";
import * as path from "path";
import { caDataOf, pemOf, serverOf } from "../../runtimes/kubeconfig";
import { k3dRuntime } from "../../runtimes/k3d";
import { kindRuntime } from "../../runtimes/kind";
import { FakeLab } from "./fakeLab";
import { RunOptions } from "./program";
import { stepEnvironments } from "./stepEnvironments";

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

/**
 * The lab the script tests stand in for, per runtime: three spokes and the hub managing itself, as
 * local-cluster; the gRPC and hosted variants give what a gRPC spoke (spoke1) and a hosted klusterlet
 * (spoke3) add. No image cache: the fakes serve no mirrors.
 */
const scriptLab = (runtime: Runtime, extra: Record<string, unknown> = {}): RunOptions => ({
    stack: runtime,
    config: { imageCache: false, spokes: ["spoke1", "spoke2", "spoke3"], hubSelfManaged: true, ...extra },
});
type Variant = "plain" | "grpc" | "hosted";
const variants: Record<Variant, Record<string, unknown>> = {
    plain: {},
    grpc: { registrations: { spoke1: "grpc" } },
    hosted: { klusterletModes: { spoke3: "hosted" } },
};

let programSteps: Record<string, Map<string, Record<string, string>>> | undefined;

/**
 * Runs the program under mocks for each runtime and variant and keeps its steps' environments: call
 * it in a script test file's beforeAll, before any of the functions below.
 */
export async function loadProgramSteps(): Promise<void> {
    if (programSteps) {
        return;
    }
    const loaded: Record<string, Map<string, Record<string, string>>> = {};
    for (const runtime of ["kind", "k3d"] as const) {
        for (const [variant, extra] of Object.entries(variants)) {
            const steps = await stepEnvironments(scriptLab(runtime, extra));
            loaded[`${runtime} ${variant}`] = new Map(steps.map((s) => [s.step, s.environment]));
        }
    }
    programSteps = loaded;
}

/** What the step wrapper adds for the engine (scripts/step.ts), which script tests do not run under. */
const stepBookkeeping = ["OCM_LAB_SETTINGS", "OCM_LAB_STEP", "STEP_DIGEST"];

/**
 * The environment the program gives `step`, for a script test: the step wrapper's bookkeeping left
 * out, TIMEOUT_SECONDS given directly (the program moves it to a settings file), and `values` (what
 * other steps' outputs are in this fake lab: kubeconfigs, the hub's CA and address) put in place of
 * the mocks'. A value for a variable the program does not give the step fails.
 */
export function programEnv(
    runtime: Runtime,
    step: string,
    values: Record<string, string> = {},
    variant: Variant = "plain",
): Record<string, string> {
    if (!programSteps) {
        throw new Error("call loadProgramSteps() in beforeAll before building a step's environment");
    }
    const made = programSteps[`${runtime} ${variant}`].get(step);
    if (!made) {
        throw new Error(`the ${runtime} program (${variant}) has no step ${step}`);
    }
    const env = Object.fromEntries(Object.entries(made).filter(([name]) => !stepBookkeeping.includes(name)));
    for (const [name, value] of Object.entries(values)) {
        if (!(name in env)) {
            throw new Error(`the program gives ${step} no ${name}; it gives ${Object.keys(env).join(", ")}`);
        }
        env[name] = value;
    }
    return { ...env, ...timeouts };
}

/** The variables one variant of the program gives `step` beyond what the plain lab gives it. */
function addedBy(runtime: Runtime, step: string, variant: Variant): Record<string, string> {
    const plain = programEnv(runtime, step);
    return Object.fromEntries(
        Object.entries(programEnv(runtime, step, {}, variant)).filter(([name, value]) => plain[name] !== value),
    );
}

export function clusterEnv(runtime: Runtime, name: string): Record<string, string> {
    return programEnv(runtime, `${name}-cluster`);
}

/** Creates a cluster and returns its kubeconfig, as the create and kubeconfig steps do. */
export function createCluster(lab: FakeLab, runtime: Runtime, name: string): string {
    lab.ok(`${runtime}/create-cluster.sh`, clusterEnv(runtime, name));
    return lab.ok(`${runtime}/kubeconfig.sh`, programEnv(runtime, `${name}-kubeconfig`)).stdout;
}

/**
 * The hub's init environment; with `spokeName`, that spoke's name too, as the hub-side steps of a
 * spoke (its accept, and the ManagedCluster's removal on delete) have it.
 */
export function hubEnv(runtime: Runtime, hubKubeconfig: string, spokeName = ""): Record<string, string> {
    const init = programEnv(runtime, "hub-init", { HUB_KUBECONFIG: hubKubeconfig });
    if (!spokeName) {
        return init;
    }
    const accept = programEnv(runtime, `${spokeName}-accept`, { HUB_KUBECONFIG: hubKubeconfig });
    return { ...init, HUB_NAME: accept.HUB_NAME, HUB_CONTEXT: accept.HUB_CONTEXT, SPOKE_NAME: accept.SPOKE_NAME };
}

export function clusterInfoEnv(hubKubeconfig: string): Record<string, string> {
    return programEnv("k3d", "hub-cluster-info", {
        HUB_KUBECONFIG: hubKubeconfig,
        HUB_CA_DATA: caDataOf(hubKubeconfig, "hub"),
    });
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
    return programEnv(runtime, `${spoke}-join`, {
        HUB_KUBECONFIG: hubKubeconfig,
        SPOKE_KUBECONFIG: spokeKubeconfig,
        HUB_API_SERVER: serverOf(hubKubeconfig, "hub"),
        HUB_CA_PEM: pemOf(caDataOf(hubKubeconfig, "hub")),
    });
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
    return addedBy(runtime, "hub-init", "grpc");
}

/** What ClusterRegistration adds to a gRPC spoke's join. */
export function grpcJoinEnv(runtime: Runtime): Record<string, string> {
    return addedBy(runtime, "spoke1-join", "grpc");
}

/**
 * What ClusterRegistration gives accept and the Available wait: the hub's environment, the spoke's,
 * and where the klusterlet runs when that is not the spoke (`klusterlet`: a hosted spoke's hub, the
 * hub itself, a user's cluster), under the names the program gives a hosted spoke's accept.
 */
export function registrationEnv(
    runtime: Runtime,
    hubKubeconfig: string,
    spokeKubeconfig: string,
    spoke: string,
    klusterlet?: { context: string; kubeconfig: string; mode?: string },
): Record<string, string> {
    const env = programEnv(runtime, `${spoke}-accept`, {
        HUB_KUBECONFIG: hubKubeconfig,
        SPOKE_KUBECONFIG: spokeKubeconfig,
        ...(klusterlet?.mode ? { KLUSTERLET_MODE: klusterlet.mode } : {}),
    });
    if (!klusterlet) {
        return env;
    }
    const hosted = programEnv(runtime, "spoke3-accept", {}, "hosted");
    for (const name of ["KLUSTERLET_CONTEXT", "KLUSTERLET_KUBECONFIG"]) {
        if (!(name in hosted)) {
            throw new Error(`the program gives a hosted spoke's accept no ${name}`);
        }
    }
    return { ...env, KLUSTERLET_CONTEXT: klusterlet.context, KLUSTERLET_KUBECONFIG: klusterlet.kubeconfig };
}

/** Writes a kubeconfig into the lab's folder for a test's own kubectl call; returns its path. */
export function writeKubeconfig(lab: FakeLab, kubeconfig: string): string {
    const file = path.join(lab.root, `kubeconfig-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(file, kubeconfig, { mode: 0o600 });
    return file;
}
