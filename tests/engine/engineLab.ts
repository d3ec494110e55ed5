/**
 * The engine tier: the lab run through its own front door (`npm run up|preview|destroy -- <stack>`,
 * cli/lab.ts), which drives the real Pulumi engine (the CLI built from its Go module) through the
 * Automation API. What the engine talks to:
 * - the real kubernetes provider, built from its Go module (a January 2026 commit, see versions.ts);
 * - stand-ins for the command, docker and random providers (tests/engine/plugins), which the Go module
 *   proxy will not serve; the docker stand-in works on the real Docker engine;
 * - or, for a lab made with `{ kubernetes: "stand-in" }`, the kubernetes stand-in instead of the real
 *   provider: Argo CD's and the smoke work's objects need an API server, which the fake clusters are
 *   not; the stand-in records them where the fake controllers react (tests/engine/plugins/kubernetes.ts);
 * - the fake kind, k3d, clusteradm and kubectl (tests/fakes) first on PATH, sharing one FakeLab.
 *
 * Each EngineLab is a copy of the project in a temporary folder, as a user's checkout: its own stack
 * files (the tests edit them as a user would), state backend, PULUMI_HOME and .ocm-lab folder.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { engineTimeScale, FakeLab, scaledBound, timeScaleOf } from "../harness/fakeLab";
import { realCliPath } from "../builds/realClis";
import { versions } from "../../versions";
import { inotifyNeeded } from "../../cli/preflight";
import { ensureRegistryImage } from "../harness/docker";

export const projectRoot = path.resolve(__dirname, "..", "..");
const pluginsBin = path.join(__dirname, "plugins", "bin");
const kubernetesStandIn = path.join(__dirname, "plugins", "kubernetes-stand-in");

/** What the project copy holds: the program, its front door and the stack files (node_modules is linked). */
const projectEntries = [
    "Pulumi.yaml",
    "Pulumi.kind.yaml",
    "Pulumi.k3d.yaml",
    "Pulumi.existing.yaml",
    "index.ts",
    "config",
    "versions.ts",
    "package.json",
    "tsconfig.json",
    "components",
    "runtimes",
    "scripts",
    "cli",
    "tests/engine/programOnly.ts",
];

/**
 * The config every engine-tier run starts from: what the real kubernetes provider can serve against
 * the fakes (Argo CD's and the smoke work's objects need an API server; the image cache's mirrors an
 * upstream registry, which tests never reach).
 */
export const withoutApiObjects = {
    argocd: { enabled: false },
    smokeWork: false,
    imageCache: false,
    timeoutSeconds: waitBound(),
};

/**
 * The stacks' wait bound (ocm-lab:timeoutSeconds): 30 s at the engine tier's time scale, and enough
 * for the longest single wait of a step (the chart's install, 120 s of upstream's time) at any scale.
 */
export function waitBound(): number {
    return scaledBound(200, 30);
}

/**
 * The config of a whole lab on the engine tier: Argo CD, the smoke work and the image cache on, as a
 * user's default stack has them, with a short wait bound. Needs `{ kubernetes: "stand-in" }`.
 */
export const wholeLab = { timeoutSeconds: waitBound() };

/**
 * Call first in each engine-tier file: it fails loudly rather than skip, since the engine tier is the
 * source of truth for engine behaviour, and gives each test time for several runs of the engine.
 */
export function requireEngineTier(): void {
    const missing = engineTierMissing();
    if (missing) {
        throw new Error(`the engine tier cannot run: ${missing}`);
    }
    // ten minutes at the engine tier's time scale; slower scales take longer
    jest.setTimeout(600_000 * Math.max(1, timeScaleOf(undefined, engineTimeScale) / engineTimeScale));
}

/** Why the engine tier cannot run here, or undefined when it can. */
export function engineTierMissing(): string | undefined {
    for (const tool of ["pulumi", "pulumi-resource-kubernetes"] as const) {
        if (!fs.existsSync(realCliPath(tool))) {
            return `${tool} is not built (${realCliPath(tool)}); next: npm run build:clis`;
        }
    }
    // Three kind clusters need these on Linux (preflight checks them, as for a user); the fakes use none.
    const read = (name: string) => {
        const file = `/proc/sys/fs/inotify/${name}`;
        return fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8")) : Infinity;
    };
    if (
        read("max_user_instances") < inotifyNeeded.maxUserInstances ||
        read("max_user_watches") < inotifyNeeded.maxUserWatches
    ) {
        return (
            "the inotify limits are below what a kind lab needs, which the front door's preflight refuses; " +
            `next: sudo sysctl fs.inotify.max_user_instances=${inotifyNeeded.maxUserInstances} fs.inotify.max_user_watches=${inotifyNeeded.maxUserWatches}   (.ci/run does this)`
        );
    }
    if (spawnSync("docker", ["info"], { encoding: "utf8" }).status !== 0) {
        return "no Docker engine answers (docker info failed); next: dockerd &   (.ci/run starts one)";
    }
    return undefined;
}

/** The real docker CLI's absolute path, found before the fakes go first on PATH. */
function realDocker(): string {
    const found = spawnSync("sh", ["-c", "command -v docker"], { encoding: "utf8" }).stdout.trim();
    if (!found.startsWith("/")) {
        throw new Error("no docker CLI on PATH; next: apt-get install docker.io");
    }
    return found;
}

export interface FrontDoorResult {
    code: number;
    /** Everything the front door printed, stdout and stderr in the order they came. */
    output: string;
}

/** Fails with everything the front door printed unless it exited 0. */
export function expectSucceeded(result: FrontDoorResult): void {
    if (result.code !== 0) {
        throw new Error(`the front door exited ${result.code}:\n${result.output}`);
    }
}

/** Fails with everything the front door printed unless it exited non-zero. */
export function expectFailed(result: FrontDoorResult): void {
    if (result.code === 0) {
        throw new Error(`the front door should have failed:\n${result.output}`);
    }
}

/**
 * Engine labs of one machine take turns: each stack's network (`ocm-lab-<stack>`) has one name on
 * the real Docker engine, so two test files in parallel jest workers would take or remove each
 * other's. A lock folder holds the owner's pid; a dead owner's lock is taken over.
 */
const turnLock = path.join(os.tmpdir(), "ocm-lab-engine-tier.lock");
/** What a lab of the tier could not remove after its test (EngineLab.dispose), and that test's name. */
const leakRecord = path.join(os.tmpdir(), "ocm-lab-engine-tier.leaked.json");

export function takeTurn(): void {
    const deadline = Date.now() + 30 * 60_000;
    for (;;) {
        try {
            fs.mkdirSync(turnLock);
            fs.writeFileSync(path.join(turnLock, "pid"), String(process.pid));
            return;
        } catch {
            const owner = Number(
                fs.existsSync(path.join(turnLock, "pid")) ? fs.readFileSync(path.join(turnLock, "pid"), "utf8") : 0,
            );
            let alive = owner > 0;
            try {
                if (alive) process.kill(owner, 0);
            } catch {
                alive = false;
            }
            if (!alive && owner > 0) {
                fs.rmSync(turnLock, { recursive: true, force: true });
                continue;
            }
            if (Date.now() > deadline) {
                throw new Error(
                    `another engine-tier lab has held ${turnLock} for 30 minutes; next: remove it if no test runs`,
                );
            }
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
        }
    }
}

/**
 * The cache volumes `listed` less those an earlier lab of the tier recorded as its leak, which are
 * removed here with the containers that use them: that lab's test has failed for it already, and the
 * labs after it need not. Returns what is left, newline-separated.
 */
function purgeRecordedLeak(listed: string): string {
    if (!listed || !fs.existsSync(leakRecord)) {
        return listed;
    }
    const record = JSON.parse(fs.readFileSync(leakRecord, "utf8")) as { volumes: string[]; test?: string };
    // the very volumes recorded, not ones of the same name a lab made since (their creation time differs)
    const leaked = new Set(record.volumes);
    const present = volumesCreated(listed.split("\n"));
    for (const volume of present.filter((v) => leaked.has(v)).map((v) => v.split(" ")[0])) {
        const users = spawnSync("docker", ["ps", "-aq", "--filter", `volume=${volume}`], { encoding: "utf8" });
        for (const container of users.stdout.split("\n").filter((c) => c)) {
            spawnSync("docker", ["rm", "-f", container], { encoding: "utf8" });
        }
        spawnSync("docker", ["volume", "rm", volume], { encoding: "utf8" });
        console.warn(`engine tier: removed ${volume}, left by the lab of "${record.test ?? "an earlier test"}"`);
    }
    fs.rmSync(leakRecord, { force: true });
    return spawnSync("docker", ["volume", "ls", "--quiet", "--filter", "name=^ocm-lab-cache-"], {
        encoding: "utf8",
    }).stdout.trim();
}

/** "<name> <created>" of each of `names` that is a cache volume. */
function volumesCreated(names: string[]): string[] {
    return createdOf(
        "docker",
        "volume",
        names.filter((name) => name.startsWith("ocm-lab-cache-")),
    ).map(([name, at]) => `${name} ${at}`);
}

/**
 * [name, created] of each of `names`, containers or volumes, in one inspect: a container's name
 * without its leading "/", created as docker prints it.
 */
function createdOf(docker: string, kind: "container" | "volume", names: string[]): [string, string][] {
    if (names.length === 0) {
        return [];
    }
    const field = kind === "container" ? "{{.Name}} {{.Created}}" : "{{.Name}} {{.CreatedAt}}";
    const inspected = spawnSync(docker, [kind, "inspect", "--format", field, ...names], { encoding: "utf8" });
    return inspected.stdout
        .trim()
        .split("\n")
        .map((line) => line.split(/ (.*)/))
        .filter(([, at]) => at !== undefined)
        .map(([name, at]) => [name.replace(/^\//, ""), at]);
}

/** Ends this process's turn; a lock another process holds is left alone. */
export function releaseTurn(): void {
    const pidFile = path.join(turnLock, "pid");
    if (fs.existsSync(pidFile) && fs.readFileSync(pidFile, "utf8").trim() === String(process.pid)) {
        fs.rmSync(turnLock, { recursive: true, force: true });
    }
}

export interface EngineLabOptions {
    /** Which kubernetes provider the engine finds: the real one (default) or the stand-in. */
    kubernetes?: "real" | "stand-in";
    /** FAKE_TIME_SCALE for this lab's fakes; by default the environment's, else engineTimeScale. */
    timeScale?: number;
    /**
     * Where the state is: a backend of the lab's own, named by PULUMI_BACKEND_URL (default), or, for
     * "project", the one the project copy's Pulumi.yaml names, as a user's shell without
     * PULUMI_BACKEND_URL finds it; its passphrase is then the file README.md says to export.
     */
    backend?: "lab" | "project";
}

export class EngineLab {
    readonly fake: FakeLab;
    readonly kubernetes: "real" | "stand-in";
    /** The project copy the front door runs in. */
    readonly project: string;
    private readonly home: string;
    readonly backend: string;
    private readonly backendFrom: "lab" | "project";
    private readonly madeAt = Date.now();
    private disposed = false;

    constructor(options: EngineLabOptions = {}) {
        this.fake = new FakeLab({ timeScale: timeScaleOf(options.timeScale, engineTimeScale) });
        this.project = path.join(this.fake.root, "project");
        this.home = path.join(this.fake.root, "pulumi-home");
        this.backendFrom = options.backend ?? "lab";
        this.backend =
            this.backendFrom === "project"
                ? path.join(this.project, ".pulumi-state")
                : path.join(this.fake.root, "backend");
        this.kubernetes = options.kubernetes ?? "real";
        takeTurn();
        try {
            this.prepare();
        } catch (error) {
            this.fake.dispose();
            releaseTurn(); // the next lab's turn
            throw error;
        }
    }

    /** The machine checks and the project copy, once this lab has its turn. */
    private prepare(): void {
        // Engine-tier labs make and purge the image cache's volumes on this Docker engine: a real lab's
        // cache here would be shared with them, then purged. Checked once this lab has its turn, when
        // no other engine-tier lab runs.
        const cache = purgeRecordedLeak(
            spawnSync("docker", ["volume", "ls", "--quiet", "--filter", "name=^ocm-lab-cache-"], {
                encoding: "utf8",
            }).stdout.trim(),
        );
        if (cache) {
            throw new Error(
                `this Docker engine holds an image cache (${cache.split("\n").join(", ")}), which the engine ` +
                    "tier's labs would share and purge; next: npm run destroy -- <stack> --purge-cache once no lab " +
                    "of yours needs it, or run the tests on another machine (a killed test run leaves one too)",
            );
        }
        // The image cache's mirrors run the pinned registry image, which no test may pull: the real
        // one when the machine has it, otherwise the stand-in built from the same release.
        ensureRegistryImage();
        fs.mkdirSync(this.project);
        for (const entry of projectEntries) {
            fs.mkdirSync(path.dirname(path.join(this.project, entry)), { recursive: true });
            fs.cpSync(path.join(projectRoot, entry), path.join(this.project, entry), { recursive: true });
        }
        fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(this.project, "node_modules"));
        // The npm package `pulumi` finds the CLI of PULUMI_VERSION in $PULUMI_HOME/versions/<version>/bin.
        const cliDir = path.join(this.home, "versions", this.cliVersion, "bin");
        fs.mkdirSync(cliDir, { recursive: true });
        fs.symlinkSync(realCliPath("pulumi"), path.join(cliDir, "pulumi"));
        if (this.backendFrom === "lab") {
            fs.mkdirSync(this.backend);
        }
    }

    get cliVersion(): string {
        return versions.pulumiCliForTests.replace(/^v/, "");
    }

    /** The environment the front door starts with: a user's shell with the fakes and plugins installed. */
    env(): NodeJS.ProcessEnv {
        const fakeEnv = this.fake.env();
        return {
            ...fakeEnv,
            PATH: [
                fakeEnv.PATH!.split(path.delimiter)[0], // the fakes
                pluginsBin,
                this.kubernetes === "stand-in"
                    ? kubernetesStandIn
                    : path.dirname(realCliPath("pulumi-resource-kubernetes")),
                path.dirname(process.execPath), // this Node (>= 22) for the plugins too
                process.env.PATH,
            ].join(path.delimiter),
            REAL_DOCKER: realDocker(),
            PULUMI_HOME: this.home,
            PULUMI_VERSION: this.cliVersion,
            ...(this.backendFrom === "lab"
                ? { PULUMI_BACKEND_URL: `file://${this.backend}`, PULUMI_CONFIG_PASSPHRASE: "engine-tier" }
                : {
                      PULUMI_BACKEND_URL: undefined,
                      PULUMI_CONFIG_PASSPHRASE: undefined,
                      PULUMI_CONFIG_PASSPHRASE_FILE: path.join(this.backend, "passphrase"),
                  }),
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            OCM_LAB_LOCAL_DIR: undefined,
            // The fakes answer the front door's version probes with the pinned releases: it installs nothing.
            FAKE_KIND_VERSION: versions.kindCli,
            FAKE_K3D_VERSION: versions.k3dCli,
            FAKE_KUBECTL_VERSION: versions.kubectl,
            FAKE_CLUSTERADM_VERSION: `v${versions.clusteradm}`,
            // Were anything in the engine's Go processes to reach out, it goes nowhere: no proxy answers here.
            HTTPS_PROXY: "http://127.0.0.1:9",
            HTTP_PROXY: "http://127.0.0.1:9",
            NO_PROXY: "",
        };
    }

    /** Sets ocm-lab: keys in Pulumi.<stack>.yaml of the copy, as a user edits the file (undefined removes). */
    configure(stack: string, values: Record<string, unknown>): void {
        const file = path.join(this.project, `Pulumi.${stack}.yaml`);
        const doc = (yaml.load(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> }) ?? {};
        doc.config = doc.config ?? {};
        for (const [key, value] of Object.entries(values)) {
            if (value === undefined) {
                delete doc.config[`ocm-lab:${key}`];
            } else {
                doc.config[`ocm-lab:${key}`] = value;
            }
        }
        fs.writeFileSync(file, yaml.dump(doc));
    }

    /** `npm run <command> -- <stack> [options]`, as a user types it (npm's own lines left out). */
    frontDoor(command: string, stack: string, ...options: string[]): Promise<FrontDoorResult> {
        return this.spawnNode([path.join(this.project, "cli", "lab.ts"), command, stack, ...options]);
    }

    /** `frontDoor`, with the steps that ran meanwhile (scripts/lib.sh's lines), sorted. */
    async frontDoorSteps(
        command: string,
        stack: string,
        ...options: string[]
    ): Promise<FrontDoorResult & { ran: string[] }> {
        const before = this.stepsRun(stack).length;
        const result = await this.frontDoor(command, stack, ...options);
        return { ...result, ran: this.stepsRun(stack).slice(before).sort() };
    }

    /**
     * `pulumi <args>` typed in the project copy, as README.md's "With the Pulumi CLI" says: the pinned
     * CLI first on PATH, which runs the program through the nodejs language host it finds there (the
     * stand-in: plugins/nodejsLanguage.ts), and nothing of the front door's.
     */
    typed(...args: string[]): Promise<FrontDoorResult> {
        const env = this.env();
        const child = spawn("pulumi", args, {
            cwd: this.project,
            env: {
                ...env,
                PATH: `${path.join(this.home, "versions", this.cliVersion, "bin")}${path.delimiter}${env.PATH}`,
            },
        });
        let output = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
        child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
        return new Promise((resolve) => {
            child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), output }));
        });
    }

    /** One engine operation on the program alone, without the front door's checks (programOnly.ts). */
    programOnly(command: string, stack: string): Promise<FrontDoorResult> {
        return this.spawnNode([path.join(this.project, "tests", "engine", "programOnly.ts"), command, stack]);
    }

    /**
     * `npm run <command> -- <stack>`, interrupted once `when` holds, as a user does at a terminal:
     * Ctrl-C, which reaches the front door's whole process group (the Pulumi CLI, which the Automation
     * API starts in it, included; the CLI starts its plugins in groups of their own); twice for
     * `presses: 2`, the second after the CLI said it is cancelling. `presses: "killed"` is a machine
     * that kills everything at once (SIGKILL to the front door, the CLI, the plugins and the steps),
     * as a crash or an out-of-memory kill would.
     */
    async frontDoorInterrupted(
        command: string,
        stack: string,
        interrupt: { when: () => boolean; presses?: 1 | 2 | "killed" },
        ...options: string[]
    ): Promise<FrontDoorResult & { ran: string[] }> {
        const before = this.stepsRun(stack).length;
        const started = this.spawnNode([path.join(this.project, "cli", "lab.ts"), command, stack, ...options], true);
        const waitFor = async (what: string, done: () => boolean, seconds: number) => {
            const deadline = Date.now() + seconds * 1000;
            while (!done()) {
                if (Date.now() > deadline || started.exited()) {
                    throw new Error(`the front door never reached ${what}:\n${started.output()}`);
                }
                await new Promise((resolve) => setTimeout(resolve, 25));
            }
        };
        await waitFor("the moment to interrupt", interrupt.when, 120);
        if (interrupt.presses === "killed") {
            process.kill(-started.pid, "SIGKILL");
            this.killAll();
            return { ...(await started.result), ran: this.stepsRun(stack).slice(before).sort() };
        }
        process.kill(-started.pid, "SIGINT");
        if ((interrupt.presses ?? 1) === 2) {
            await waitFor("the CLI's cancelling", () => /received; cancelling/.test(started.output()), 30);
            // a second press, not the same one delivered twice (cli/interrupt.ts: 300 ms apart)
            await new Promise((resolve) => setTimeout(resolve, 400));
            process.kill(-started.pid, "SIGINT");
        }
        const result = await started.result;
        if (process.env.ENGINE_DEBUG_DIR) {
            fs.appendFileSync(
                path.join(process.env.ENGINE_DEBUG_DIR, "runs.log"),
                `\n===== ${command} ${stack}\n${result.output}`,
            );
        }
        return { ...result, ran: this.stepsRun(stack).slice(before).sort() };
    }

    /**
     * The processes this lab runs now (the front door, the CLI, the plugins, the steps and the fakes,
     * whose environment names its state folder), zombies left out; Linux only (/proc).
     */
    processes(): number[] {
        const marker = `FAKE_STATE=${this.fake.state}\0`;
        return fs
            .readdirSync("/proc")
            .filter((pid) => /^\d+$/.test(pid) && Number(pid) !== process.pid)
            .filter((pid) => {
                try {
                    const stat = fs.readFileSync(path.join("/proc", pid, "stat"), "utf8");
                    return (
                        !/\) Z /.test(stat) &&
                        fs.readFileSync(path.join("/proc", pid, "environ"), "utf8").includes(marker)
                    );
                } catch {
                    return false; // gone meanwhile, or not ours to read
                }
            })
            .map(Number);
    }

    /**
     * SIGKILL to every process of this lab, again until none is left: a step's shell may start one
     * between a listing and its kill. Bounded; what still runs after that is named.
     */
    killAll(): void {
        const deadline = Date.now() + 15_000;
        for (let left = this.processes(); left.length > 0; left = this.processes()) {
            if (Date.now() > deadline) {
                throw new Error(`this lab's processes outlived 15 s of SIGKILL: ${this.processCommands().join("; ")}`);
            }
            for (const pid of left) {
                try {
                    process.kill(pid, "SIGKILL");
                } catch {
                    // gone already
                }
            }
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        }
    }

    /** The command lines of `processes()`. */
    processCommands(): string[] {
        return this.processes().flatMap((pid) => {
            try {
                return [
                    fs
                        .readFileSync(path.join("/proc", String(pid), "cmdline"), "utf8")
                        .replace(/\0/g, " ")
                        .trim(),
                ];
            } catch {
                return [];
            }
        });
    }

    /** `node cli/run.js <script> <args>` in the project copy, with this lab's environment. */
    private spawnNode(args: string[]): Promise<FrontDoorResult>;
    private spawnNode(
        args: string[],
        ownGroup: true,
    ): { pid: number; result: Promise<FrontDoorResult>; output: () => string; exited: () => boolean };
    private spawnNode(args: string[], ownGroup = false) {
        const child = spawn(process.execPath, [path.join(this.project, "cli", "run.js"), ...args], {
            cwd: this.project,
            env: this.env(),
            detached: ownGroup,
        });
        let output = "";
        let exited = false;
        child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
        child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
        const result = new Promise<FrontDoorResult>((resolve, reject) => {
            child.on("close", (code, signal) => {
                exited = true;
                // The fakes answer every version probe with the pinned release: an install here would
                // mean a download, which tests never make. It fails the test whatever the test expects
                // of the run (a code of its own would pass expectFailed); a throw here would escape the
                // promise and leave the test waiting until its timeout.
                if (/; installing \S+ into /.test(output)) {
                    reject(new Error(`the front door tried to install a tool:\n${output}`));
                    return;
                }
                resolve({ code: code ?? (signal ? 128 : -1), output });
            });
        });
        if (ownGroup) {
            // the caller may fail (waiting for its moment) before it awaits the result: no unhandled rejection then
            result.catch(() => undefined);
            return { pid: child.pid!, result, output: () => output, exited: () => exited };
        }
        return result;
    }

    /** The pinned CLI on this lab's backend, for what a test reads back (`stack export`, `stack output`). */
    pulumi(args: string[]): { code: number; stdout: string; stderr: string } {
        const result = spawnSync(realCliPath("pulumi"), [...args, "--non-interactive"], {
            cwd: this.project,
            env: this.env(),
            encoding: "utf8",
            maxBuffer: 256 * 1024 * 1024,
        });
        return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    }

    /** The stack's resources as the backend holds them. */
    state(stack: string): { urn: string; type: string; id?: string; outputs?: any; inputs?: any }[] {
        const exported = this.pulumi(["stack", "export", "--stack", stack]);
        if (exported.code !== 0) {
            throw new Error(`pulumi stack export failed: ${exported.stderr}`);
        }
        return JSON.parse(exported.stdout).deployment.resources ?? [];
    }

    /** Names of the stack's resources of one type (Commands by default). */
    stateNames(stack: string, type = "command:local:Command"): string[] {
        return this.state(stack)
            .filter((r) => r.type === type)
            .map((r) => r.urn.slice(r.urn.lastIndexOf("::") + 2))
            .sort();
    }

    /** The step lines (scripts/lib.sh) of every run so far: which steps ran, in the order they ended. */
    stepsRun(stack: string): string[] {
        const file = path.join(this.project, ".ocm-lab", stack, "steps.jsonl");
        if (!fs.existsSync(file)) {
            return [];
        }
        return fs
            .readFileSync(file, "utf8")
            .trim()
            .split("\n")
            .filter((l) => l)
            .map((l) => JSON.parse(l).step as string);
    }

    /**
     * Names of the real Docker engine's objects made since this lab was: the lab's mirror containers
     * (labelled `ocm-lab.lab`, see components/imageCache.ts) or volumes, whose names start with `prefix`.
     */
    madeSince(kind: "container" | "volume", prefix: string): string[] {
        const docker = this.env().REAL_DOCKER!;
        const listed =
            kind === "container"
                ? spawnSync(docker, ["ps", "-a", "--filter", "label=ocm-lab.lab", "--format", "{{.Names}}"], {
                      encoding: "utf8",
                  })
                : spawnSync(docker, ["volume", "ls", "--format", "{{.Name}}"], { encoding: "utf8" });
        const names = listed.stdout.split("\n").filter((name) => name.startsWith(prefix));
        // created: "2026-12-01 19:02:03 +0000 UTC" (volume) or RFC 3339 (container)
        const created = (at: string) => Date.parse(at.replace(/ ([+-]\d{2})(\d{2}) \w+$/, "$1:$2").replace(" ", "T"));
        return createdOf(docker, kind, names)
            .filter(([, at]) => created(at) >= this.madeAt - 1000)
            .map(([name]) => name)
            .sort();
    }

    /**
     * Removes what this lab left on the real Docker engine and its folder: only what was made after
     * this EngineLab was (a user's own labs and image cache on the machine are older). Its processes
     * go first: a test that failed or ran out of time leaves its front door running, which would make
     * more after the removal. Then mirror containers, cache volumes and networks, which docker refuses
     * to remove while in use, in rounds until none is left. What cannot be removed fails this lab's
     * test by name, and is recorded so that the next lab purges it rather than every later test fail.
     */
    dispose(stacks: string[] = ["kind", "k3d", "existing"]): void {
        if (this.disposed) {
            return; // once: by now another lab may have its turn, and what it makes is its own
        }
        this.disposed = true;
        try {
            this.killAll();
            const left = this.removeMade(stacks);
            if (left.length > 0) {
                const test = typeof expect === "function" ? expect.getState().currentTestName : undefined;
                fs.writeFileSync(leakRecord, JSON.stringify({ volumes: volumesCreated(left), test }));
                throw new Error(`this engine-tier lab left ${left.join(", ")} on the Docker engine after its test`);
            }
        } finally {
            this.fake.dispose();
            releaseTurn();
        }
    }

    /** Removes what this lab made on the Docker engine, in rounds; returns the cache volumes still there. */
    private removeMade(stacks: string[]): string[] {
        const docker = this.env().REAL_DOCKER!;
        for (let round = 0; ; round++) {
            for (const container of this.madeSince("container", "ocm-lab-")) {
                spawnSync(docker, ["rm", "-f", container], { encoding: "utf8" });
            }
            for (const volume of this.madeSince("volume", "ocm-lab-cache-")) {
                spawnSync(docker, ["volume", "rm", volume], { encoding: "utf8" });
            }
            for (const stack of stacks) {
                const name = `ocm-lab-${stack}`;
                const created = spawnSync(docker, ["network", "inspect", "--format", "{{.Created.Unix}}", name], {
                    encoding: "utf8",
                });
                if (created.status === 0 && Number(created.stdout.trim()) * 1000 >= this.madeAt - 1000) {
                    spawnSync(docker, ["network", "rm", name], { encoding: "utf8" });
                }
            }
            // a create the daemon was still carrying out for a killed client shows up a moment later
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
            const left = [...this.madeSince("container", "ocm-lab-"), ...this.madeSince("volume", "ocm-lab-cache-")];
            if (left.length === 0 || round === 4) {
                return left;
            }
        }
    }
}
