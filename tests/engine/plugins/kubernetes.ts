/**
 * Stand-in for the kubernetes provider (`pulumi-resource-kubernetes`), test infrastructure only, for
 * the engine-tier runs that turn on Argo CD or the smoke work. The real provider (built from its Go
 * module, versions.ts) serves every other run and every preview: it needs an API server for these
 * objects, and the fake clusters have none. Chosen per test (EngineLab's `kubernetes` option); docs/tests.md's
 * "Which kubernetes provider" names the tests that rest on it.
 *
 * Emulates, for the six types the lab declares (@pulumi/kubernetes 4.x), what the fake clusters'
 * controllers react to:
 * - each provider instance talks to the cluster its `kubeconfig` names: Configure reads it, and the
 *   server's port finds the fake cluster (tests/fakes/fakelib.sh new_cluster claims `port-<port>`);
 *   a cluster that is gone fails each operation as an unreachable API server would;
 * - `core/v1:Secret`: stored in the fake cluster as the API server returns it (`data`, base64, with
 *   `stringData` merged in), where the fake kubectl and Argo CD operator read it; its data stays
 *   secret in the outputs, as the real provider makes it;
 * - `helm.sh/v3:Release`: the installed chart is `hub/addon-installed` (its version), which the fake
 *   add-on reacts to; status `deployed`;
 * - `argoproj.io/v1alpha1:ApplicationSet`: `hub/applicationset`, which the fake add-on reacts to;
 * - `work.open-cluster-management.io/v1:ManifestWork`: `hub/manifestworks/<cluster>/<name>`, holding the
 *   namespace/name of the Pod it carries, which the fake work agent applies;
 * - `core/v1:Namespace` and `argoproj.io/v1alpha1:AppProject`: accepted, nothing recorded;
 * - a change of `metadata.name` or `metadata.namespace` (a Release's `name` or `namespace`) replaces,
 *   any other change updates in place, as the real provider's diff does for these types
 *   (pulumi-kubernetes provider/pkg/provider/provider.go, `forceNewProperties`).
 *
 * Left out: server-side apply and field managers, `upsertExistingObjects`, await logic, chart
 * fetching and rendering, read/refresh and import, every other type. A preview runs no operation here,
 * as with the real provider; unlike it, a preview of a Release fetches no chart index.
 */
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as provider from "@pulumi/pulumi/provider";
import { keepSecret, reveal, secretKeys } from "./wire";

/** The provider's config key for its kubeconfig, as the engine hands it to Configure. */
const kubeconfigKey = "kubernetes:config:kubeconfig";

/** The kubeconfig this provider instance was configured with (Configure's variables or args). */
let kubeconfig = "";

/** Points this provider instance at the cluster a kubeconfig names, as Configure does. */
export function configureKubeconfig(text: string): void {
    kubeconfig = text;
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
                const fromArgs = request.getArgs?.()?.toJavaScript?.()?.kubeconfig;
                configureKubeconfig(variables?.get(kubeconfigKey) ?? (typeof fromArgs === "string" ? fromArgs : ""));
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
            return { file: path.join(dir, "hub", "applicationset") };
        case "work.open-cluster-management.io/v1:ManifestWork":
            return { file: path.join(dir, "hub", "manifestworks", meta.namespace!, meta.name!) };
        default:
            return undefined;
    }
}

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
            fs.writeFileSync(record.file, String(plain.version ?? ""));
            return;
        case "argoproj.io/v1alpha1:ApplicationSet":
            fs.writeFileSync(record.file, String(plain.metadata?.name ?? ""));
            return;
        case "work.open-cluster-management.io/v1:ManifestWork": {
            const pod = plain.spec?.workload?.manifests?.[0]?.metadata ?? {};
            fs.writeFileSync(record.file, `${pod.namespace}/${pod.name}`);
            return;
        }
    }
}

/** What the provider returns for an object it applied: its inputs, a Release's status, secrets kept secret. */
function outputsOf(type: string, plain: any, inputs: any): Record<string, unknown> {
    const outs = type === "helm.sh/v3:Release" ? { ...plain, status: { status: "deployed" } } : plain;
    return keepSecret(outs, secretKeys(inputs));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export class KubernetesProvider implements provider.Provider {
    readonly version = JSON.parse(
        fs.readFileSync(require.resolve("@pulumi/kubernetes/package.json"), "utf8"),
    ).version.replace(/^v/, "");

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
        return { changes: changed.length > 0, replaces: moved ? [key] : [], deleteBeforeReplace: false };
    }

    async create(urn: string, inputs: any): Promise<provider.CreateResult> {
        const type = typeName(urn);
        const plain = reveal(inputs);
        write(type, plain);
        const meta = metadataOf(type, plain);
        return {
            id: meta.namespace ? `${meta.namespace}/${meta.name}` : String(meta.name),
            outs: outputsOf(type, plain, inputs),
        };
    }

    async update(_id: string, urn: string, _olds: any, news: any): Promise<provider.UpdateResult> {
        const type = typeName(urn);
        const plain = reveal(news);
        write(type, plain);
        return { outs: outputsOf(type, plain, news) };
    }

    async delete(_id: string, urn: string, props: any): Promise<void> {
        const record = recordOf(clusterDir(), typeName(urn), reveal(props));
        if (record) {
            fs.rmSync(record.file, { recursive: true, force: true });
        }
    }
}

export async function main(args: string[]): Promise<void> {
    captureConfigure();
    await provider.main(new KubernetesProvider(), args);
}
