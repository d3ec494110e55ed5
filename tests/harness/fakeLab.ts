/**
 * Runs step scripts the way the Command provider does (the command text the program registers, run
 * by its interpreter from the project folder, environment merged over the process's) against the
 * fake CLIs in tests/fakes, which share one state folder per FakeLab.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stepCommand, stepInterpreter } from "../../scripts";

export const fakesDir = path.resolve(__dirname, "..", "fakes");
const projectRoot = path.resolve(__dirname, "..", "..");

/**
 * The fakes keep upstream's time scaled by FAKE_TIME_SCALE (tests/fakes/fakelib.sh): 0 makes every
 * effect immediate, 1 is upstream's own pace; FAKE_TIME_SEED picks the jitter that orders what
 * upstream leaves unordered. Script tests run at 0 (their bounds are a few seconds) unless they test
 * timing, when they give their own scale; the engine tier runs at `engineTimeScale`, or at
 * FAKE_TIME_SCALE from the environment (`FAKE_TIME_SCALE=0.1 npm test`), whose bounds and timeouts
 * grow with it. FAKE_TIME_SEED from the environment applies to every lab.
 */
export const engineTimeScale = 0.01;
const scaleFromEnvironment =
    process.env.FAKE_TIME_SCALE === undefined ? undefined : Number(process.env.FAKE_TIME_SCALE);
if (scaleFromEnvironment !== undefined && !(scaleFromEnvironment >= 0)) {
    throw new Error(`FAKE_TIME_SCALE must be a number >= 0, not ${process.env.FAKE_TIME_SCALE}`);
}

/** The scale a lab runs at: its own, else the environment's, else its tier's default. */
export function timeScaleOf(own: number | undefined, tierDefault: number): number {
    return own ?? scaleFromEnvironment ?? tierDefault;
}

/**
 * A bound in seconds for waits that cover up to `upstreamSeconds` of upstream's time at `scale`:
 * `atLeast` at the usual scales, and long enough at any scale.
 */
export function scaledBound(
    upstreamSeconds: number,
    atLeast: number,
    scale = timeScaleOf(undefined, engineTimeScale),
): number {
    return Math.max(atLeast, Math.ceil(upstreamSeconds * scale * 1.5) + 5);
}

export interface FakeLabOptions {
    /** FAKE_TIME_SCALE for this lab's fakes (see timeScaleOf). */
    timeScale?: number;
}

export interface StepResult {
    code: number;
    stdout: string;
    stderr: string;
}

export class FakeLab {
    readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-test-"));
    readonly state = path.join(this.root, "state");
    /** TMPDIR of the steps: anything left here after a step is a leak. */
    readonly tmp = path.join(this.root, "tmp");

    /** The FAKE_TIME_SCALE its fakes run at. */
    readonly timeScale: number;

    constructor(options: FakeLabOptions = {}) {
        // a script test's own scale, else 0: the environment's scale is the engine tier's (EngineLab)
        this.timeScale = options.timeScale ?? 0;
        fs.mkdirSync(path.join(this.state, "fail"), { recursive: true });
        fs.mkdirSync(this.tmp);
    }

    /** Runs scripts/<script> with `env`; stdout loses one trailing newline, as the provider does. */
    /** What else the user's shell holds when Pulumi runs (KUBECONFIG, for runtime existing). */
    readonly userEnv: Record<string, string> = {};

    /** The process environment a step starts from here: fakes first on PATH, this lab's state and temp. */
    env(): NodeJS.ProcessEnv {
        return {
            ...process.env,
            ...this.userEnv,
            PATH: `${fakesDir}:${process.env.PATH}`,
            FAKE_STATE: this.state,
            FAKE_TIME_SCALE: String(this.timeScale),
            TMPDIR: this.tmp,
            OCM_LAB_POLL_SECONDS: "0.1",
        };
    }

    run(script: string, env: Record<string, string>): StepResult {
        const [shell, ...shellArgs] = stepInterpreter;
        const result = spawnSync(shell, [...shellArgs, stepCommand(script)], {
            env: { ...this.env(), ...env },
            cwd: projectRoot,
            encoding: "utf8",
            timeout: 60_000,
        });
        return { code: result.status ?? -1, stdout: result.stdout.replace(/\n$/, ""), stderr: result.stderr };
    }

    /** Like run, but throws with the step's stderr when it fails. */
    ok(script: string, env: Record<string, string>): StepResult {
        const result = this.run(script, env);
        if (result.code !== 0) {
            throw new Error(`${script} exited ${result.code}:\n${result.stderr}`);
        }
        return result;
    }

    /** Every call the fake tools received, one line each: "tool arg arg …". */
    calls(tool?: string): string[] {
        const file = path.join(this.state, "calls.log");
        const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n") : [];
        return tool ? lines.filter((l) => l.startsWith(`${tool} `)) : lines;
    }

    clearCalls(): void {
        fs.rmSync(path.join(this.state, "calls.log"), { force: true });
    }

    /** Makes `<tool> <verb>` fail; `output` is printed first, as a tool that dies half-way does. */
    fault(name: string, output = ""): void {
        fs.writeFileSync(path.join(this.state, "fail", name), output);
    }

    /**
     * From now on, `cluster`'s klusterlet does not heartbeat (cut off from the hub): the hub keeps it
     * Available until its lease is 5 × leaseDurationSeconds old (tests/fakes/fakelib.sh). `fault`
     * ("available-<name>") with no time is one that never heartbeated.
     */
    stopHeartbeat(cluster: string): void {
        this.fault(`available-${cluster}`, String(this.nowMs()));
    }

    /**
     * Whether `condition` holds within `seconds`, letting the fakes' controllers act meanwhile (what
     * they do later happens at the first fake call from then on: tests/fakes/fake-controllers).
     */
    eventually(condition: () => boolean, seconds: number): boolean {
        const deadline = Date.now() + seconds * 1000;
        for (;;) {
            spawnSync(path.join(fakesDir, "fake-controllers"), ["settle"], { env: this.env(), encoding: "utf8" });
            if (condition()) {
                return true;
            }
            if (Date.now() > deadline) {
                return false;
            }
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        }
    }

    /** The hub's grace for a lease that is no longer renewed, in seconds at this lab's time scale. */
    leaseGraceSeconds(): number {
        return 5 * 60 * this.timeScale;
    }

    clearFault(name: string): void {
        fs.rmSync(path.join(this.state, "fail", name), { force: true });
    }

    /** Moves the fake tools' clock forward (tokens expire, approved CSRs are garbage-collected). */
    advanceClock(seconds: number): void {
        const file = path.join(this.state, "clock-offset");
        const current = fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8")) : 0;
        fs.writeFileSync(file, String(current + seconds));
    }

    /** The fakes' clock in milliseconds: the machine's, moved forward by advanceClock. */
    nowMs(): number {
        const file = path.join(this.state, "clock-offset");
        return Date.now() + (fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8")) : 0) * 1000;
    }

    /**
     * The fake's folder of the cluster created as `name`, relative to the state ("clusters/<node
     * container>"); a path that does not exist when there is no such cluster. Give `runtime` when a
     * kind and a k3d cluster share the name.
     */
    cluster(name: string, runtime?: "kind" | "k3d"): string {
        const root = path.join(this.state, "clusters");
        const matches = (fs.existsSync(root) ? fs.readdirSync(root) : []).filter((node) => {
            const read = (file: string) => {
                const full = path.join(root, node, file);
                return fs.existsSync(full) ? fs.readFileSync(full, "utf8").trim() : undefined; // one being made
            };
            return read("name") === name && (!runtime || read("runtime") === runtime);
        });
        if (matches.length > 1) {
            throw new Error(`both a kind and a k3d cluster are named ${name}: say which runtime`);
        }
        return path.join("clusters", matches[0] ?? `no-cluster-named-${name}`);
    }

    /** Names of the clusters that exist now, with their runtime ("kind hub", "k3d spoke1"). */
    clusters(): string[] {
        const root = path.join(this.state, "clusters");
        return (fs.existsSync(root) ? fs.readdirSync(root) : []).map((node) =>
            ["runtime", "name"].map((f) => fs.readFileSync(path.join(root, node, f), "utf8").trim()).join(" "),
        );
    }

    /** The hosted klusterlets `cluster` runs (klusterlet-hosted-…), as the fake clusteradm keeps them. */
    hostedKlusterlets(cluster: string): string[] {
        const dir = path.join(this.state, this.cluster(cluster), "hosted-agents");
        return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    }

    exists(relative: string): boolean {
        return fs.existsSync(path.join(this.state, relative));
    }

    read(relative: string): string {
        return fs.readFileSync(path.join(this.state, relative), "utf8");
    }

    /**
     * Puts an object into a fake cluster, as a controller would create it: conditions by type, data
     * by key, and how many reads answer NotFound before it appears.
     */
    /** Leaves a marker the fake controllers react to on `cluster`'s hub side (e.g. "addon-installed": the chart is in). */
    markHub(name: string, cluster = "hub"): void {
        const dir = path.join(this.state, this.cluster(cluster), "hub");
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, name), "");
    }

    /** The folder the fake kubectl keeps a Kubernetes object of `cluster` in (see putObject). */
    objectDir(cluster: string, kind: string, namespace: string, name: string, runtime?: "kind" | "k3d"): string {
        return path.join(this.state, this.cluster(cluster, runtime), "objects", kind, namespace, name);
    }

    /** `data` values are stored as given: base64, as the API server returns a Secret's data. */
    putObject(
        cluster: string,
        kind: string,
        namespace: string,
        name: string,
        object: { conditions?: Record<string, string>; data?: Record<string, string>; pendingPolls?: number },
        runtime?: "kind" | "k3d",
    ): void {
        const dir = this.objectDir(cluster, kind, namespace, name, runtime);
        fs.mkdirSync(path.join(dir, "conditions"), { recursive: true });
        fs.mkdirSync(path.join(dir, "data"), { recursive: true });
        for (const [type, status] of Object.entries(object.conditions ?? {})) {
            fs.writeFileSync(path.join(dir, "conditions", type), status);
        }
        for (const [key, value] of Object.entries(object.data ?? {})) {
            fs.writeFileSync(path.join(dir, "data", key), value);
        }
        fs.writeFileSync(path.join(dir, "pending-polls"), String(object.pendingPolls ?? 0));
    }

    /**
     * A cluster the user made before the lab (runtime existing): a kind cluster on kind's own network,
     * its context `kind-<name>` in a kubeconfig file of its own. Returns that file; KUBECONFIG lists them.
     */
    userCluster(name: string): string {
        const file = path.join(this.root, "user-kubeconfigs", `${name}.yaml`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const made = spawnSync(
            path.join(fakesDir, "kind"),
            ["create", "cluster", "--name", name, "--image", "kindest/node:v1.31.0", "--kubeconfig", file],
            { env: this.env(), encoding: "utf8" },
        );
        if (made.status !== 0) {
            throw new Error(`could not make the user's cluster ${name}: ${made.stderr}`);
        }
        return file;
    }

    /**
     * The user's own clusters for runtime existing (the first is the hub), their contexts in this
     * lab's KUBECONFIG, and the stack config that names them: each context, and a hub address that
     * this machine and the spokes reach (in the fakes: the hub node's name with the host's port).
     */
    userLab(clusters: string[]): { contexts: Record<string, string>; hubApiServer: string } {
        this.userEnv.KUBECONFIG = clusters.map((c) => this.userCluster(c)).join(":");
        const port = this.read(`${this.cluster(clusters[0])}/server`)
            .trim()
            .split(":")
            .pop();
        return {
            contexts: Object.fromEntries(clusters.map((c) => [c, `kind-${c}`])),
            hubApiServer: `https://${clusters[0]}-control-plane:${port}`,
        };
    }

    /**
     * What a user of runtime existing does to offer the hub's gRPC server to the spokes: a NodePort
     * Service of their own in front of it (any exposure would do). Returns the address to give as
     * ocm-lab:hubGrpcServer: the hub node's name and that port.
     */
    exposeGrpcServer(hub: string, port: number): string {
        const service = path.join(
            this.state,
            this.cluster(hub),
            "objects/service/open-cluster-management-hub/users-grpc",
        );
        fs.mkdirSync(service, { recursive: true });
        fs.writeFileSync(path.join(service, "node-port"), `${port}\n`);
        fs.writeFileSync(path.join(service, "selector-app"), "cluster-manager-grpc-server\n");
        return `${hub}-control-plane:${port}`;
    }

    /** `kind delete cluster` / `k3d cluster delete` typed by hand: the cluster and its klusterlets are gone. */
    deleteClusterByHand(name: string): void {
        const runtime = fs.readFileSync(path.join(this.state, this.cluster(name), "runtime"), "utf8").trim();
        const args = runtime === "kind" ? ["delete", "cluster", "--name", name] : ["cluster", "delete", name];
        const deleted = spawnSync(path.join(fakesDir, runtime), args, { env: this.env(), encoding: "utf8" });
        if (deleted.status !== 0) {
            throw new Error(`could not delete ${name} by hand: ${deleted.stderr}`);
        }
    }

    /** The CSR of `agent` for ManagedCluster `name` on the hub: "pending <ms>" or "approved <ms>". */
    csr(name: string, agent: string, hub = "hub"): string {
        return this.read(`${this.cluster(hub)}/hub/csrs/${name}/${agent}`);
    }

    leftoverTempFiles(): string[] {
        return fs.readdirSync(this.tmp);
    }

    dispose(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}
