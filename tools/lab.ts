/**
 * The front door: `npm run up|preview|destroy|status|preflight -- <kind|k3d|existing>`. It keeps Pulumi's
 * state in the project (no account needed), never prompts, installs the pinned CLIs, checks the
 * machine before anything is created, then runs the pinned Pulumi CLI from node_modules.
 */
import { spawnSync, SpawnSyncOptions } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, LabConfig, parseLabConfig, RawLabConfig } from "../config";
import { ensureTool, InstallContext, installedVersion, platformOf, ToolError, ToolName } from "./installTools";
import { labNetworkName } from "../runtimes/names";
import { cacheStatusLines, DockerRun, existingCacheVolumes, keptCacheMessage, purgeCache } from "./imageCache";
import { ownedClusterNames, ownsDockerObject, ownsNetwork, PreflightFacts, preflightProblems } from "./preflight";
import { labMirrors } from "../runtimes/mirrors";
import { readStepTimings, renderRunSummary, StateResource, stepDependencies, writeRunRecord } from "./runRecord";
import { clustersLine, ExpectedLab, renderTable, StatusRow, statusProblems, statusRows } from "./status";

const root = path.resolve(__dirname, "..");
const stacks = ["kind", "k3d", "existing"];
const commands = ["up", "preview", "destroy", "status", "preflight"];

export interface LabEnvironment {
    env: NodeJS.ProcessEnv;
    /** What was chosen for the user, to say once. */
    notes: string[];
}

/**
 * Pulumi settings for a lab on this machine: a file backend inside the project unless
 * PULUMI_BACKEND_URL says otherwise, and, for that local backend, a random passphrase kept in a
 * private file beside the state, so stack secrets are encrypted without a prompt.
 */
export function labEnvironment(projectRoot: string, env: NodeJS.ProcessEnv): LabEnvironment {
    const notes: string[] = [];
    const result: NodeJS.ProcessEnv = {
        ...env,
        PATH: `${path.join(projectRoot, ".tools", "bin")}${path.delimiter}${env.PATH ?? ""}`,
        PULUMI_SKIP_UPDATE_CHECK: "true",
    };
    if (!env.PULUMI_BACKEND_URL) {
        const stateDir = path.join(projectRoot, ".pulumi-state");
        fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
        result.PULUMI_BACKEND_URL = `file://${stateDir}`;
        notes.push(`state: ${stateDir} (set PULUMI_BACKEND_URL to keep it elsewhere)`);
        if (env.PULUMI_CONFIG_PASSPHRASE === undefined && !env.PULUMI_CONFIG_PASSPHRASE_FILE) {
            const passphraseFile = path.join(stateDir, "passphrase");
            if (!fs.existsSync(passphraseFile)) {
                fs.writeFileSync(passphraseFile, randomBytes(24).toString("base64url"), { mode: 0o600 });
                notes.push(
                    `secrets: encrypted with a new random passphrase in ${passphraseFile}; keep it with the state`,
                );
            }
            result.PULUMI_CONFIG_PASSPHRASE_FILE = passphraseFile;
        }
    }
    return { env: result, notes };
}

/** The lab's config as `pulumi config --json` shows it, checked like the program does. */
export function labConfigFrom(pulumiConfigJson: string): LabConfig {
    const entries = JSON.parse(pulumiConfigJson) as Record<string, { value?: string }>;
    const raw: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(entries)) {
        if (key.startsWith("ocm-lab:")) {
            raw[key.slice("ocm-lab:".length)] = entry.value;
        }
    }
    return parseLabConfig(raw as RawLabConfig);
}

interface RunResult {
    status: number | null;
    stdout: string;
    stderr: string;
    error?: Error;
}

/** Runs a CLI to completion and keeps all it prints (the front door's one way to call a tool). */
export function run(
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    options: SpawnSyncOptions = {},
): RunResult {
    // `pulumi stack export` of a lab with ten spokes is several MiB; spawnSync's default buffer is 1 MiB.
    const result = spawnSync(command, args, { env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...options });
    return {
        status: result.status,
        stdout: String(result.stdout ?? ""),
        stderr: String(result.stderr ?? ""),
        error: result.error,
    };
}

function installContext(env: NodeJS.ProcessEnv): InstallContext {
    return {
        binDir: path.join(root, ".tools", "bin"),
        platform: platformOf(process.platform, process.arch),
        probe: (tool, args) => {
            const result = run(tool, args, env);
            return result.error ? undefined : `${result.stdout}${result.stderr}`;
        },
        download: async (url) => {
            const response = await fetch(url);
            if (!response.ok) {
                throw new Error(`${response.status} ${response.statusText}`);
            }
            return Buffer.from(await response.arrayBuffer());
        },
        run: (command, args, extraEnv = {}) => {
            const result = run(command, args, { ...env, ...extraEnv });
            return { ok: !result.error && result.status === 0, output: `${result.stdout}${result.stderr}` };
        },
        log: (line) => console.log(`ocm-lab: ${line}`),
    };
}

function gatherFacts(stack: string, lab: LabConfig, env: NodeJS.ProcessEnv, stackExport: string): PreflightFacts {
    if (lab.runtime === "existing") {
        return existingFacts(stack, lab, env);
    }
    const readNumber = (file: string) =>
        fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8").trim()) : undefined;
    const instances = readNumber("/proc/sys/fs/inotify/max_user_instances");
    const watches = readNumber("/proc/sys/fs/inotify/max_user_watches");
    const listed =
        lab.runtime === "kind"
            ? run("kind", ["get", "clusters"], env)
                  .stdout.split("\n")
                  .map((l) => l.trim())
            : (JSON.parse(run("k3d", ["cluster", "list", "-o", "json"], env).stdout || "[]") as { name: string }[]).map(
                  (c) => c.name,
              );
    return {
        stack,
        runtime: lab.runtime,
        clusterNames: [lab.hubName, ...lab.spokeNames],
        nodeImage: lab.nodeImage,
        dockerReachable: run("docker", ["info"], env).status === 0,
        inotify:
            instances !== undefined && watches !== undefined
                ? { maxUserInstances: instances, maxUserWatches: watches }
                : undefined,
        kindVersion: lab.runtime === "kind" ? installedVersion("kind", installContext(env)) : undefined,
        existingClusters: listed.filter((name) => name !== ""),
        ownedClusters: stackExport ? ownedClusterNames(stackExport) : [],
        network: networkFacts(labNetworkName(stack), env, stackExport),
        strayMirrors: lab.imageCache ? strayMirrors(stack, env, stackExport) : [],
    };
}

/** runtime existing: what kubectl (the user's kubeconfig) says of each context; nothing of Docker. */
function existingFacts(stack: string, lab: LabConfig, env: NodeJS.ProcessEnv): PreflightFacts {
    const clusterNames = [lab.hubName, ...lab.spokeNames];
    return {
        stack,
        runtime: lab.runtime,
        clusterNames,
        nodeImage: lab.nodeImage,
        dockerReachable: true,
        existingClusters: [],
        ownedClusters: [],
        hubApiServer: lab.hubApiServer,
        contexts: clusterNames.map((cluster) => {
            const context = lab.contexts[cluster];
            const view = run(
                "kubectl",
                ["config", "view", "--minify", "--context", context, "-o", "jsonpath={.clusters[0].cluster.server}"],
                env,
            );
            const found = view.status === 0;
            const answers =
                found &&
                run("kubectl", ["--context", context, "--request-timeout=20s", "get", "--raw", "/readyz"], env)
                    .status === 0;
            return { cluster, context, found, server: found ? view.stdout.trim() : undefined, answers };
        }),
    };
}

/** This lab's mirror container names that exist on the machine (one `docker ps`) but not in its state. */
function strayMirrors(stack: string, env: NodeJS.ProcessEnv, stackExport: string): string[] {
    const existing = new Set(run("docker", ["ps", "-a", "--format", "{{.Names}}"], env).stdout.split("\n"));
    return labMirrors(stack)
        .map((m) => m.host)
        .filter((name) => existing.has(name))
        .filter((name) => !(stackExport && ownsDockerObject(stackExport, "container", name)));
}

function networkFacts(name: string, env: NodeJS.ProcessEnv, stackExport: string) {
    const exists = run("docker", ["network", "inspect", name], env).status === 0;
    return { name, takenByOther: exists && !(stackExport && ownsNetwork(stackExport, name)) };
}

function pulumiBinary(): string {
    const bin = path.join(root, "node_modules", ".bin", "pulumi");
    if (!fs.existsSync(bin)) {
        fail("the pinned Pulumi CLI is not installed: run npm ci first");
    }
    return bin;
}

function fail(message: string): never {
    console.error(`ocm-lab: ${message}`);
    process.exit(1);
}

export async function main(args: string[]): Promise<void> {
    const [command, stack, ...options] = args;
    process.chdir(root); // where Pulumi runs the program and the steps, and .ocm-lab/ lives
    if (command === "pulumi") {
        // `npm run pulumi -- <args>`: the pinned CLI with the lab's backend and passphrase.
        const { env } = labEnvironment(root, process.env);
        process.exit(run(pulumiBinary(), args.slice(1), env, { cwd: root, stdio: "inherit" }).status ?? 1);
    }
    const knownOptions = command === "destroy" ? ["--purge-cache"] : [];
    const unknown = options.filter((option) => !knownOptions.includes(option));
    if (!commands.includes(command) || !stacks.includes(stack) || unknown.length > 0) {
        fail(
            (unknown.length > 0 ? `unknown option(s) for ${command}: ${unknown.join(" ")}\n` : "") +
                `usage: npm run <${commands.join("|")}> -- <${stacks.join("|")}>   (for example: npm run up -- kind)\n` +
                `       npm run destroy -- <${stacks.join("|")}> --purge-cache   (also removes the image cache's volumes)`,
        );
    }
    const pulumiBin = pulumiBinary();
    const { env, notes } = labEnvironment(root, process.env);
    notes.forEach((note) => console.log(`ocm-lab: ${note}`));
    const pulumi = (pulumiArgs: string[], inherit = false) =>
        run(pulumiBin, [...pulumiArgs, "--stack", stack, "--non-interactive"], env, {
            cwd: root,
            stdio: inherit ? "inherit" : "pipe",
        });

    const selected = run(pulumiBin, ["stack", "select", "--create", stack, "--non-interactive"], env, { cwd: root });
    if (selected.status !== 0) {
        const download = /Downloading pulumi/.test(selected.stderr + selected.stdout)
            ? "\nThe pinned Pulumi CLI is fetched from get.pulumi.com on first use (npm package pulumi): check the network, or put pulumi 3.265.0 on PATH."
            : "";
        fail(`could not select or create stack ${stack}:\n${selected.stderr}${download}`);
    }

    if (command === "status") {
        await ensureTools(["kubectl"], env);
        return status(stack, pulumi, env);
    }
    let lab: LabConfig | undefined;
    if (command === "up" || command === "destroy" || command === "preflight") {
        lab = readLabConfig(pulumi(["config", "--json"]).stdout || "{}");
        await ensureTools([...(lab.runtime === "existing" ? [] : [lab.runtime]), "clusteradm", "kubectl"], env);
        if (command === "destroy" && lab.runtime !== "existing" && run("docker", ["info"], env).status !== 0) {
            // With Docker down, no delete step can tell a live cluster from a gone one.
            fail(
                "Docker is not reachable (docker info failed), so destroy cannot see the lab's clusters; nothing was changed. " +
                    `Start Docker, then npm run destroy -- ${stack}`,
            );
        }
        if (command !== "destroy") {
            const problems = preflightProblems(gatherFacts(stack, lab, env, pulumi(["stack", "export"]).stdout));
            if (problems.length > 0) {
                fail(
                    `preflight found ${problems.length} problem(s); nothing was created:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
                );
            }
            console.log("ocm-lab: preflight passed");
        }
        if (command === "preflight") {
            return;
        }
    }
    const verb = { up: ["up", "--yes"], preview: ["preview"], destroy: ["destroy", "--yes"] }[
        command as "up" | "preview" | "destroy"
    ];
    const started = Date.now();
    const result = pulumi(verb, true);
    if (command !== "preview") {
        // Measured by the steps themselves (scripts/lib.sh): the record and a summary, even after a failure.
        const record = { stack, command, started, ended: Date.now(), steps: readStepTimings(stack, started) };
        const file = path.relative(root, writeRunRecord(record));
        let resources: StateResource[] = [];
        try {
            resources = JSON.parse(pulumi(["stack", "export"]).stdout).deployment?.resources ?? [];
        } catch {
            // no state to read the graph from (a failed first up): each step then stands alone
        }
        console.log(`ocm-lab: ${renderRunSummary(record, stepDependencies(resources), file)}`);
    }
    // The image cache belongs to the labs that make their clusters; existing has none to keep or purge.
    if (command === "destroy" && result.status === 0 && lab?.runtime !== "existing") {
        const ctx = installContext(env);
        afterDestroy(stack, options.includes("--purge-cache"), (dockerArgs) => ctx.run("docker", dockerArgs));
    }
    process.exit(result.status ?? 1);
}

/** The image cache outlives destroy: say so, or remove it when asked. */
export function afterDestroy(stack: string, purge: boolean, docker: DockerRun): void {
    if (!purge) {
        const kept = keptCacheMessage(stack, existingCacheVolumes(docker));
        if (kept) {
            console.log(`ocm-lab: ${kept}`);
        }
        return;
    }
    const { removed, problems } = purgeCache(stack, docker);
    console.log(
        `ocm-lab: purge-cache: removed ${removed.length} volume(s)${removed.length ? `: ${removed.join(", ")}` : ""}`,
    );
    if (problems.length > 0) {
        problems.forEach((problem) => console.error(`ocm-lab: ${problem}`));
        process.exit(1);
    }
}

/** The stack's config, or the program's own message about what to change. */
function readLabConfig(pulumiConfigJson: string): LabConfig {
    try {
        return labConfigFrom(pulumiConfigJson);
    } catch (error) {
        fail(error instanceof ConfigError ? error.message : `could not read the stack's config: ${error}`);
    }
}

async function ensureTools(tools: ToolName[], env: NodeJS.ProcessEnv): Promise<void> {
    const ctx = installContext(env);
    try {
        for (const tool of tools) {
            await ensureTool(tool, ctx);
        }
    } catch (error) {
        fail(error instanceof ToolError ? error.message : String(error));
    }
}

function status(stack: string, pulumi: (args: string[]) => RunResult, env: NodeJS.ProcessEnv): void {
    const kubeconfig = pulumi(["stack", "output", "hubKubeconfig", "--show-secrets"]).stdout.trim();
    if (!kubeconfig) {
        fail(`the ${stack} stack has no hub yet: npm run up -- ${stack}`);
    }
    const outputs = JSON.parse(pulumi(["stack", "output", "--json"]).stdout || "{}");
    const expected: ExpectedLab = {
        spokes: outputs.spokeNames ?? [],
        selfManaged: outputs.selfManagedCluster,
        argocd: outputs.argocdUi !== undefined,
        smokeWork: outputs.smokeWork === true,
        hubContext: outputs.contexts?.[outputs.hubName] ?? `${stack}-hub`,
    };
    // The hub kubeconfig is a secret: it lives in a private folder removed before anything exits.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-status-"));
    let rows: StatusRow[] = [];
    try {
        const file = path.join(dir, "hub.kubeconfig");
        fs.writeFileSync(file, kubeconfig, { mode: 0o600 });
        const list = (resource: string, optional = false) => {
            const result = run("kubectl", ["--kubeconfig", file, "get", resource, "-A", "-o", "json"], env);
            if (result.status === 0) {
                return JSON.parse(result.stdout);
            }
            if (!optional) {
                throw new Error(
                    `status could not read ${resource} from the hub:\n${result.stderr}` +
                        `next: npm run pulumi -- stack output hubKubeconfig --show-secrets -s ${stack} > hub.kubeconfig && ` +
                        `kubectl --kubeconfig hub.kubeconfig get ${resource}`,
                );
            }
            return { items: [] }; // the add-on's kinds exist only while Argo CD is installed
        };
        rows = statusRows(
            list("managedclusters"),
            list("managedclusteraddons"),
            list("applications.argoproj.io", true),
            list("manifestworks.work.open-cluster-management.io", true),
            {
                ...(outputs.klusterletModes ?? {}),
                // a self-managed hub's own klusterlet always runs in default mode (config.ts)
                ...(outputs.selfManagedCluster ? { [outputs.selfManagedCluster]: "default" } : {}),
            },
        );
    } catch (error) {
        fs.rmSync(dir, { recursive: true, force: true });
        fail((error as Error).message);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(`ocm-lab: ${clustersLine(outputs.runtimeName ?? stack, outputs.contexts ?? {})}`);
    console.log(renderTable(rows));
    const mirrors: { registry: string; container: string }[] = outputs.imageMirrors ?? [];
    cacheStatusLines(
        mirrors.map((m) => {
            const inspected = run("docker", ["inspect", "--format", "{{.State.Status}}", m.container], env);
            return { ...m, status: inspected.status === 0 ? inspected.stdout.trim() : "missing" };
        }),
    ).forEach((line) => console.log(`ocm-lab: ${line}`));
    const problems = statusProblems(rows, expected);
    if (problems.length > 0) {
        problems.forEach((problem) => console.error(`ocm-lab: not ready: ${problem}`));
        process.exit(1);
    }
    console.log(`ocm-lab: ready: ${expected.spokes.length} spoke(s)${expected.argocd ? ", add-on and apps" : ""}`);
}
