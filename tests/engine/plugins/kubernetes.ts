/**
 * Stand-in for the kubernetes provider (`pulumi-resource-kubernetes`), test infrastructure only, for
 * the engine-tier runs that turn on Argo CD or the smoke work. The real provider (built from its Go
 * module, versions.ts) serves every other run and every preview: it needs an API server for these
 * objects, and the fake clusters have none. Chosen per test (EngineLab's `kubernetes` option); docs/tests.md's
 * "Which kubernetes provider" names the tests that rest on it.
 *
 * Emulates, for the six types the lab declares (@pulumi/kubernetes 4.x, the provider read at
 * pulumi-kubernetes v4.25.0, the January 2026 commit the engine tier builds), what the fake clusters'
 * controllers react to, in the fakes' time (tests/fakes/fake-controllers):
 * - each provider instance talks to the cluster its `kubeconfig` names: Configure reads it, and the
 *   server's port finds the fake cluster (tests/fakes/fakelib.sh new_cluster claims `port-<port>`);
 *   a cluster that is gone fails each operation as an unreachable API server would;
 * - `core/v1:Secret`: stored in the fake cluster as the API server returns it (`data`, base64, with
 *   `stringData` merged in), where the fake kubectl and Argo CD operator read it; its data stays
 *   secret in the outputs, as the real provider makes it;
 * - `helm.sh/v3:Release`: helm install with wait and `atomic` (helm_release.go:519-537): recorded
 *   pending-install, the chart's objects made (`hub/addon-installed`, which the fake add-on reacts
 *   to), deployed once they are ready; a name still in use is refused; a Cancel uninstalls; update
 *   refuses while the record is pending; delete is helm uninstall with wait, the add-ons going after
 *   their pre-delete Jobs;
 * - `argoproj.io/v1alpha1:ApplicationSet`: `hub/applicationsets/<namespace>/<name>/`, the whole object
 *   (`object.json`) and, one per file, the fields Argo CD's controller acts on (its one generator's
 *   placement, the template's name, source, revision and destination), which the fake Argo CD reacts
 *   to (tests/fakes/kubectl reconcile_addon);
 * - `work.open-cluster-management.io/v1:ManifestWork`: `hub/manifestworks/<cluster>/<name>`, holding the
 *   namespace/name of its Pod, which the fake work agent applies and puts its finalizer on; its delete
 *   waits until the agent has finalized it (the provider's await, timeout 10 minutes, scaled);
 * - `core/v1:Namespace`: nothing recorded; its delete waits while the namespace terminates;
 *   `argoproj.io/v1alpha1:AppProject`: accepted, nothing recorded;
 * - a change of `metadata.name` or `metadata.namespace` (a Release's `name` or `namespace`) replaces,
 *   any other change updates in place, as the real provider's diff does for these types
 *   (pulumi-kubernetes v4.25.0 provider/pkg/provider/provider.go:1429-1434);
 * - a Secret is the exception: a change of its `type`, `data` or `stringData` replaces it, and since
 *   the name stays, the old one is deleted first (diff.go:22-36, provider.go:1508-1528), unless the
 *   provider has `enableSecretMutable` (its config, else `PULUMI_K8S_ENABLE_SECRET_MUTABLE`:
 *   provider.go:602-616) and the Secret is not `immutable`; then it is updated in place;
 * - Cancel (the first Ctrl-C): the provider's one context is done (provider.go:101-112, 2365-2368),
 *   so a wait under way ends with "context canceled", and so does every later operation.
 *
 * Left out: server-side apply and field managers, `upsertExistingObjects`, await logic beyond the
 * deletes above, chart fetching and rendering, a non-atomic install cut short (the real provider
 * keeps it in state with an init error), the same delete-first replacement for the other types' own
 * immutable fields (none of the lab's objects changes one), read/refresh and import,
 * every other type. A preview runs no operation here, as with the real provider; unlike it, a preview
 * of a Release fetches no chart index.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as provider from "@pulumi/pulumi/provider";
import { keepSecret, reveal, secretKeys } from "./wire";

/** The provider's config key for its kubeconfig, as the engine hands it to Configure. */
const kubeconfigKey = "kubernetes:config:kubeconfig";

/** The provider's config key that lets Secrets be updated in place (provider.go:602-616). */
const secretMutableKey = "kubernetes:config:enableSecretMutable";

/** The kubeconfig this provider instance was configured with (Configure's variables or args). */
let kubeconfig = "";

/** Whether this provider instance updates a Secret's data in place rather than replacing it. */
let secretMutable = false;

/** Points this provider instance at the cluster a kubeconfig names, as Configure does. */
export function configureKubeconfig(text: string): void {
    kubeconfig = text;
}

/**
 * `enableSecretMutable` as Configure reads it: the provider's config when set (a variable, or an
 * argument), else the environment variable; only "true" turns it on.
 */
export function configureSecretMutable(configured: unknown, environment = process.env): void {
    const value =
        configured === undefined || configured === ""
            ? environment.PULUMI_K8S_ENABLE_SECRET_MUTABLE
            : String(configured);
    secretMutable = value === "true";
}

/**
 * The SDK's provider server accepts Configure without showing the request to the provider; the
 * kubeconfig is the one thing this stand-in needs from it, so its Configure handler is wrapped.
 */
function captureConfigure(): void {
    const addService = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (service: any, implementation: any) {
        const configure = implementation.configure?.bind(implementation);
        if (configure) {
            implementation.configure = (call: any, callback: any) => {
                const request = call.request;
                const variables: Map<string, string> | undefined = request.getVariablesMap?.();
                const args = request.getArgs?.()?.toJavaScript?.() ?? {};
                const fromArgs = args.kubeconfig;
                configureKubeconfig(variables?.get(kubeconfigKey) ?? (typeof fromArgs === "string" ? fromArgs : ""));
                configureSecretMutable(variables?.get(secretMutableKey) ?? args.enableSecretMutable);
                configure(call, callback);
            };
        }
        return addService.call(this, service, implementation);
    };
}

/** The type's last part: `Secret` of `kubernetes:core/v1:Secret` (any parents' types left out). */
function typeName(urn: string): string {
    const type = (urn.split("::")[2] ?? "").split("$").pop() ?? "";
    return type.slice(type.indexOf(":") + 1);
}

/** The fake cluster's folder for the configured kubeconfig's server. */
function clusterDir(): string {
    const state = process.env.FAKE_STATE;
    if (!state) {
        throw new Error("the kubernetes stand-in needs FAKE_STATE, the fake clusters' folder");
    }
    const server = /server:\s*(\S+)/.exec(kubeconfig)?.[1];
    const port = server ? /:(\d+)\/?$/.exec(server)?.[1] : undefined;
    if (!server || !port) {
        throw new Error("invalid configuration: no server in the provider's kubeconfig");
    }
    const claim = path.join(state, `port-${port}`);
    const node = fs.existsSync(claim) ? fs.readFileSync(claim, "utf8").trim() : "";
    const dir = path.join(state, "clusters", node);
    if (!node || !fs.existsSync(path.join(dir, "name"))) {
        throw new Error(`Get "${server}/version": dial tcp: connect: connection refused`);
    }
    return dir;
}

interface Meta {
    name?: string;
    namespace?: string;
}

function metadataOf(type: string, plain: any): Meta {
    return type === "helm.sh/v3:Release" ? { name: plain.name, namespace: plain.namespace } : (plain.metadata ?? {});
}

/** Where the object's record lives in the fake cluster, or undefined for types nothing reacts to. */
function recordOf(dir: string, type: string, plain: any): { file: string; folder?: boolean } | undefined {
    const meta = metadataOf(type, plain);
    switch (type) {
        case "core/v1:Secret":
            return { file: path.join(dir, "objects", "secret", meta.namespace ?? "default", meta.name!), folder: true };
        case "helm.sh/v3:Release":
            return { file: path.join(dir, "hub", "addon-installed") };
        case "argoproj.io/v1alpha1:ApplicationSet":
            return {
                file: path.join(dir, "hub", "applicationsets", meta.namespace ?? "default", meta.name!),
                folder: true,
            };
        case "work.open-cluster-management.io/v1:ManifestWork":
            return { file: path.join(dir, "hub", "manifestworks", meta.namespace!, meta.name!) };
        default:
            return undefined;
    }
}

/**
 * The fake clusters' clock and controllers (tests/fakes/fake-controllers): the stand-in keeps the
 * fakes' time as the fake CLIs do, and lets their controllers catch up while it waits.
 */
const fakes = {
    run(args: string[]): string {
        const done = spawnSync(path.resolve(__dirname, "..", "..", "fakes", "fake-controllers"), args, {
            encoding: "utf8",
            env: process.env,
        });
        if (done.status !== 0) {
            throw new Error(`fake-controllers ${args.join(" ")}: ${done.stderr}`);
        }
        return done.stdout.trim();
    },
    /** The fakes' clock in milliseconds: the machine's, moved by the tests' clock-offset. */
    nowMs(): number {
        const offset = path.join(process.env.FAKE_STATE ?? "", "clock-offset");
        return Date.now() + (fs.existsSync(offset) ? Number(fs.readFileSync(offset, "utf8")) : 0) * 1000;
    },
    /** Upstream's `seconds`, scaled and jittered as the fakes do (FAKE_TIME_SCALE, FAKE_TIME_SEED). */
    delayMs(seconds: number, key: string): number {
        return Number(fakes.run(["delay", String(seconds), key]));
    },
    settle(): void {
        fakes.run(["settle"]);
    },
    /** A controllers.sh effect, `inMs` from now. */
    later(inMs: number, ...effect: string[]): void {
        fakes.run(["later", String(inMs), ...effect]);
    },
};

/** The provider's own wait for a delete (10 minutes: pulumi-kubernetes v4.25.0 await.go:855), scaled. */
const deleteTimeoutSeconds = 600;

function write(type: string, plain: any): void {
    const record = recordOf(clusterDir(), type, plain);
    if (!record) {
        return;
    }
    fs.mkdirSync(path.dirname(record.file), { recursive: true });
    switch (type) {
        case "core/v1:Secret": {
            // as the API server returns it: data in base64, stringData merged into it
            const data: Record<string, string> = { ...(plain.data ?? {}) };
            for (const [key, value] of Object.entries<string>(plain.stringData ?? {})) {
                data[key] = Buffer.from(String(value)).toString("base64");
            }
            fs.rmSync(path.join(record.file, "data"), { recursive: true, force: true });
            fs.mkdirSync(path.join(record.file, "data"), { recursive: true });
            fs.mkdirSync(path.join(record.file, "conditions"), { recursive: true });
            for (const [key, value] of Object.entries(data)) {
                fs.writeFileSync(path.join(record.file, "data", key), value);
            }
            fs.writeFileSync(path.join(record.file, "pending-polls"), "0");
            return;
        }
        case "helm.sh/v3:Release":
            // the chart's objects are created at once; the fakes' add-on controllers act from then on
            fs.writeFileSync(record.file, String(plain.version ?? ""));
            fs.writeFileSync(`${record.file}.at`, String(fakes.nowMs()));
            return;
        case "argoproj.io/v1alpha1:ApplicationSet": {
            fs.rmSync(record.file, { recursive: true, force: true });
            fs.mkdirSync(record.file, { recursive: true });
            for (const [field, value] of Object.entries(applicationSetFields(plain))) {
                fs.writeFileSync(path.join(record.file, field), value);
            }
            fs.writeFileSync(path.join(record.file, "at"), String(fakes.nowMs()));
            return;
        }
        case "work.open-cluster-management.io/v1:ManifestWork": {
            const pod = plain.spec?.workload?.manifests?.[0]?.metadata ?? {};
            fs.writeFileSync(record.file, `${pod.namespace}/${pod.name}`);
            if (!fs.existsSync(`${record.file}.created`)) {
                fs.writeFileSync(`${record.file}.created`, String(fakes.nowMs()));
            }
            return;
        }
    }
}

/**
 * An ApplicationSet as the fake Argo CD reads it: the whole object, and the fields of its one
 * `clusterDecisionResource` generator and its template (empty where the object has none, or more
 * than one generator: the fake generates no Application then).
 */
export function applicationSetFields(plain: any): Record<string, string> {
    const generators: any[] = plain.spec?.generators ?? [];
    const decision = generators.length === 1 ? generators[0].clusterDecisionResource : undefined;
    const template = plain.spec?.template ?? {};
    const source = template.spec?.source ?? {};
    const destination = template.spec?.destination ?? {};
    const placement = decision?.labelSelector?.matchLabels?.["cluster.open-cluster-management.io/placement"];
    return {
        "object.json": JSON.stringify(plain),
        "placement-generator": decision && placement ? `${decision.configMapRef}/${placement}` : "",
        "app-name": template.metadata?.name ?? "",
        repo: source.repoURL ?? "",
        path: source.path ?? "",
        // Argo CD's default revision (Application spec: targetRevision defaults to HEAD)
        revision: source.targetRevision || "HEAD",
        "destination-name": destination.name ?? "",
        "destination-namespace": destination.namespace ?? "",
    };
}

/** What the provider returns for an object it applied: its inputs, a Release's status, secrets kept secret. */
function outputsOf(type: string, plain: any, inputs: any): Record<string, unknown> {
    const outs = type === "helm.sh/v3:Release" ? { ...plain, status: { status: "deployed" } } : plain;
    return keepSecret(outs, secretKeys(inputs));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The error a request cut short by the engine's Cancel returns (Go's context.Canceled). */
class Cancelled extends Error {
    constructor() {
        super("context canceled");
    }
}

/**
 * Helm's record of a release in the fake hub (helm keeps it in a secret, sh.helm.release.v1.<name>.v<n>):
 * its status, `pending-install`, `pending-upgrade` or `deployed`.
 */
function helmRecord(dir: string, plain: any): string {
    return path.join(dir, "hub", "helm", `${plain.namespace}.${plain.name}`);
}

export class KubernetesProvider implements provider.Provider {
    readonly version = JSON.parse(
        fs.readFileSync(require.resolve("@pulumi/kubernetes/package.json"), "utf8"),
    ).version.replace(/^v/, "");

    /** Set by the engine's Cancel: the provider's one context is done (provider.go:101-112, 2365-2368). */
    private cancelled = false;
    private readonly onCancel = new Set<() => void>();

    async cancel(): Promise<void> {
        this.cancelled = true;
        this.onCancel.forEach((wake) => wake());
    }

    /** Waits `ms` of the fakes' time, as an operation of this provider: a Cancel ends it. */
    private pause(ms: number): Promise<void> {
        if (this.cancelled) {
            return Promise.reject(new Cancelled());
        }
        return new Promise((resolve, reject) => {
            const wake = () => {
                clearTimeout(timer);
                this.onCancel.delete(wake);
                reject(new Cancelled());
            };
            const timer = setTimeout(() => {
                this.onCancel.delete(wake);
                resolve();
            }, ms);
            this.onCancel.add(wake);
        });
    }

    /** Polls, letting the fakes' controllers act, until `done` or `timeoutMs` passes (then false). */
    private async until(done: () => boolean, timeoutMs: number): Promise<boolean> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            fakes.settle();
            if (done()) {
                return true;
            }
            if (Date.now() > deadline) {
                return false;
            }
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    }

    async check(_urn: string, _olds: any, news: any): Promise<provider.CheckResult> {
        return { inputs: news };
    }

    async diff(_id: string, urn: string, olds: any, news: any): Promise<provider.DiffResult> {
        const type = typeName(urn);
        const changed = Object.keys({ ...news, ...olds }).filter(
            (key) => key !== "status" && !same(reveal(olds[key]), reveal(news[key])),
        );
        const before = metadataOf(type, reveal(olds));
        const after = metadataOf(type, reveal(news));
        const moved = before.name !== after.name || (before.namespace ?? "") !== (after.namespace ?? "");
        const key = type === "helm.sh/v3:Release" ? "name" : "metadata";
        const replaces = moved ? [key] : [];
        if (type === "core/v1:Secret" && !(secretMutable && reveal(news).immutable !== true)) {
            replaces.push(...changed.filter((k) => ["type", "data", "stringData"].includes(k)));
        }
        // the same name in the same namespace cannot be created beside the old object: delete it first
        return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 && !moved };
    }

    async create(urn: string, inputs: any): Promise<provider.CreateResult> {
        const type = typeName(urn);
        const plain = reveal(inputs);
        if (this.cancelled) {
            throw new Cancelled();
        }
        if (type === "helm.sh/v3:Release") {
            await this.install(plain);
        } else {
            write(type, plain);
        }
        const meta = metadataOf(type, plain);
        return {
            id: meta.namespace ? `${meta.namespace}/${meta.name}` : String(meta.name),
            outs: outputsOf(type, plain, inputs),
        };
    }

    async update(_id: string, urn: string, _olds: any, news: any): Promise<provider.UpdateResult> {
        const type = typeName(urn);
        const plain = reveal(news);
        if (this.cancelled) {
            throw new Cancelled();
        }
        if (type === "helm.sh/v3:Release") {
            const record = helmRecord(clusterDir(), plain);
            const status = fs.existsSync(record) ? fs.readFileSync(record, "utf8").trim() : "";
            // helm v3.18.6 pkg/action/upgrade.go:218-221, action.go:62-63
            if (status.startsWith("pending-")) {
                throw new Error("another operation (install/upgrade/rollback) is in progress");
            }
        }
        write(type, plain);
        return { outs: outputsOf(type, plain, news) };
    }

    /**
     * helm install with wait (pulumi-kubernetes v4.25.0 helm_release.go:519-537): the release is
     * recorded pending-install, the chart's objects are created, and it is deployed once they are
     * ready (120 s, figures/latencies.ts's assumption). A name still in use refuses (helm install.go:
     * 530-552); a Cancel ends the wait, and with `atomic` helm uninstalls what it made
     * (install.go:408-433). A stand-in killed meanwhile leaves the record pending-install, as helm does.
     */
    private async install(plain: any): Promise<void> {
        const dir = clusterDir();
        const record = helmRecord(dir, plain);
        if (fs.existsSync(record)) {
            throw new Error("cannot re-use a name that is still in use");
        }
        if (!plain.atomic) {
            throw new Error(
                "the kubernetes stand-in emulates atomic Helm installs only (a cut-short install keeps state)",
            );
        }
        fs.mkdirSync(path.dirname(record), { recursive: true });
        fs.writeFileSync(record, "pending-install");
        write("helm.sh/v3:Release", plain);
        try {
            await this.pause(fakes.delayMs(120, `helm-install/${plain.name}`));
        } catch (error) {
            this.uninstall(dir);
            fs.rmSync(record, { force: true });
            throw new Error(
                `release ${plain.name} failed, and has been uninstalled due to atomic being set: ${(error as Error).message}`,
            );
        }
        fs.writeFileSync(record, "deployed");
    }

    /**
     * helm uninstall: the chart's objects go. Its ClusterManagementAddOn takes each ManagedClusterAddOn
     * with it, each after its pre-delete Job ran on the spoke (addon-framework
     * default_hook_sync.go:44-74; 10 s, an assumption, controllers.sh addon_removed).
     */
    private uninstall(dir: string): void {
        const hub = path.basename(dir);
        for (const file of ["addon-installed", "addon-installed.at"]) {
            fs.rmSync(path.join(dir, "hub", file), { force: true });
        }
        fs.rmSync(path.join(dir, "objects", "gitopscluster"), { recursive: true, force: true });
        const addons = path.join(dir, "hub", "addons");
        for (const cluster of fs.existsSync(addons) ? fs.readdirSync(addons) : []) {
            fakes.later(fakes.delayMs(10, `addon-pre-delete/${cluster}`), "addon_removed", hub, cluster);
        }
    }

    async delete(_id: string, urn: string, props: any): Promise<void> {
        const type = typeName(urn);
        const plain = reveal(props);
        const dir = clusterDir();
        const timeout = fakes.delayMs(deleteTimeoutSeconds, `delete-timeout/${urn}`) * 2;
        switch (type) {
            case "helm.sh/v3:Release": {
                // helm uninstall --wait (helm_release.go:1119-1125): until the release's objects are gone (10 s, an assumption)
                const record = helmRecord(dir, plain);
                if (!fs.existsSync(record)) {
                    throw new Error(`uninstall: Release not loaded: ${plain.name}: release: not found`);
                }
                this.uninstall(dir);
                await new Promise((resolve) => setTimeout(resolve, fakes.delayMs(10, `helm-uninstall/${plain.name}`)));
                fs.rmSync(record, { force: true });
                return;
            }
            case "core/v1:Namespace":
                // the namespace controller empties it before it goes (5 s, an assumption); the provider waits
                await new Promise((resolve) =>
                    setTimeout(resolve, fakes.delayMs(5, `namespace/${plain.metadata?.name}`)),
                );
                return;
            case "work.open-cluster-management.io/v1:ManifestWork": {
                // A work the agent applied carries its finalizer: the delete waits until the agent has
                // removed what it applied (controllers.sh work_finalized), as the provider's await does
                // (foreground delete, then until gone: await.go:812-897).
                const file = recordOf(dir, type, plain)!.file;
                const meta = metadataOf(type, plain);
                if (!fs.existsSync(`${file}.finalizer`)) {
                    for (const suffix of ["", ".created", ".deleting"]) {
                        fs.rmSync(`${file}${suffix}`, { force: true });
                    }
                    fs.rmSync(path.join(dir, "objects", "manifestwork", meta.namespace!, meta.name!), {
                        recursive: true,
                        force: true,
                    });
                    return;
                }
                if (!fs.existsSync(`${file}.deleting`)) {
                    fs.writeFileSync(`${file}.deleting`, String(fakes.nowMs()));
                }
                fakes.later(
                    fakes.delayMs(2, `finalize/${meta.namespace}/${meta.name}`),
                    "work_finalized",
                    path.basename(dir),
                    meta.namespace!,
                    meta.name!,
                );
                if (!(await this.until(() => !fs.existsSync(file), timeout))) {
                    throw new Error(
                        `timed out waiting for the delete of ManifestWork ${meta.namespace}/${meta.name} to complete: ` +
                            "finalizer cluster.open-cluster-management.io/manifest-work-cleanup remains (its work agent does not remove it)",
                    );
                }
                return;
            }
        }
        const record = recordOf(dir, type, plain);
        if (record) {
            fs.rmSync(record.file, { recursive: true, force: true });
            fs.rmSync(`${record.file}.at`, { force: true });
        }
    }
}

export async function main(args: string[]): Promise<void> {
    captureConfigure();
    await provider.main(new KubernetesProvider(), args);
}
