/**
 * The front door: `npm run up|preview|destroy|status|preflight -- <kind|k3d|existing>`. It keeps Pulumi's
 * state in the project (no account needed), never prompts, installs the pinned CLIs, checks the
 * machine before anything is created, then runs the program through the Automation API
 * (cli/labStack.ts) with the pinned Pulumi CLI (npm package `pulumi`).
 */
import { spawnSync, SpawnSyncOptions } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, LabConfig, labSettings, parseLabConfig } from "../config";
import { ensureTool, InstallContext, installedVersion, platformOf, ToolError, ToolName } from "./installTools";
import { labNetworkName } from "../runtimes/names";
import { cacheStatusLines, DockerRun, existingCacheVolumes, keptCacheMessage, purgeCache } from "./imageCache";
import {
    listedClusters,
    listingCommand,
    ownedClusterNames,
    ownsDockerObject,
    ownsNetwork,
    PreflightFacts,
    preflightProblems,
} from "./preflight";
import { labMirrors } from "../runtimes/mirrors";
import {
    nameOf,
    readStepTimings,
    renderRunSummary,
    StateResource,
    stepDependencies,
    writeRunRecord,
} from "./runRecord";
import {
    clustersLine,
    ExpectedLab,
    klusterletModesOf,
    registrationDriversOf,
    renderTable,
    StatusRow,
    statusProblems,
    statusRows,
} from "./status";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import {
    alive,
    EngineRecord,
    engineRecorder,
    PendingOperation,
    pendingOperations,
    pinnedPulumiCli,
    runOperation,
    selectLabStack,
    staleLocks,
    urnsOf,
    withoutPendingOperations,
} from "./labStack";
import { watchInterrupts } from "./interrupt";
import { credentialsDir, inProject } from "../scripts/settings";

const root = path.resolve(__dirname, "..");

/**
 * A new private folder for this run in `tmp`, named by this process's pid. Folders of this user's
 * earlier runs whose process is gone (killed outright: no exit handler ran) are removed first: they
 * hold kubeconfigs with their credentials.
 */
export function privateRunFolder(tmp: string, isAlive: (pid: number) => boolean = alive): string {
    for (const name of fs.readdirSync(tmp)) {
        const pid = /^ocm-lab-run-(\d+)-/.exec(name)?.[1];
        const folder = path.join(tmp, name);
        try {
            if (pid && fs.statSync(folder).uid === process.getuid?.() && !isAlive(Number(pid))) {
                fs.rmSync(folder, { recursive: true, force: true });
            }
        } catch {
            // gone meanwhile, or not ours to remove: left alone
        }
    }
    return fs.mkdtempSync(path.join(tmp, `ocm-lab-run-${process.pid}-`));
}
export const stacks = ["kind", "k3d", "existing"];
export const commands = ["up", "preview", "destroy", "status", "preflight"];

export interface LabEnvironment {
    env: NodeJS.ProcessEnv;
    /** What was chosen for the user, to say once. */
    notes: string[];
}

/** Whether two paths name one file, through symbolic links to their folders (macOS's /tmp, say). */
function samePath(a: string, b: string): boolean {
    const real = (file: string) => {
        try {
            return path.join(fs.realpathSync(path.dirname(path.resolve(file))), path.basename(file));
        } catch {
            return path.resolve(file);
        }
    };
    return real(a) === real(b);
}

/** The lab's state folder, below the project; Pulumi.yaml's backend names the same (a test keeps them equal). */
export const labStateDir = ".pulumi-state";

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
        const stateDir = path.join(projectRoot, labStateDir);
        fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
        result.PULUMI_BACKEND_URL = `file://${stateDir}`;
        notes.push(`state: ${stateDir} (set PULUMI_BACKEND_URL to keep it elsewhere)`);
        const passphraseFile = path.join(stateDir, "passphrase");
        // The lab's own passphrase file, unless the user chose another passphrase: also when they
        // exported its path before it existed (README.md, "With the Pulumi CLI").
        const ownFile =
            !env.PULUMI_CONFIG_PASSPHRASE_FILE || samePath(env.PULUMI_CONFIG_PASSPHRASE_FILE, passphraseFile);
        if (env.PULUMI_CONFIG_PASSPHRASE === undefined && ownFile) {
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
    return parseLabConfig(
        labSettings(Object.fromEntries(Object.entries(entries).map(([key, entry]) => [key, entry.value]))),
    );
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
    const listed = listClusters(lab.runtime, env);
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
        existingClusters: "names" in listed ? listed.names : [],
        listingFailed: "failed" in listed ? listed.failed : undefined,
        ownedClusters: stackExport ? ownedClusterNames(stackExport) : [],
        network: networkFacts(labNetworkName(stack), env, stackExport),
        strayMirrors: lab.imageCache ? strayMirrors(stack, env, stackExport) : [],
    };
}

/** The clusters of a runtime on this machine, or why the listing could not tell (cli/preflight.ts). */
function listClusters(runtime: "kind" | "k3d", env: NodeJS.ProcessEnv) {
    const [tool, ...args] = listingCommand(runtime);
    return listedClusters(runtime, run(tool, args, env));
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

function fail(message: string): never {
    console.error(`ocm-lab: ${message}`);
    process.exit(1);
}

/**
 * How many resource operations the engine may run at once. Its default is CPU×4 (pkg/cmd/pulumi/
 * operations/up.go, defaultParallel): on two cores a ten-spoke lab would queue waits behind waits.
 * Nearly every step waits on a cluster rather than using this machine, so the bound follows the lab's
 * width: up to eight steps of each cluster at once (create, kubeconfig, join, accept, Available, smoke
 * work, the add-on's waits), never below the engine's own default.
 */
export function parallelFor(clusterCount: number, cpus = os.cpus().length): number {
    return Math.max(cpus * 4, clusterCount * 8);
}

/** The clusters a lab has steps on: the hub, each spoke, and the hub again as a managed cluster when it manages itself. */
export const labClusterCount = (lab: LabConfig) => 1 + lab.spokeNames.length + (lab.hubSelfManaged ? 1 : 0);

async function pulumiCli(): Promise<string> {
    try {
        return await pinnedPulumiCli();
    } catch (error) {
        fail(
            `could not get the pinned Pulumi CLI (npm package pulumi ${installedPulumiPackage()}): ${(error as Error).message}\n` +
                "It is downloaded once from get.pulumi.com into $PULUMI_HOME/versions; check the network, then run the command again.",
        );
    }
}

function installedPulumiPackage(): string {
    return JSON.parse(fs.readFileSync(path.join(root, "node_modules", "pulumi", "package.json"), "utf8")).version;
}

/** The names a command's `--replace` options give, and the options it does not take. */
export function parseOptions(command: string, options: string[]): { replaceNames: string[]; unknown: string[] } {
    const knownOptions = { destroy: ["--purge-cache"], preview: ["--diff"] }[command] ?? [];
    // up|preview -- <stack> --replace <resource name> (repeatable): rebuild that resource, e.g. spoke1-cluster.
    const replaceNames: string[] = [];
    const unknown: string[] = [];
    for (let i = 0; i < options.length; i++) {
        if (options[i] === "--replace" && (command === "up" || command === "preview") && options[i + 1]) {
            replaceNames.push(options[++i]);
        } else if (!knownOptions.includes(options[i])) {
            unknown.push(options[i]);
        }
    }
    return { replaceNames, unknown };
}

export async function main(args: string[]): Promise<void> {
    const [command, stackName, ...options] = args;
    process.chdir(root); // where Pulumi runs the program and the steps, and .ocm-lab/ lives
    if (command === "pulumi") {
        // `npm run pulumi -- <args>`: the pinned CLI with the lab's backend and passphrase.
        const { env } = labEnvironment(root, process.env);
        const cli = await pulumiCli();
        // Beside the CLI are the language hosts of its release, which `pulumi up` itself needs.
        const withHosts = { ...env, PATH: `${path.dirname(cli)}${path.delimiter}${env.PATH ?? ""}` };
        process.exit(run(cli, args.slice(1), withHosts, { cwd: root, stdio: "inherit" }).status ?? 1);
    }
    const { replaceNames, unknown } = parseOptions(command, options);
    if (!commands.includes(command) || !stacks.includes(stackName) || unknown.length > 0) {
        fail(
            (unknown.length > 0 ? `unknown option(s) for ${command}: ${unknown.join(" ")}\n` : "") +
                `usage: npm run <${commands.join("|")}> -- <${stacks.join("|")}>   (for example: npm run up -- kind)\n` +
                `       npm run up -- <${stacks.join("|")}> --replace <resource name>   (rebuilds it, e.g. spoke1-cluster)\n` +
                `       npm run preview -- <${stacks.join("|")}> --diff   (every input that would change)\n` +
                `       npm run destroy -- <${stacks.join("|")}> --purge-cache   (also removes the image cache's volumes)`,
        );
    }
    const { env, notes } = labEnvironment(root, process.env);
    notes.forEach((note) => console.log(`ocm-lab: ${note}`));
    // The kubernetes provider writes the kubeconfig it is given to a new temporary file whenever it
    // starts and never removes it (pkg/provider/provider.go Configure, util.go writeKubeconfigToFile);
    // the lab's hold paths to its credentials, not the credentials (runtimes/kubeconfig.ts), but they
    // pile up. The engine and the steps get a private temporary folder of this run's, removed however
    // the run ends, or by the next run when this one was killed outright.
    const runTmp = privateRunFolder(os.tmpdir());
    process.on("exit", () => fs.rmSync(runTmp, { recursive: true, force: true }));
    env.TMPDIR = runTmp;
    // The program runs in this process (Automation API inline) and reads the same environment as the steps.
    Object.assign(process.env, env);
    const cli = await pulumiCli();
    let stack: Stack;
    try {
        stack = await selectLabStack(stackName, cli, env);
    } catch (error) {
        fail(`could not select or create stack ${stackName}: ${(error as Error).message}`);
    }
    const stackExport = async () => JSON.stringify(await stack.exportStack().catch(() => ({})));
    // The state before the operation, read once for preflight and --replace (an export runs the CLI).
    let exportedBefore: Promise<string> | undefined;
    const stateBefore = () => (exportedBefore ??= stackExport());

    if (command === "status") {
        await ensureTools(["kubectl"], env);
        return status(stackName, await stack.outputs(), env);
    }
    const lab = readLabConfig(JSON.stringify(await stack.getAllConfig()));
    if (command === "up" || command === "destroy" || command === "preflight") {
        await ensureTools([...(lab.runtime === "existing" ? [] : [lab.runtime]), "clusteradm", "kubectl"], env);
        if (command === "destroy" && lab.runtime !== "existing" && run("docker", ["info"], env).status !== 0) {
            // With Docker down, no delete step can tell a live cluster from a gone one.
            fail(
                "Docker is not reachable (docker info failed), so destroy cannot see the lab's clusters; nothing was changed. " +
                    `Start Docker, then npm run destroy -- ${stackName}`,
            );
        }
        if (command !== "destroy") {
            const problems = preflightProblems(gatherFacts(stackName, lab, env, await stateBefore()));
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
    const operation = command as "up" | "preview" | "destroy";
    let replace: string[] = [];
    try {
        replace =
            replaceNames.length === 0
                ? []
                : urnsOf(replaceNames, JSON.parse(await stateBefore()).deployment?.resources ?? []);
    } catch (error) {
        fail(`--replace: ${(error as Error).message}; nothing was changed`);
    }
    const cutShort =
        operation === "preview"
            ? []
            : await resumeAfterInterruption(stack, stackName, lab, cli, env, await stateBefore());
    const started = Date.now();
    const { onEvent, record: engine } = engineRecorder();
    const interrupts = watchInterrupts({
        say: (line) => console.log(`ocm-lab: ${line}`),
        underWay: engine.underWay,
        started: engine.started,
        beforeForcedExit: () =>
            console.error(`ocm-lab: ${interruptedSummary(operation, stackName, interrupts.underWayWhenStopped(), 2)}`),
    });
    let failure: Error | undefined;
    try {
        await runOperation(stack, operation, {
            parallel: parallelFor(labClusterCount(lab)),
            onOutput: (text) => {
                interrupts.seen(text);
                process.stdout.write(text);
            },
            onEvent: (event) => {
                interrupts.seen(event.stdoutEvent?.message ?? "");
                onEvent(event);
            },
            replace,
            diff: options.includes("--diff"),
            signal: interrupts.signal,
        });
    } catch (error) {
        failure = error as Error;
    }
    interrupts.dispose();
    if (command !== "preview") {
        // Measured by the steps themselves (scripts/lib.sh): the record and a summary, even after a failure.
        const record = {
            stack: stackName,
            command,
            started,
            ended: Date.now(),
            steps: readStepTimings(stackName, started),
            maxConcurrentOperations: engine.maxConcurrent,
        };
        const file = path.relative(root, writeRunRecord(record));
        let resources: StateResource[] = [];
        try {
            resources = JSON.parse(await stackExport()).deployment?.resources ?? [];
        } catch {
            // no state to read the graph from (a failed first up): each step then stands alone
        }
        console.log(`ocm-lab: ${renderRunSummary(record, stepDependencies(resources), file)}`);
    }
    if (interrupts.presses() > 0) {
        console.error(
            `ocm-lab: ${interruptedSummary(operation, stackName, interrupts.underWayWhenStopped(), interrupts.presses())}`,
        );
        process.exit(130);
    }
    if (failure) {
        fail(failureSummary(operation, stackName, engine, failure));
    }
    // The providers' copies of the clusters' credentials (runtimes/kubeconfig.ts): a kind or k3d
    // cluster's delete takes its own; runtime existing's, copies of the user's contexts', go only here.
    if (command === "destroy") {
        fs.rmSync(inProject(credentialsDir(stackName)), { recursive: true, force: true });
    }
    // The image cache belongs to the labs that make their clusters; existing has none to keep or purge.
    if (command === "destroy" && lab.runtime !== "existing") {
        leftByCutShortCreates(cutShort, lab, env).forEach((line) => console.log(`ocm-lab: ${line}`));
        const ctx = installContext(env);
        afterDestroy(stackName, options.includes("--purge-cache"), (dockerArgs) => ctx.run("docker", dockerArgs));
    }
}

/**
 * The lines a failed operation ends with: each failed step once, with the first line of its message
 * (the step's own `next:` line is in the engine's output above), and what to run after fixing it.
 */
export function failureSummary(
    operation: "up" | "preview" | "destroy",
    stack: string,
    engine: EngineRecord,
    error: Error,
): string {
    const steps = [...new Map(engine.failed.map((f) => [f.name, f])).values()];
    if (steps.length === 0) {
        // No step failed: the program or the engine itself stopped (its message is above).
        const first = engine.errors[0] ?? error.message;
        return `${operation} failed before any step: ${first.trim().split("\n")[0]}\nnext: fix that, then npm run ${operation} -- ${stack}`;
    }
    const lines = steps.map((f) => {
        // A step says what failed in a line of its own (scripts/lib.sh fail) and what to run next.
        const said = /^ocm-lab: (.*fail.*)$/m.exec(f.message)?.[1] ?? f.message.trim().split("\n")[0];
        const next = /^\s*(next: .*)$/m.exec(f.message)?.[1];
        return `  - ${f.name}: ${said}${next ? `\n    ${next}` : ""}`;
    });
    return (
        `${operation} failed at ${steps.length} step(s); the others went as far as they could:\n${lines.join("\n")}\n` +
        `next: fix the cause, then npm run ${operation} -- ${stack} (it resumes where this run stopped)`
    );
}

/** The lines an operation stopped with Ctrl-C ends with: what it cut short, and what to run next. */
export function interruptedSummary(
    operation: "up" | "preview" | "destroy",
    stack: string,
    underWay: string[],
    presses: number,
): string {
    const how =
        presses > 1
            ? "stopped at once (Ctrl-C twice): the steps under way were killed where they stood"
            : "cancelled (Ctrl-C): the steps under way ended once what they had started ended";
    const steps = underWay.length > 0 ? `; under way then: ${underWay.join(", ")}` : "";
    return (
        `${operation} interrupted and ${how}${steps}\n` +
        `next: npm run ${operation} -- ${stack}   (it resumes: the steps cut short run again, each safe to re-run)`
    );
}

/**
 * Before an up or destroy, what a run stopped at once (Ctrl-C twice, or killed) left behind: a lock
 * no live process holds, and pending operations in the state, which the engine would otherwise keep
 * warning about and never clear (a pending create: pulumi v3.274.1 pkg/backend/snapshot.go:845-851).
 * The steps they name are safe to run again, so they are cleared and the steps run again. A Helm
 * release whose install was cut short is left pending-install, a name helm then refuses to install
 * under (helm v3.18.6 pkg/action/install.go:530-552): that record is removed, so the install starts
 * over and adopts what the first one made. Each thing done is said.
 */
async function resumeAfterInterruption(
    stack: Stack,
    stackName: string,
    lab: LabConfig,
    cli: string,
    env: NodeJS.ProcessEnv,
    exported: string,
): Promise<PendingOperation[]> {
    for (const lock of staleLocks(env.PULUMI_BACKEND_URL ?? "", stackName, os.hostname())) {
        fs.rmSync(lock, { force: true });
        console.log(
            `ocm-lab: removed the lock of a run that no longer runs (${path.basename(lock)}): it was stopped outright`,
        );
    }
    const pending = pendingOperations(exported);
    if (pending.length === 0) {
        return pending;
    }
    const names = pending.map((op) => `${nameOf(op.urn)} (${op.type})`).join(", ");
    console.log(
        `ocm-lab: the last run was stopped while the engine was ${names}; clearing those from the state so they run again`,
    );
    // the URN's type, after its parents' (…::ocm-lab:index:ArgoAgentAddon$kubernetes:helm.sh/v3:Release::name)
    const typeOf = (urn: string) => (urn.split("::")[2] ?? "").split("$").pop();
    for (const op of pending.filter((p) => typeOf(p.urn) === "kubernetes:helm.sh/v3:Release")) {
        releasePendingHelmRecord(op, stackName, lab, cli, env);
    }
    try {
        await stack.importStack(withoutPendingOperations(exported));
    } catch (error) {
        fail(
            `could not clear the pending operations from the state: ${(error as Error).message}\n` +
                `next: npm run pulumi -- refresh --clear-pending-creates -s ${stackName}, then npm run up -- ${stackName}`,
        );
    }
    return pending;
}

/**
 * After a destroy: the clusters a create cut short may have made outside the lab's state (its create
 * was pending when the run stopped), which destroy therefore could not delete, if they are there.
 */
function leftByCutShortCreates(cutShort: PendingOperation[], lab: LabConfig, env: NodeJS.ProcessEnv): string[] {
    const names = cutShort
        .filter((op) => op.type === "creating" && op.urn.endsWith("-cluster"))
        .map((op) => nameOf(op.urn).replace(/-cluster$/, ""));
    if (names.length === 0 || lab.runtime === "existing") {
        return [];
    }
    const listed = listClusters(lab.runtime, env);
    if ("failed" in listed) {
        const { command, said } = listed.failed;
        return [
            `a create of ${names.join(", ")} was cut short when a run stopped, and ${command} failed (${said}), so ` +
                `whether it left a cluster is unknown; next: ${command}, and delete any of ${names.join(", ")} it lists`,
        ];
    }
    return names
        .filter((name) => listed.names.includes(name))
        .map(
            (name) =>
                `${lab.runtime} cluster ${name} is still on this machine: a create of it was cut short when a run ` +
                `stopped, so the lab's state never held it; next: ${lab.runtime === "kind" ? `kind delete cluster --name ${name}` : `k3d cluster delete ${name}`}`,
        );
}

/** Removes helm's pending record of a release whose install or upgrade was cut short, on the hub. */
function releasePendingHelmRecord(
    op: PendingOperation,
    stackName: string,
    lab: LabConfig,
    cli: string,
    env: NodeJS.ProcessEnv,
): void {
    const release = String(op.inputs.name ?? "");
    const namespace = String(op.inputs.namespace ?? "default");
    const next =
        `kubectl --context <hub context> delete secret -n ${namespace} -l 'owner=helm,name=${release},status in (pending-install,pending-upgrade)', ` +
        `then npm run up -- ${stackName}`;
    // The hub's kubeconfig, from the lab's own state (the hub's kubeconfig or connect step).
    const exported = run(cli, ["stack", "export", "--show-secrets", "--stack", stackName, "--non-interactive"], env);
    const resources: { type: string; urn: string; outputs?: { stdout?: unknown } }[] =
        exported.status === 0 ? (JSON.parse(exported.stdout).deployment?.resources ?? []) : [];
    const hubStep = resources.find(
        (r) =>
            r.type === "command:local:Command" &&
            [`${lab.hubName}-kubeconfig`, `${lab.hubName}-connect`].includes(nameOf(r.urn)),
    );
    // with --show-secrets a secret reads {<secret signature>, plaintext: <its value as JSON>}
    const stdout = hubStep?.outputs?.stdout as string | { plaintext?: string } | undefined;
    const kubeconfig = typeof stdout === "object" && stdout?.plaintext ? JSON.parse(stdout.plaintext) : stdout;
    if (!release || typeof kubeconfig !== "string" || kubeconfig === "") {
        fail(
            `the Helm release ${release || "(unnamed)"} was cut short, and the hub's kubeconfig is not in the state\nnext: ${next}`,
        );
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-helm-"));
    try {
        const file = path.join(dir, "hub.kubeconfig");
        fs.writeFileSync(file, kubeconfig, { mode: 0o600 });
        const deleted = run(
            "kubectl",
            [
                "--kubeconfig",
                file,
                "delete",
                "secret",
                "-n",
                namespace,
                "-l",
                `owner=helm,name=${release},status in (pending-install,pending-upgrade)`,
                "--ignore-not-found",
            ],
            env,
        );
        if (deleted.status !== 0) {
            fail(
                `could not remove the pending record of Helm release ${release} on the hub:\n${deleted.stderr}next: ${next}`,
            );
        }
        console.log(
            `ocm-lab: Helm release ${namespace}/${release} was cut short; its pending record is removed, so the install starts over`,
        );
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
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
        fail(
            error instanceof ConfigError
                ? error.message.replace(/^ocm-lab: /, "")
                : `could not read the stack's config: ${error}`,
        );
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

/**
 * `npm run status`: the hub's view of the lab, from the stack's outputs and kubectl on the hub's
 * kubeconfig (PATH in `env` finds kubectl). Exits non-zero when anything is not ready or not readable.
 */
export function status(stack: string, stackOutputs: OutputMap, env: NodeJS.ProcessEnv): void {
    const kubeconfig = String(stackOutputs.hubKubeconfig?.value ?? "").trim();
    if (!kubeconfig) {
        fail(`the ${stack} stack has no hub yet: npm run up -- ${stack}`);
    }
    const outputs = Object.fromEntries(Object.entries(stackOutputs).map(([key, output]) => [key, output.value]));
    const expected: ExpectedLab = {
        spokes: outputs.spokeNames ?? [],
        selfManaged: outputs.selfManagedCluster ?? undefined,
        argocd: outputs.argocdUi !== undefined && outputs.argocdUi !== null,
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
            klusterletModesOf(outputs),
            registrationDriversOf(outputs),
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
