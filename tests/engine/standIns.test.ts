/**
 * The stand-in plugins' own promises, without the engine: what replaces and what updates in place,
 * what stays secret, and where the kubernetes stand-in records an object for the fakes. The engine
 * tier relies on each; here each can fail on its own.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { configureKubeconfig, configureSecretMutable, KubernetesProvider } from "./plugins/kubernetes";
import { RandomProvider } from "./plugins/random";
import { EngineLog, reveal, secret } from "./plugins/wire";
import { CommandProvider } from "./plugins/command";
import { guestbookApplicationSet } from "../../components/argoObjects";

const urn = (type: string, name: string) => `urn:pulumi:kind::ocm-lab::${type}::${name}`;

describe("the random stand-in (RandomPassword of pulumi-random 4.21.2)", () => {
    const random = new RandomProvider();
    const password = urn("ocm-lab:index:ArgoAgentAddon$random:index/randomPassword:RandomPassword", "pw");
    const lab = { length: 24, special: false };

    it("makes a secret password of the length and characters asked for", async () => {
        const made = await random.create(password, lab);
        expect(made.outs.result).toEqual(secret(expect.stringMatching(/^[A-Za-z0-9]{24}$/)));
        const other = await random.create(password, lab);
        expect(reveal(other.outs.result)).not.toBe(reveal(made.outs.result));
    });

    it("replaces the password for a new length, character set or keepers, and leaves it otherwise", async () => {
        const made = (await random.create(password, lab)).outs;
        expect(await random.diff("none", password, made, lab)).toEqual({ changes: false, replaces: [] });
        expect(await random.diff("none", password, made, { ...lab, length: 32 })).toEqual({
            changes: true,
            replaces: ["length"],
        });
        expect((await random.diff("none", password, made, { ...lab, special: true })).replaces).toEqual(["special"]);
        expect((await random.diff("none", password, made, { ...lab, keepers: { at: "1" } })).replaces).toEqual([
            "keepers",
        ]);
    });
});

describe("the command stand-in (local:Command of pulumi-command 1.2.1)", () => {
    const command = new CommandProvider(new EngineLog(undefined));
    const step = urn("command:local:Command", "spoke1-join");

    it("keeps each secret input secret where it was, and leaves stdout to the engine", async () => {
        const inputs = { create: 'printf "%s" "$B"', environment: { TOKEN: secret("s3cret"), B: "plain" } };
        const made = await command.create(step, inputs);
        expect(made.id).toMatch(/^spoke1-join[0-9a-f]{8}$/);
        expect(made.outs.environment).toEqual({ TOKEN: secret("s3cret"), B: "plain" });
        expect(made.outs.stdout).toBe("plain");
        const updated = await command.update(made.id, step, made.outs, { ...inputs, create: "printf again" });
        expect(updated.outs.environment).toEqual({ TOKEN: secret("s3cret"), B: "plain" });
        expect(updated.outs.stdout).toBe("again");
    });
});

describe("the kubernetes stand-in", () => {
    const kubernetes = new KubernetesProvider();
    const work = urn(
        "ocm-lab:index:ClusterRegistration$kubernetes:work.open-cluster-management.io/v1:ManifestWork",
        "w",
    );
    const release = urn("kubernetes:helm.sh/v3:Release", "argocd-release");
    const secretUrn = urn("kubernetes:core/v1:Secret", "argocd-cluster-secret");
    const smoke = {
        metadata: { name: "ocm-lab-smoke", namespace: "spoke1" },
        spec: { workload: { manifests: [{ metadata: { name: "hello", namespace: "default" } }] } },
    };
    let state: string;
    const hub = () => path.join(state, "clusters", "kind-hub");

    beforeEach(() => {
        // a fake cluster as tests/fakes/fakelib.sh new_cluster records one: its folder and its port claim
        state = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-kubernetes-stand-in-"));
        fs.mkdirSync(hub(), { recursive: true });
        fs.writeFileSync(path.join(hub(), "name"), "hub\n");
        fs.writeFileSync(path.join(state, "port-40007"), "kind-hub\n");
        process.env.FAKE_STATE = state;
        configureKubeconfig("apiVersion: v1\nclusters:\n- cluster:\n    server: https://127.0.0.1:40007\n");
        configureSecretMutable(undefined, {});
    });
    afterEach(() => {
        delete process.env.FAKE_STATE;
        fs.rmSync(state, { recursive: true, force: true });
    });

    it("records a ManifestWork on the hub the kubeconfig names, with its Pod, and removes it on delete", async () => {
        const made = await kubernetes.create(work, smoke);
        expect(made.id).toBe("spoke1/ocm-lab-smoke");
        const marker = path.join(hub(), "hub", "manifestworks", "spoke1", "ocm-lab-smoke");
        expect(fs.readFileSync(marker, "utf8")).toBe("default/hello");
        await kubernetes.delete(made.id, work, made.outs);
        expect(fs.existsSync(marker)).toBe(false);
    });

    it("stores a Secret as the API server returns it, base64 data with stringData merged in, and keeps it secret", async () => {
        const inputs = {
            metadata: { name: "argocd-cluster", namespace: "argocd" },
            stringData: { "admin.password": secret("hunter2hunter2") },
        };
        const made = await kubernetes.create(secretUrn, inputs);
        const file = path.join(hub(), "objects", "secret", "argocd", "argocd-cluster", "data", "admin.password");
        expect(Buffer.from(fs.readFileSync(file, "utf8"), "base64").toString()).toBe("hunter2hunter2");
        expect(made.outs.stringData).toEqual(secret({ "admin.password": "hunter2hunter2" }));
    });

    it("replaces a Secret whose data changes, deleting it first, unless the provider has enableSecretMutable", async () => {
        const inputs = {
            metadata: { name: "argocd-cluster", namespace: "argocd" },
            stringData: { "admin.password": secret("hunter2hunter2") },
        };
        const made = await kubernetes.create(secretUrn, inputs);
        const rotated = { ...inputs, stringData: { "admin.password": secret("correcthorse") } };
        const labelled = { ...inputs, metadata: { ...inputs.metadata, labels: { a: "b" } } };
        // the provider's default (pulumi-kubernetes v4.25.0 diff.go:22-36): the same name, so delete first
        expect(await kubernetes.diff(made.id, secretUrn, made.outs, rotated)).toEqual({
            changes: true,
            replaces: ["stringData"],
            deleteBeforeReplace: true,
        });
        expect(await kubernetes.diff(made.id, secretUrn, made.outs, { ...inputs, type: "Opaque" })).toMatchObject({
            replaces: ["type"],
        });
        expect(await kubernetes.diff(made.id, secretUrn, made.outs, labelled)).toMatchObject({
            changes: true,
            replaces: [],
        });
        // enableSecretMutable, from the provider's config or else its environment variable
        configureSecretMutable(true);
        expect(await kubernetes.diff(made.id, secretUrn, made.outs, rotated)).toMatchObject({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
        expect(await kubernetes.diff(made.id, secretUrn, made.outs, { ...rotated, immutable: true })).toMatchObject({
            replaces: ["stringData"],
        });
        configureSecretMutable(undefined, { PULUMI_K8S_ENABLE_SECRET_MUTABLE: "true" });
        expect((await kubernetes.diff(made.id, secretUrn, made.outs, rotated)).replaces).toEqual([]);
        configureSecretMutable("false", { PULUMI_K8S_ENABLE_SECRET_MUTABLE: "true" });
        expect((await kubernetes.diff(made.id, secretUrn, made.outs, rotated)).replaces).toEqual(["stringData"]);
    });

    it("records the whole ApplicationSet, and the generator, template, source and destination the fake Argo CD acts on", async () => {
        const appSetUrn = urn("kubernetes:argoproj.io/v1alpha1:ApplicationSet", "argocd-guestbook");
        const source = { appRepoUrl: "https://example.test/apps.git", appPath: "web", appRevision: "v1.2.3" };
        const object = guestbookApplicationSet(source);
        await kubernetes.create(appSetUrn, object);
        const folder = path.join(hub(), "hub", "applicationsets", "argocd", "guestbook");
        const field = (name: string) => fs.readFileSync(path.join(folder, name), "utf8");
        expect(JSON.parse(field("object.json"))).toEqual(object);
        expect(field("placement-generator")).toBe("ocm-placement-generator/placement");
        expect(field("app-name")).toBe("guestbook-{{name}}");
        expect([field("repo"), field("path"), field("revision")]).toEqual([
            "https://example.test/apps.git",
            "web",
            "v1.2.3",
        ]);
        expect([field("destination-name"), field("destination-namespace")]).toEqual(["{{name}}", "guestbook"]);
        // an update rewrites it; a second generator is one the fake generates nothing for
        const twoGenerators = JSON.parse(JSON.stringify(object));
        twoGenerators.spec.generators.push({ list: { elements: [] } });
        await kubernetes.update("argocd/guestbook", appSetUrn, object, twoGenerators);
        expect(field("placement-generator")).toBe("");
        await kubernetes.delete("argocd/guestbook", appSetUrn, twoGenerators);
        expect(fs.existsSync(folder)).toBe(false);
    });

    it("installs the chart as the fake add-on sees it, and updates a new version in place", async () => {
        const chart = { name: "argocd-agent-addon", namespace: "argocd", version: "0.28.1", atomic: true };
        const made = await kubernetes.create(release, chart);
        expect(fs.readFileSync(path.join(hub(), "hub", "addon-installed"), "utf8")).toBe("0.28.1");
        expect(made.outs.status).toEqual({ status: "deployed" });
        const newer = { ...chart, version: "0.29.0" };
        expect(await kubernetes.diff(made.id, release, made.outs, newer)).toMatchObject({
            changes: true,
            replaces: [],
        });
        expect(await kubernetes.diff(made.id, release, made.outs, chart)).toMatchObject({ changes: false });
        expect((await kubernetes.diff(made.id, release, made.outs, { ...chart, name: "other" })).replaces).toEqual([
            "name",
        ]);
    });

    it("refuses a release name still in use, as helm does, and uninstalls an install cancelled midway", async () => {
        const chart = { name: "argocd-agent-addon", namespace: "argocd", version: "0.28.1", atomic: true };
        const record = path.join(hub(), "hub", "helm", "argocd.argocd-agent-addon");
        fs.mkdirSync(path.dirname(record), { recursive: true });
        fs.writeFileSync(record, "pending-install"); // an install cut short by a crash
        await expect(kubernetes.create(release, chart)).rejects.toThrow("cannot re-use a name that is still in use");
        fs.rmSync(record);

        const cancelling = new KubernetesProvider();
        const installing = cancelling.create(release, chart);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(fs.readFileSync(record, "utf8")).toBe("pending-install");
        await cancelling.cancel();
        await expect(installing).rejects.toThrow(
            "release argocd-agent-addon failed, and has been uninstalled due to atomic being set: context canceled",
        );
        expect(fs.existsSync(record)).toBe(false);
        expect(fs.existsSync(path.join(hub(), "hub", "addon-installed"))).toBe(false);
        // and after a Cancel, every operation is refused at once
        await expect(cancelling.create(work, smoke)).rejects.toThrow("context canceled");
    });

    it("waits on a ManifestWork's finalizer, and fails naming it when no work agent removes it", async () => {
        process.env.FAKE_TIME_SCALE = "0.001"; // the provider's 10 minutes, scaled to well under a second
        try {
            const made = await kubernetes.create(work, smoke);
            const marker = path.join(hub(), "hub", "manifestworks", "spoke1", "ocm-lab-smoke");
            fs.writeFileSync(`${marker}.finalizer`, ""); // the agent applied it; no agent runs now
            await expect(kubernetes.delete(made.id, work, made.outs)).rejects.toThrow(
                "timed out waiting for the delete of ManifestWork spoke1/ocm-lab-smoke to complete: finalizer cluster.open-cluster-management.io/manifest-work-cleanup remains",
            );
            expect(fs.existsSync(marker)).toBe(true);
        } finally {
            delete process.env.FAKE_TIME_SCALE;
        }
    });

    it("replaces an object that moves to another name or namespace", async () => {
        const made = await kubernetes.create(work, smoke);
        const moved = { ...smoke, metadata: { ...smoke.metadata, namespace: "spoke2" } };
        expect(await kubernetes.diff(made.id, work, made.outs, moved)).toMatchObject({
            changes: true,
            replaces: ["metadata"],
        });
    });

    it("fails as an unreachable API server does once the cluster is gone", async () => {
        fs.rmSync(hub(), { recursive: true, force: true });
        await expect(kubernetes.create(work, smoke)).rejects.toThrow(
            'Get "https://127.0.0.1:40007/version": dial tcp: connect: connection refused',
        );
    });
});
