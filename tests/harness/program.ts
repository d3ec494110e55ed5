/**
 * Runs the real program (index.ts) under `pulumi.runtime.setMocks` and records what it registers:
 * each resource's inputs as the engine would see them (secrets still wrapped), its parent, and the
 * URNs it waits for (dependsOn and data flow together), read from the register request itself.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";

export const projectRoot = path.resolve(__dirname, "..", "..");

export interface Registration {
    urn: string;
    type: string;
    name: string;
    parent: string;
    custom: boolean;
    /** URNs of the resources this one waits for. */
    dependencies: string[];
    inputs: Record<string, any>;
    additionalSecretOutputs: string[];
    deleteBeforeReplace: boolean;
    /** URN of the resource whose deletion makes this one's unnecessary. */
    deletedWith: string;
    /** URN of the provider reference, if one was given. */
    provider: string;
    /** Pulumi forgets the resource on delete and leaves the object where it is. */
    retainOnDelete: boolean;
}

export interface MockResourceArgs {
    type: string;
    name: string;
    inputs: Record<string, any>;
    custom?: boolean;
}
export type NewResource = (args: MockResourceArgs) => Promise<{ id: string; state: Record<string, any> }>;

export interface ProgramRun {
    resources: Registration[];
    /** Stack outputs, resolved (undefined when unknown, as at preview). */
    outputs: Record<string, unknown>;
    /** Names of stack outputs that are secrets. */
    secretOutputs: Set<string>;
}

export interface RunOptions {
    /** Config values by key without the `ocm-lab:` namespace; non-strings are JSON-encoded. */
    config?: Record<string, unknown>;
    /** Use this stack file's config (Pulumi.<stack>.yaml), overridden by `config`. */
    stack?: string;
    preview?: boolean;
    newResource?: NewResource;
    /** Called as each resource is registered, before its newResource. */
    onRegister?: (registration: Registration) => void;
    /** Where the program writes its step settings (OCM_LAB_LOCAL_DIR); a temporary folder by default. */
    localDir?: string;
}

/**
 * Runs that name no folder share one outside the project, so tests never write into it. It is
 * removed when the test file that made it ends (or, in a tool such as npm run graph, the process).
 */
let defaultLocalDir: string | undefined;
function removeDefaultLocalDir(): void {
    if (defaultLocalDir !== undefined) {
        fs.rmSync(defaultLocalDir, { recursive: true, force: true });
        defaultLocalDir = undefined;
    }
}
if (typeof afterAll === "function") {
    afterAll(removeDefaultLocalDir);
}
function sharedLocalDir(): string {
    if (defaultLocalDir === undefined) {
        defaultLocalDir = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-local-"));
        if (typeof afterAll !== "function") {
            process.once("exit", removeDefaultLocalDir);
        }
    }
    return defaultLocalDir;
}

const secretSig = "1b47061264138c4ac30d75fd1eb44270";
const sigKey = "4dabf18193072939515e22adb298388d";

export function isSecretValue(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as any)[sigKey] === secretSig;
}

/** Removes secret wrappers, for code that needs the plain value (a fake provider). */
export function reveal(value: any): any {
    if (isSecretValue(value)) {
        return reveal(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(reveal);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
    }
    return value;
}

export function stackConfig(stack: string): Record<string, string> {
    const file = yaml.load(fs.readFileSync(path.join(projectRoot, `Pulumi.${stack}.yaml`), "utf8")) as {
        config?: Record<string, unknown>;
    };
    return Object.fromEntries(
        Object.entries(file.config ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

/** A kubeconfig shaped like kind's or k3d's output (or a context of the user's, on host), for the mocks. */
export function fakeKubeconfig(clusterName: string, port = 6443, host = "127.0.0.1"): string {
    const ca = Buffer.from(`-----BEGIN CERTIFICATE-----\nCA of ${clusterName}\n-----END CERTIFICATE-----\n`).toString(
        "base64",
    );
    return [
        "apiVersion: v1",
        "clusters:",
        "- cluster:",
        `    certificate-authority-data: ${ca}`,
        `    server: https://${host}:${port}`,
        `  name: ${clusterName}`,
        "contexts:",
        `- context: {cluster: ${clusterName}, user: ${clusterName}}`,
        `  name: ${clusterName}`,
        `current-context: ${clusterName}`,
        "kind: Config",
        "users:",
        `- name: ${clusterName}`,
        "  user:",
        `    client-certificate-data: ${Buffer.from(`CERT-of-${clusterName}`).toString("base64")}`,
        `    client-key-data: ${Buffer.from(`KEY-of-${clusterName}`).toString("base64")}`,
    ].join("\n");
}

/** Outputs a provider would return, without running anything: enough for graph tests. */
export const staticNewResource: NewResource = async ({ type, name, inputs }) => {
    let stdout = "";
    if (type === "command:local:Command" && name.endsWith("-kubeconfig")) {
        stdout = fakeKubeconfig(name.replace(/-kubeconfig$/, ""));
    }
    if (type === "command:local:Command" && name.endsWith("-connect")) {
        // runtime existing: a cluster of the user's, somewhere this machine and the others reach
        const cluster = name.replace(/-connect$/, "");
        stdout = fakeKubeconfig(cluster, 6443, `${cluster}.lab.example`);
    }
    const generated = type === "random:index/randomPassword:RandomPassword" ? { result: `${name}-value` } : {};
    return { id: `${name}-id`, state: { ...reveal(inputs), stdout, stderr: "", ...generated } };
};

/**
 * Runs `fn` with a fresh copy of the SDK and the program: jest's module registry in tests, Node's
 * require cache in tools (npm run graph / bench).
 */
async function isolated(fn: () => Promise<void>): Promise<void> {
    if (typeof jest !== "undefined") {
        await jest.isolateModulesAsync(fn);
        return;
    }
    for (const key of Object.keys(require.cache)) {
        if (!key.startsWith(__dirname)) {
            delete require.cache[key];
        }
    }
    await fn();
}

export async function runProgram(options: RunOptions = {}): Promise<ProgramRun> {
    const config: Record<string, string> = options.stack ? stackConfig(options.stack) : {};
    for (const [key, value] of Object.entries(options.config ?? {})) {
        config[`ocm-lab:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    const resources: Registration[] = [];
    let run: ProgramRun | undefined;

    // The SDK keeps its state on the global object: start every run from nothing.
    delete (global as any).globalStore;
    delete (globalThis as any).stackResource;

    process.setMaxListeners(100); // the SDK adds an exit listener per run
    await isolated(async () => {
        const pulumi = require("@pulumi/pulumi");
        const mocks = require("@pulumi/pulumi/runtime/mocks");
        const rpc = require("@pulumi/pulumi/runtime/rpc");
        const settings = require("@pulumi/pulumi/runtime/settings");

        const register = mocks.MockMonitor.prototype.registerResource;
        mocks.MockMonitor.prototype.registerResource = function (req: any, callback: any) {
            const registration: Registration = {
                urn: this.newUrn(req.getParent(), req.getType(), req.getName()),
                type: req.getType(),
                name: req.getName(),
                parent: req.getParent(),
                custom: req.getCustom(),
                dependencies: req.getDependenciesList(),
                inputs: rpc.deserializeProperties(req.getObject()),
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                deleteBeforeReplace: req.getDeletebeforereplace(),
                deletedWith: req.getDeletedwith(),
                provider: req.getProvider(),
                retainOnDelete: req.getRetainondelete() ?? false,
            };
            resources.push(registration);
            options.onRegister?.(registration);
            return register.call(this, req, callback);
        };

        pulumi.runtime.setAllConfig(config);
        process.env.OCM_LAB_LOCAL_DIR = options.localDir ?? sharedLocalDir();
        const newResource = options.newResource ?? staticNewResource;
        await pulumi.runtime.setMocks(
            {
                newResource: (args: MockResourceArgs) => newResource(args),
                call: () => {
                    throw new Error("the lab makes no provider function calls");
                },
            },
            "ocm-lab",
            options.stack ?? "test",
            options.preview ?? false,
        );

        const program = require(path.join(projectRoot, "index"));
        const outputs: Record<string, unknown> = {};
        const secretOutputs = new Set<string>();
        let failure: unknown;
        for (const [key, value] of Object.entries(program)) {
            if (!pulumi.Output.isInstance(value)) {
                outputs[key] = value;
                continue;
            }
            const output = value as any;
            try {
                if (await output.isSecret) {
                    secretOutputs.add(key);
                }
                outputs[key] = (await output.isKnown) ? await output.promise() : undefined;
            } catch (error) {
                failure ??= error;
            }
        }
        // Let every registration still under way finish (a failed step stops only what depends on it).
        await settings.waitForRPCs();
        if (failure) {
            throw failure;
        }
        run = { resources, outputs, secretOutputs };
    });
    return run!;
}
