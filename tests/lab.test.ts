/**
 * The front door's decisions: where state and secrets go without a prompt, which config the
 * preflight reads, what it reports (one line each, with the fix), and the status table.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import {
    afterDestroy,
    failureSummary,
    labClusterCount,
    labConfigFrom,
    labEnvironment,
    parallelFor,
    parseOptions,
    run,
    status,
} from "../cli/lab";
import { EngineRecord, runOperation, urnsOf } from "../cli/labStack";
import {
    listedClusters,
    ownedClusterNames,
    ownsDockerObject,
    ownsNetwork,
    PreflightFacts,
    preflightProblems,
} from "../cli/preflight";
import { RunRecord, renderRunSummary, StateResource, stepDependencies, summariseRun } from "../cli/runRecord";
import {
    clustersLine,
    klusterletModesOf,
    registrationDriversOf,
    renderTable,
    StatusRow,
    statusProblems,
    statusRows,
} from "../cli/status";
import { cacheStatusLines, DockerRun, existingCacheVolumes, keptCacheMessage, purgeCache } from "../cli/imageCache";
import { fakesDir, FakeLab } from "./harness/fakeLab";
import { ProgramRun, projectRoot, Registration, runProgram } from "./harness/program";

const made: string[] = [];
const temp = () => {
    made.push(fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-front-")));
    return made[made.length - 1];
};
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
const fakeLab = () => {
    const fake = new FakeLab();
    made.push(fake.root);
    return fake;
};

/** The front door's process.exit, stopped where it is called. */
class Exited extends Error {
    constructor(readonly code: number | string | null | undefined) {
        super(`process.exit(${code})`);
    }
}
/** The exit code `fn` ends the process with, or undefined when it returns. */
function exitCode(fn: () => void): number | string | null | undefined {
    try {
        fn();
        return undefined;
    } catch (error) {
        if (error instanceof Exited) {
            return error.code;
        }
        throw error;
    }
}
/** What the front door prints (console.log, console.error), kept, and its exits stopped (see exitCode). */
function capture() {
    const logs: string[] = [];
    const errors: string[] = [];
    const spies = [
        jest.spyOn(process, "exit").mockImplementation(((code?: number) => {
            throw new Exited(code);
        }) as never),
        jest.spyOn(console, "log").mockImplementation((line: unknown) => logs.push(String(line))),
        jest.spyOn(console, "error").mockImplementation((line: unknown) => errors.push(String(line))),
    ];
    return {
        logs,
        errors,
        clear: () => {
            logs.length = 0;
            errors.length = 0;
        },
        restore: () => spies.forEach((spy) => spy.mockRestore()),
    };
}

describe("lab environment", () => {
    it("keeps state in the project and encrypts secrets with a private random passphrase, created once", () => {
        const root = temp();
        const first = labEnvironment(root, { PATH: "/usr/bin" });
        const passphraseFile = path.join(root, ".pulumi-state", "passphrase");
        expect(first.env.PULUMI_BACKEND_URL).toBe(`file://${path.join(root, ".pulumi-state")}`);
        expect(first.env.PULUMI_CONFIG_PASSPHRASE_FILE).toBe(passphraseFile);
        expect(fs.statSync(passphraseFile).mode & 0o777).toBe(0o600);
        expect(fs.readFileSync(passphraseFile, "utf8")).toMatch(/^[A-Za-z0-9_-]{32}$/);
        expect(first.env.PATH).toBe(`${path.join(root, ".tools", "bin")}:/usr/bin`);
        const passphrase = fs.readFileSync(passphraseFile, "utf8");
        const second = labEnvironment(root, { PATH: "/usr/bin" });
        expect(fs.readFileSync(passphraseFile, "utf8")).toBe(passphrase);
        expect(second.notes.join("\n")).not.toContain("new random passphrase");
    });

    it("makes the passphrase file README.md exports when the path was exported before the file existed", () => {
        const root = temp();
        const passphraseFile = path.join(root, ".pulumi-state", "passphrase");
        const exported = labEnvironment(root, { PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile });
        expect(exported.env.PULUMI_CONFIG_PASSPHRASE_FILE).toBe(passphraseFile);
        expect(fs.readFileSync(passphraseFile, "utf8")).toMatch(/^[A-Za-z0-9_-]{32}$/);
        // the same file through a link to the project's folder (a shell whose $PWD is the link)
        fs.rmSync(passphraseFile);
        const link = `${root}-link`;
        fs.symlinkSync(root, link);
        labEnvironment(root, { PULUMI_CONFIG_PASSPHRASE_FILE: path.join(link, ".pulumi-state", "passphrase") });
        expect(fs.existsSync(passphraseFile)).toBe(true);
        fs.rmSync(link);
        // another file of the user's is theirs: not made, not replaced
        const theirs = path.join(root, "mine");
        const own = labEnvironment(root, { PULUMI_CONFIG_PASSPHRASE_FILE: theirs });
        expect(own.env.PULUMI_CONFIG_PASSPHRASE_FILE).toBe(theirs);
        expect(fs.existsSync(theirs)).toBe(false);
    });

    it("leaves a user's own backend and passphrase alone", () => {
        const root = temp();
        const own = labEnvironment(root, { PULUMI_BACKEND_URL: "s3://bucket", PULUMI_CONFIG_PASSPHRASE: "x" });
        expect(own.env.PULUMI_BACKEND_URL).toBe("s3://bucket");
        expect(own.env.PULUMI_CONFIG_PASSPHRASE_FILE).toBeUndefined();
        expect(fs.existsSync(path.join(root, ".pulumi-state"))).toBe(false);
        const ownPassphrase = labEnvironment(root, { PULUMI_CONFIG_PASSPHRASE: "" });
        expect(ownPassphrase.env.PULUMI_CONFIG_PASSPHRASE_FILE).toBeUndefined();
    });
});

describe("reading the stack's config for preflight", () => {
    it("takes `pulumi config --json` output and applies the program's defaults and checks", () => {
        const lab = labConfigFrom(
            JSON.stringify({
                "ocm-lab:runtime": { value: "k3d", secret: false },
                "ocm-lab:spokes": {
                    value: '["edge1","edge2","edge3"]',
                    objectValue: ["edge1", "edge2", "edge3"],
                    secret: false,
                },
            }),
        );
        expect(lab.runtime).toBe("k3d");
        expect([lab.hubName, ...lab.spokeNames]).toEqual(["hub", "edge1", "edge2", "edge3"]);
        expect(lab.nodeImage).toBe("rancher/k3s:v1.33.6-k3s1");
        expect(() =>
            labConfigFrom(
                JSON.stringify({ "ocm-lab:runtime": { value: "kind" }, "ocm-lab:hubName": { value: "Hub" } }),
            ),
        ).toThrow(/ocm-lab:hubName is "Hub"/);
    });
});

describe("preflight", () => {
    const healthy: PreflightFacts = {
        stack: "kind",
        runtime: "kind",
        clusterNames: ["hub", "spoke1", "spoke2"],
        nodeImage: "kindest/node:v1.31.0",
        dockerReachable: true,
        inotify: { maxUserInstances: 8192, maxUserWatches: 524288 },
        kindVersion: "v0.24.0",
        existingClusters: ["other-lab"],
        ownedClusters: [],
    };

    it("passes a ready machine", () => {
        expect(preflightProblems(healthy)).toEqual([]);
    });

    it("reports each problem as one line with its fix", () => {
        const problems = preflightProblems({
            ...healthy,
            dockerReachable: false,
            inotify: { maxUserInstances: 128, maxUserWatches: 8192 },
            kindVersion: "v0.20.0",
            existingClusters: ["spoke1"],
        });
        expect(problems).toEqual([
            expect.stringMatching(/^Docker is not reachable .*sudo systemctl start docker, then npm run up -- kind$/),
            expect.stringMatching(
                /^inotify limits \(max_user_instances=128, max_user_watches=8192\) are too low for 3 kind clusters: sudo sysctl fs\.inotify\.max_user_instances=512 fs\.inotify\.max_user_watches=524288$/,
            ),
            expect.stringMatching(
                /^kind v0\.20\.0 on PATH is not the release kindest\/node:v1\.31\.0 was built for \(v0\.24\.0\)/,
            ),
            expect.stringMatching(
                /^a kind cluster named spoke1 exists and this stack did not create it: kind delete cluster --name spoke1, or give the lab's another name/,
            ),
        ]);
        expect(problems.every((p) => !p.includes("\n"))).toBe(true);
    });

    it("does not count the stack's own clusters as taken, nor check inotify for two kind clusters or for k3d", () => {
        expect(
            preflightProblems({ ...healthy, existingClusters: ["hub", "spoke1"], ownedClusters: ["hub", "spoke1"] }),
        ).toEqual([]);
        const low = { maxUserInstances: 128, maxUserWatches: 8192 };
        expect(preflightProblems({ ...healthy, clusterNames: ["hub", "spoke1"], inotify: low })).toEqual([]);
        expect(
            preflightProblems({ ...healthy, runtime: "k3d", stack: "k3d", inotify: low, kindVersion: undefined }),
        ).toEqual([]);
    });

    it("refuses mirror containers of the lab's names that this stack did not create, naming them", () => {
        expect(preflightProblems({ ...healthy, strayMirrors: [] })).toEqual([]);
        expect(
            preflightProblems({
                ...healthy,
                strayMirrors: ["ocm-lab-kind-mirror-quay-io", "ocm-lab-kind-mirror-gcr-io"],
            }),
        ).toEqual([
            "container(s) ocm-lab-kind-mirror-quay-io, ocm-lab-kind-mirror-gcr-io exist and this stack did not create them " +
                "(left by an earlier lab of this name): docker rm -f ocm-lab-kind-mirror-quay-io ocm-lab-kind-mirror-gcr-io " +
                "(the image cache's volumes keep what they cached), or turn the cache off: " +
                "pulumi config set ocm-lab:imageCache false -s kind",
        ]);
        const exported = JSON.stringify({
            deployment: {
                resources: [
                    { type: "docker:index/container:Container", outputs: { name: "ocm-lab-kind-mirror-quay-io" } },
                    { type: "docker:index/network:Network", outputs: { name: "ocm-lab-kind-mirror-gcr-io" } },
                ],
            },
        });
        expect(ownsDockerObject(exported, "container", "ocm-lab-kind-mirror-quay-io")).toBe(true);
        expect(ownsDockerObject(exported, "container", "ocm-lab-kind-mirror-gcr-io")).toBe(false); // a network of that name
    });

    it("refuses a network of the lab's name that this stack did not create, naming it", () => {
        const k3d = { ...healthy, runtime: "k3d" as const, stack: "k3d", kindVersion: undefined };
        expect(preflightProblems({ ...k3d, network: { name: "ocm-lab-k3d", takenByOther: false } })).toEqual([]);
        expect(preflightProblems({ ...k3d, network: { name: "ocm-lab-k3d", takenByOther: true } })).toEqual([
            expect.stringMatching(
                /^a docker network named ocm-lab-k3d exists and this stack did not create it .*docker network rm ocm-lab-k3d/,
            ),
        ]);
    });

    it("knows its own network from the exported state, and no other", () => {
        const exported = JSON.stringify({
            deployment: {
                resources: [{ type: "docker:index/network:Network", outputs: { name: "ocm-lab-k3d" } }],
            },
        });
        expect(ownsNetwork(exported, "ocm-lab-k3d")).toBe(true);
        expect(ownsNetwork(exported, "ocm-lab-k3d-2")).toBe(false);
        expect(ownsNetwork(JSON.stringify({ deployment: {} }), "ocm-lab-k3d")).toBe(false);
    });

    it("accepts any kind with a node image the user chose", () => {
        expect(preflightProblems({ ...healthy, nodeImage: "kindest/node:v1.29.2", kindVersion: "v0.22.0" })).toEqual(
            [],
        );
    });

    describe("runtime existing", () => {
        const existing: PreflightFacts = {
            stack: "existing",
            runtime: "existing",
            clusterNames: ["hub", "spoke1"],
            nodeImage: "",
            // Docker plays no part: its absence, and clusters of any runtime, are no problem here
            dockerReachable: false,
            existingClusters: ["hub", "spoke1"],
            ownedClusters: [],
            contexts: [
                { cluster: "hub", context: "prod-hub", found: true, server: "https://hub.example:6443", answers: true },
                { cluster: "spoke1", context: "edge", found: true, server: "https://edge.example:6443", answers: true },
            ],
        };

        it("passes contexts that exist and answer, with a hub address spokes can reach", () => {
            expect(preflightProblems(existing)).toEqual([]);
        });

        it("names the context, the cluster and the fix for each missing or silent context and a loopback hub", () => {
            const problems = preflightProblems({
                ...existing,
                contexts: [
                    {
                        cluster: "hub",
                        context: "kind-hub",
                        found: true,
                        server: "https://127.0.0.1:41234",
                        answers: true,
                    },
                    { cluster: "spoke1", context: "edge", found: false, answers: false },
                ],
            });
            expect(problems).toEqual([
                "context edge (cluster spoke1) is not in your kubeconfig (KUBECONFIG or ~/.kube/config): " +
                    "kubectl config get-contexts, then pulumi config set --path 'ocm-lab:contexts.spoke1' <context> -s existing",
                expect.stringMatching(
                    /^the server of the hub's context kind-hub is https:\/\/127\.0\.0\.1:41234, a loopback address.*Next: pulumi config set ocm-lab:hubApiServer https:\/\/.* -s existing$/,
                ),
            ]);
            expect(
                preflightProblems({
                    ...existing,
                    contexts: [{ ...existing.contexts![0], answers: false }, existing.contexts![1]],
                }),
            ).toEqual([
                "the cluster of context prod-hub (cluster hub, https://hub.example:6443) does not answer: " +
                    "kubectl --context prod-hub get --raw /readyz, then npm run up -- existing",
            ]);
        });

        it("takes a loopback hub context when ocm-lab:hubApiServer names the address to hand on", () => {
            const loopbackHub = { ...existing.contexts![0], server: "https://localhost:6443" };
            const facts = { ...existing, contexts: [loopbackHub, existing.contexts![1]] };
            expect(preflightProblems(facts)).toHaveLength(1);
            expect(preflightProblems({ ...facts, hubApiServer: "https://10.1.2.3:6443" })).toEqual([]);
        });
    });

    it("reads which clusters the stack owns from its exported state", () => {
        const exported = JSON.stringify({
            deployment: {
                resources: [
                    { urn: "urn:pulumi:kind::ocm-lab::pulumi:pulumi:Stack::ocm-lab-kind" },
                    { urn: "urn:pulumi:kind::ocm-lab::ocm-lab:index:HubCluster::hub" },
                    { urn: "urn:pulumi:kind::ocm-lab::ocm-lab:index:SpokeCluster::spoke1" },
                    {
                        urn: "urn:pulumi:kind::ocm-lab::ocm-lab:index:SpokeCluster$command:local:Command::spoke1-cluster",
                    },
                    { urn: "urn:pulumi:kind::ocm-lab::ocm-lab:index:ClusterRegistration::spoke2" },
                ],
            },
        });
        expect(ownedClusterNames(exported)).toEqual(["hub", "spoke1"]);
    });
});

describe("status", () => {
    it("shows per cluster: joined, available, the agent add-on and the app's sync and health", () => {
        const rows = statusRows(
            {
                items: [
                    {
                        metadata: { name: "spoke1" },
                        status: {
                            conditions: [
                                { type: "ManagedClusterJoined", status: "True" },
                                { type: "ManagedClusterConditionAvailable", status: "True" },
                            ],
                        },
                    },
                    {
                        metadata: { name: "spoke2" },
                        status: {
                            conditions: [
                                { type: "ManagedClusterJoined", status: "True" },
                                { type: "ManagedClusterConditionAvailable", status: "Unknown" },
                            ],
                        },
                    },
                ],
            },
            {
                items: [
                    {
                        metadata: { name: "argocd-agent-addon", namespace: "spoke1" },
                        status: { conditions: [{ type: "Available", status: "True" }] },
                    },
                ],
            },
            {
                items: [
                    {
                        metadata: { name: "guestbook-spoke1", namespace: "argocd" },
                        spec: { destination: { name: "spoke1" } },
                        status: { sync: { status: "Synced" }, health: { status: "Healthy" } },
                    },
                ],
            },
            {
                items: [
                    {
                        metadata: { name: "ocm-lab-smoke", namespace: "spoke1" },
                        status: {
                            conditions: [
                                { type: "Applied", status: "True" },
                                { type: "Available", status: "True" },
                            ],
                        },
                    },
                    { metadata: { name: "someone-elses-work", namespace: "spoke2" } },
                ],
            },
            { spoke1: "hosted" },
            { spoke1: "grpc" },
        );
        expect(rows).toEqual([
            {
                cluster: "spoke1",
                klusterlet: "hosted",
                registration: "grpc",
                joined: "True",
                available: "True",
                smoke: "Applied=True,Available=True",
                addon: "Available=True",
                app: "guestbook-spoke1: Synced/Healthy",
            },
            {
                cluster: "spoke2",
                klusterlet: "-",
                registration: "-",
                joined: "True",
                available: "Unknown",
                smoke: "none",
                addon: "not installed",
                app: "no app",
            },
        ]);
        const table = renderTable(rows).split("\n");
        expect(table[0]).toMatch(
            /^CLUSTER\s+KLUSTERLET\s+REGISTRATION\s+JOINED\s+AVAILABLE\s+SMOKE WORK\s+ARGOCD AGENT\s+APP \(SYNC\/HEALTH\)$/,
        );
        expect(table[1]).toMatch(/^spoke1\s+hosted\s+grpc\s+True\s/);
        expect(table[1].indexOf("True")).toBe(table[0].indexOf("JOINED"));
        expect(renderTable([])).toContain("no ManagedClusters on the hub yet");
    });
});

describe("status says whose clusters these are", () => {
    it("names each cluster's context, and for existing that destroy leaves them", () => {
        expect(clustersLine("existing", { hub: "prod-hub", spoke1: "edge" })).toBe(
            "runtime existing: your clusters, by context: hub=prod-hub, spoke1=edge (destroy takes OCM off them and leaves them)",
        );
        expect(clustersLine("kind", { hub: "kind-hub", spoke1: "kind-spoke1" })).toBe(
            "runtime kind: the lab's own clusters, by context: hub=kind-hub, spoke1=kind-spoke1",
        );
    });
});

describe("status as a health check", () => {
    const ready = (cluster: string): StatusRow => ({
        cluster,
        klusterlet: "default",
        registration: "csr",
        joined: "True",
        available: "True",
        smoke: "Applied=True,Available=True",
        addon: "Available=True",
        app: `guestbook-${cluster}: Synced/Healthy`,
    });
    const expected = { spokes: ["spoke1", "spoke2"], argocd: true, smokeWork: true, hubContext: "kind-hub" };

    it("finds nothing wrong when every spoke is joined, Available, with its add-on and app", () => {
        expect(
            statusProblems([ready("spoke1"), ready("spoke2"), { ...ready("local-cluster"), app: "no app" }], expected),
        ).toEqual([]);
    });

    it("reports one line per problem, naming the spoke and a command that shows why", () => {
        const problems = statusProblems(
            [
                { ...ready("spoke1"), available: "Unknown", addon: "Available=False" },
                { ...ready("spoke2"), smoke: "none", app: "guestbook-spoke2: OutOfSync/Progressing" },
            ],
            { ...expected, spokes: ["spoke1", "spoke2", "spoke3"] },
        );
        expect(problems).toEqual([
            "spoke1: ManagedCluster joined=True available=Unknown; next: kubectl --context kind-hub describe managedcluster spoke1",
            "spoke1: argocd-agent add-on Available=False; next: kubectl --context kind-hub get managedclusteraddon argocd-agent-addon -n spoke1 -o yaml",
            "spoke2: smoke ManifestWork none; next: kubectl --context kind-hub get manifestwork ocm-lab-smoke -n spoke2 -o yaml",
            "spoke2: app guestbook-spoke2: OutOfSync/Progressing; next: kubectl --context kind-hub get applications.argoproj.io -n argocd -o wide",
            "spoke3: no ManagedCluster on the hub; next: kubectl --context kind-hub get managedclusters,csr",
        ]);
    });

    it("judges a self-managed hub's local-cluster as a managed cluster, without the add-on or an app", () => {
        const hubItself = { ...ready("local-cluster"), addon: "not installed", app: "no app" };
        const withHub = { ...expected, selfManaged: "local-cluster" };
        expect(statusProblems([ready("spoke1"), ready("spoke2"), hubItself], withHub)).toEqual([]);
        expect(statusProblems([ready("spoke1"), ready("spoke2")], withHub)).toEqual([
            "local-cluster: no ManagedCluster on the hub; next: kubectl --context kind-hub get managedclusters,csr",
        ]);
        expect(
            statusProblems(
                [ready("spoke1"), ready("spoke2"), { ...hubItself, available: "Unknown", smoke: "none" }],
                withHub,
            ),
        ).toEqual([
            "local-cluster: ManagedCluster joined=True available=Unknown; next: kubectl --context kind-hub describe managedcluster local-cluster",
            "local-cluster: smoke ManifestWork none; next: kubectl --context kind-hub get manifestwork ocm-lab-smoke -n local-cluster -o yaml",
        ]);
    });

    it("does not expect the add-on, apps or smoke work on a stack without them", () => {
        const bare = { ...ready("spoke1"), smoke: "none", addon: "not installed", app: "no app" };
        const without = { ...expected, spokes: ["spoke1"], argocd: false, smokeWork: false };
        expect(statusProblems([bare], without)).toEqual([]);
        expect(statusProblems([bare], { ...without, argocd: true })).toHaveLength(2);
        expect(statusProblems([bare], { ...without, smokeWork: true })).toHaveLength(1);
    });
});

describe("calling the CLIs", () => {
    it("keeps output far larger than spawnSync's 1 MiB default (a ten-spoke stack export is several MiB)", () => {
        const size = 8 * 1024 * 1024;
        const result = run(process.execPath, ["-e", `process.stdout.write("x".repeat(${size}))`], process.env);
        expect(result.error).toBeUndefined();
        expect(result.status).toBe(0);
        expect(result.stdout.length).toBe(size);
    });
});

describe("the image cache after destroy", () => {
    /** A docker that lists these volumes and refuses to remove the ones in `busy`. */
    const dockerWith =
        (volumes: string[], busy: Record<string, string[]> = {}): DockerRun =>
        (args) => {
            if (args[0] === "volume" && args[1] === "ls") {
                return { ok: true, output: [...volumes, "someone-elses-volume"].join("\n") + "\n" };
            }
            if (args[0] === "volume" && args[1] === "rm") {
                return busy[args[2]]
                    ? { ok: false, output: `Error response from daemon: remove ${args[2]}: volume is in use` }
                    : { ok: true, output: args[2] };
            }
            if (args[0] === "ps") {
                const volume = args[args.indexOf("--filter") + 1].replace("volume=", "");
                return { ok: true, output: (busy[volume] ?? []).join("\n") };
            }
            throw new Error(`unexpected docker ${args.join(" ")}`);
        };

    it("says which volumes it kept and how to remove them, and says nothing without a cache", () => {
        const docker = dockerWith(["ocm-lab-cache-quay-io", "ocm-lab-cache-docker-io"]);
        expect(existingCacheVolumes(docker)).toEqual(["ocm-lab-cache-docker-io", "ocm-lab-cache-quay-io"]);
        expect(keptCacheMessage("kind", existingCacheVolumes(docker))).toBe(
            "kept the image cache for the next lab (2 docker volume(s): ocm-lab-cache-docker-io, ocm-lab-cache-quay-io); " +
                "to remove it too: npm run destroy -- kind --purge-cache",
        );
        expect(keptCacheMessage("kind", existingCacheVolumes(dockerWith([])))).toBeUndefined();
    });

    it("purges what no container uses; a volume in use is kept, naming who uses it and what to run", () => {
        const docker = dockerWith(["ocm-lab-cache-quay-io", "ocm-lab-cache-gcr-io", "ocm-lab-cache-docker-io"], {
            "ocm-lab-cache-quay-io": ["ocm-lab-k3d-mirror-quay-io"],
            "ocm-lab-cache-gcr-io": ["my-own-registry"],
        });
        const { removed, problems } = purgeCache("kind", docker);
        expect(removed).toEqual(["ocm-lab-cache-docker-io"]);
        expect(problems).toEqual([
            "purge-cache: ocm-lab-cache-quay-io is kept: ocm-lab-k3d-mirror-quay-io still uses it; " +
                "next: npm run destroy -- k3d, then npm run destroy -- kind --purge-cache",
            "purge-cache: ocm-lab-cache-gcr-io is kept: my-own-registry still uses it; " +
                "next: docker rm -f my-own-registry, then npm run destroy -- kind --purge-cache",
        ]);
    });

    it("ends destroy --purge-cache with exit 1 when it kept a volume in use, and exits not when it removed them all", () => {
        const said = capture();
        try {
            const busy = dockerWith(["ocm-lab-cache-quay-io", "ocm-lab-cache-docker-io"], {
                "ocm-lab-cache-quay-io": ["ocm-lab-k3d-mirror-quay-io"],
            });
            expect(exitCode(() => afterDestroy("kind", true, busy))).toBe(1);
            expect(said.logs).toEqual(["ocm-lab: purge-cache: removed 1 volume(s): ocm-lab-cache-docker-io"]);
            expect(said.errors).toEqual([
                "ocm-lab: purge-cache: ocm-lab-cache-quay-io is kept: ocm-lab-k3d-mirror-quay-io still uses it; " +
                    "next: npm run destroy -- k3d, then npm run destroy -- kind --purge-cache",
            ]);
            said.clear();
            expect(exitCode(() => afterDestroy("kind", true, dockerWith(["ocm-lab-cache-quay-io"])))).toBeUndefined();
            expect(said.logs).toEqual(["ocm-lab: purge-cache: removed 1 volume(s): ocm-lab-cache-quay-io"]);
            expect(said.errors).toEqual([]);
        } finally {
            said.restore();
        }
    });

    it("shows in status how many mirrors run, and each one that does not, without failing the lab", () => {
        const mirror = (registry: string, status: string) => ({
            registry,
            container: `ocm-lab-kind-mirror-${registry.replace(/\./g, "-")}`,
            status,
        });
        expect(cacheStatusLines([mirror("quay.io", "running"), mirror("gcr.io", "running")])).toEqual([
            "image cache: 2 of 2 mirrors running",
        ]);
        expect(cacheStatusLines([mirror("quay.io", "running"), mirror("gcr.io", "restarting")])).toEqual([
            "image cache: 1 of 2 mirrors running",
            "image cache: ocm-lab-kind-mirror-gcr-io is restarting; nodes pull from gcr.io directly meanwhile " +
                "(a mirror restarts until its registry answers); next: docker logs ocm-lab-kind-mirror-gcr-io",
        ]);
        expect(cacheStatusLines([])).toEqual(["image cache: off"]);
    });
});

describe("the runtimes' cluster listings, as preflight reads them", () => {
    const listK3d = (fake: FakeLab) => run("k3d", ["cluster", "list", "-o", "json"], fake.env());
    const k3dCreate = (fake: FakeLab, name: string) => {
        const made = spawnSync(
            path.join(fakesDir, "k3d"),
            [
                ...["cluster", "create", name, "--image", "rancher/k3s:v1.33.6-k3s1", "--network", `k3d-${name}`],
                "--kubeconfig-update-default=false",
            ],
            { env: fake.env(), encoding: "utf8" },
        );
        expect(made.stderr).toContain(`Cluster '${name}' created successfully`);
    };

    it("reads the names from k3d's JSON listing (k3d v5.8.3's shape, in the fake) and kind's lines, each runtime its own", () => {
        const fake = fakeLab();
        expect(listK3d(fake).stdout).toBe("[]\n");
        expect(listedClusters("k3d", listK3d(fake))).toEqual({ names: [] });
        k3dCreate(fake, "hub");
        k3dCreate(fake, "edge");
        fake.userCluster("spoke1"); // a kind cluster
        const listing = listK3d(fake);
        // one line of compact JSON, sorted by name, each cluster with its nodes and counts
        expect(listing.stdout).toMatch(/^\[\{"name":"edge",.*\},\{"name":"hub",.*\}\]\n$/);
        expect(JSON.parse(listing.stdout)[1]).toMatchObject({
            name: "hub",
            network: { name: "k3d-hub" },
            nodes: [
                { name: "k3d-hub-server-0", role: "server" },
                { name: "k3d-hub-serverlb", role: "loadbalancer" },
            ],
            serversCount: 1,
            agentsCount: 0,
            hasLoadbalancer: true,
        });
        expect(listedClusters("k3d", listing)).toEqual({ names: ["edge", "hub"] });
        expect(listedClusters("kind", run("kind", ["get", "clusters"], fake.env()))).toEqual({ names: ["spoke1"] });
    });

    it("takes a listing that fails or prints no list for a failure, which stops preflight with the command to run", () => {
        const fake = fakeLab();
        const command = "k3d cluster list -o json";
        fake.fault("k3d-list");
        expect(listedClusters("k3d", listK3d(fake))).toEqual({ failed: { command, said: "injected fault: k3d list" } });
        fake.clearFault("k3d-list");
        fs.writeFileSync(path.join(fake.state, "docker-down"), "");
        expect(listedClusters("k3d", listK3d(fake))).toEqual({
            failed: {
                command,
                said: expect.stringMatching(
                    /^FATA\[0000\] runtime failed to list nodes: .*Is the docker daemon running\?$/,
                ),
            },
        });
        expect(listedClusters("kind", run("kind", ["get", "clusters"], fake.env()))).toEqual({
            failed: { command: "kind get clusters", said: expect.stringMatching(/^ERROR: failed to list clusters/) },
        });
        // k3d's table (no -o json), nothing at all, or no k3d on PATH: never "no clusters"
        const table = "NAME   SERVERS   AGENTS   LOADBALANCER\nhub    1/1       0/0      true\n";
        expect(listedClusters("k3d", { status: 0, stdout: table, stderr: "" })).toEqual({
            failed: { command, said: "it printed no JSON list of clusters: hub    1/1       0/0      true" },
        });
        expect(listedClusters("k3d", { status: 0, stdout: "", stderr: "" })).toEqual({
            failed: { command, said: "it printed no JSON list of clusters: (nothing)" },
        });
        const missing = { status: null, stdout: "", stderr: "", error: new Error("spawnSync k3d ENOENT") };
        expect(listedClusters("k3d", missing)).toEqual({ failed: { command, said: "spawnSync k3d ENOENT" } });

        const facts: PreflightFacts = {
            stack: "k3d",
            runtime: "k3d",
            clusterNames: ["hub", "spoke1"],
            nodeImage: "rancher/k3s:v1.33.6-k3s1",
            dockerReachable: true,
            existingClusters: [],
            ownedClusters: [],
            listingFailed: { command, said: "injected fault: k3d list" },
        };
        expect(preflightProblems(facts)).toEqual([
            "could not list the k3d clusters on this machine (k3d cluster list -o json failed: injected fault: k3d list), " +
                "so preflight cannot tell whether a cluster of this lab's names is someone else's: " +
                "run k3d cluster list -o json to see why, then npm run up -- k3d",
        ]);
        expect(preflightProblems({ ...facts, listingFailed: undefined })).toEqual([]);
        // with Docker down, the Docker line is the one cause to fix
        expect(preflightProblems({ ...facts, dockerReachable: false })).toEqual([
            expect.stringMatching(/^Docker is not reachable/),
        ]);
    });
});

describe("the front door's usage", () => {
    /** `npm run <args>` without npm: the front door's process, kept off the network and the project's state. */
    const frontDoor = (...args: string[]) => {
        const home = temp();
        return spawnSync(process.execPath, [path.join(projectRoot, "cli", "run.js"), "cli/lab.ts", ...args], {
            cwd: projectRoot,
            encoding: "utf8",
            env: {
                ...process.env,
                PULUMI_HOME: home,
                PULUMI_BACKEND_URL: `file://${home}`,
                PULUMI_CONFIG_PASSPHRASE: "usage-test",
                HTTPS_PROXY: "http://127.0.0.1:9",
                HTTP_PROXY: "http://127.0.0.1:9",
            },
        });
    };
    const stacks = "<kind|k3d|existing>";
    const usage = [
        `usage: npm run <up|preview|destroy|status|preflight> -- ${stacks}   (for example: npm run up -- kind)`,
        `       npm run up -- ${stacks} --replace <resource name>   (rebuilds it, e.g. spoke1-cluster)`,
        `       npm run preview -- ${stacks} --diff   (every input that would change)`,
        `       npm run destroy -- ${stacks} --purge-cache   (also removes the image cache's volumes)`,
    ].join("\n");

    it("prints the usage and exits 1 for a missing or unknown command or stack, before anything else", () => {
        for (const args of [[], ["start", "kind"], ["up", "minikube"]]) {
            const result = frontDoor(...args);
            expect({ args, status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
                args,
                status: 1,
                stdout: "", // no state folder or passphrase chosen, no CLI fetched
                stderr: `ocm-lab: ${usage}\n`,
            });
        }
    });

    it("names the options a command does not take, then the usage", () => {
        const diffOnUp = frontDoor("up", "kind", "--diff");
        expect([diffOnUp.status, diffOnUp.stdout, diffOnUp.stderr]).toEqual([
            1,
            "",
            `ocm-lab: unknown option(s) for up: --diff\n${usage}\n`,
        ]);
        expect(parseOptions("destroy", ["--replace", "spoke1-cluster", "--purge-cache"])).toEqual({
            replaceNames: [],
            unknown: ["--replace", "spoke1-cluster"],
        });
        expect(parseOptions("up", ["--replace"])).toEqual({ replaceNames: [], unknown: ["--replace"] });
        expect(parseOptions("status", ["--purge-cache"])).toEqual({ replaceNames: [], unknown: ["--purge-cache"] });
    });

    it("takes --replace on up and on preview, whose engine run is handed the URNs and --diff", async () => {
        expect(parseOptions("up", ["--replace", "spoke1-cluster", "--replace", "hub-init"])).toEqual({
            replaceNames: ["spoke1-cluster", "hub-init"],
            unknown: [],
        });
        expect(parseOptions("preview", ["--replace", "spoke1-cluster", "--diff"])).toEqual({
            replaceNames: ["spoke1-cluster"],
            unknown: [],
        });
        const handed: Record<string, unknown> = {};
        const stack = {
            up: async (options: unknown) => (handed.up = options),
            preview: async (options: unknown) => (handed.preview = options),
            destroy: async (options: unknown) => (handed.destroy = options),
        } as unknown as Stack;
        const urn = "urn:pulumi:kind::ocm-lab::ocm-lab:index:SpokeCluster$command:local:Command::spoke1-cluster";
        const common = { parallel: 24, onOutput: () => undefined, onEvent: () => undefined };
        await runOperation(stack, "preview", { ...common, replace: [urn], diff: true });
        await runOperation(stack, "up", { ...common, replace: [urn] });
        expect(handed.preview).toMatchObject({ replace: [urn], diff: true, parallel: 24 });
        expect(handed.up).toMatchObject({ replace: [urn], parallel: 24 });
        // a failed step stops only what depends on it, on up and on destroy (README's promise); the
        // engine's side of it is dayTwo's fault matrix, for up
        await runOperation(stack, "destroy", common);
        expect(handed.up).toMatchObject({ continueOnError: true });
        expect(handed.destroy).toMatchObject({ continueOnError: true, parallel: 24 });
    });
});

/** The most steps at one depth of the graph (the number of steps on the longest chain behind each): none of them waits for another. */
function widestLevel(resources: Registration[]): number {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const isStep = (r: Registration) => r.custom && !r.type.startsWith("pulumi:providers:");
    // a provider reference is "<provider urn>::<id>"
    const providerOf = (r: Registration) => (r.provider ? [r.provider.slice(0, r.provider.lastIndexOf("::"))] : []);
    const memo = new Map<string, number>();
    const depth = (urn: string): number => {
        if (!memo.has(urn)) {
            const r = byUrn.get(urn)!;
            const behind = [...r.dependencies, ...providerOf(r)].filter((d) => byUrn.has(d));
            memo.set(urn, Math.max(0, ...behind.map((d) => depth(d) + (isStep(byUrn.get(d)!) ? 1 : 0))));
        }
        return memo.get(urn)!;
    };
    const counts = new Map<number, number>();
    resources.filter(isStep).forEach((r) => counts.set(depth(r.urn), (counts.get(depth(r.urn)) ?? 0) + 1));
    return Math.max(...counts.values());
}

describe("what the front door asks of the program's graph (a ten-spoke kind lab whose hub manages itself)", () => {
    const spokes = Array.from({ length: 10 }, (_, i) => `spoke${i + 1}`);
    let graph: ProgramRun;
    beforeAll(async () => {
        graph = await runProgram({ stack: "kind", config: { spokes, hubSelfManaged: true } });
    }, 120_000);

    it("lets the engine run at once, on two cores, every step the graph lets start together", () => {
        const lab = labConfigFrom(
            JSON.stringify({
                "ocm-lab:runtime": { value: "kind" },
                "ocm-lab:spokes": { value: JSON.stringify(spokes) },
                "ocm-lab:hubSelfManaged": { value: "true" },
            }),
        );
        expect(labClusterCount(lab)).toBe(12);
        const widest = widestLevel(graph.resources);
        expect(widest).toBeGreaterThan(12); // more than one step per cluster at once
        expect(parallelFor(labClusterCount(lab), 2)).toBeGreaterThanOrEqual(widest);
    });

    it("refuses a --replace name that two resources have, listing their URNs, and takes either URN", () => {
        const named = graph.resources.filter((r) => r.name === "spoke1").map((r) => r.urn);
        expect(named).toHaveLength(2); // the spoke's cluster and its registration, both components
        expect(() => urnsOf(["spoke1"], graph.resources)).toThrow(
            `2 resources are named spoke1; give its URN: ${named.join(", ")}`,
        );
        const cluster = graph.resources.find((r) => r.name === "spoke2-cluster")!.urn;
        expect(urnsOf([named[1], "spoke2-cluster"], graph.resources)).toEqual([named[1], cluster]);
        expect(() => urnsOf(["spoke11-cluster"], graph.resources)).toThrow(
            /^no resource named spoke11-cluster in the stack; resources that are often replaced: argocd-admin-password, hub-cluster, local-cluster, local-cluster-join, spoke1-cluster, spoke1-join, spoke10-cluster, .*, spoke9-join$/,
        );
    });

    it("shows the self-managed hub's own klusterlet in status as default mode, registered by csr", () => {
        const outputs = graph.outputs;
        expect(outputs.selfManagedCluster).toBe("local-cluster");
        const modes = klusterletModesOf(outputs);
        const drivers = registrationDriversOf(outputs);
        const rows = statusRows({ items: [{ metadata: { name: "local-cluster" } }] }, {}, {}, {}, modes, drivers);
        expect(renderTable(rows).split("\n")[1]).toMatch(/^local-cluster\s+default\s+csr\s/);
        expect(drivers.spoke10).toBe("csr");
        // a lab made before the drivers output registered every spoke with csr
        expect(registrationDriversOf({ spokeNames: ["spoke1"] })).toEqual({ spoke1: "csr" });
        expect(registrationDriversOf({ spokeNames: ["spoke1"], registrationDrivers: { spoke1: "grpc" } })).toEqual({
            spoke1: "grpc",
        });
    });
});

describe("how a failed operation ends", () => {
    const engine = (failed: EngineRecord["failed"], errors: string[]): EngineRecord => ({
        failed,
        errors,
        maxConcurrent: 0,
        underWay: () => [],
        started: () => [],
    });

    it("says it failed before any step, with the first line of the engine's first error, and what to run", () => {
        const config = 'ocm-lab: the stack configuration has 1 problem(s):\n  - ocm-lab:spokes[1] is "spoke1"';
        expect(failureSummary("up", "kind", engine([], [config, "a later error"]), new Error("stack.up failed"))).toBe(
            "up failed before any step: ocm-lab: the stack configuration has 1 problem(s):\n" +
                "next: fix that, then npm run up -- kind",
        );
        // no diagnostic at all: the Automation API's own error
        expect(failureSummary("destroy", "k3d", engine([], []), new Error("\ncode: 255\nstderr: …"))).toBe(
            "destroy failed before any step: code: 255\nnext: fix that, then npm run destroy -- k3d",
        );
    });

    it("names each failed step once, with what it said failed and its next: line", () => {
        const join =
            'exit status 1: running "bash scripts/join.sh":\n' +
            "ocm-lab: join failed for cluster spoke1: the hub did not answer\n" +
            "  next: kubectl --context kind-hub get --raw /readyz, then npm run up -- kind\n";
        const summary = failureSummary(
            "up",
            "kind",
            engine(
                [
                    { name: "spoke1-join", type: "command:local:Command", message: join },
                    { name: "spoke2-cluster", type: "command:local:Command", message: "\nexit status 1\nmore" },
                    // the engine reports a step's error more than once (its diagnostic, then the update's)
                    { name: "spoke1-join", type: "command:local:Command", message: join },
                ],
                [],
            ),
            new Error("stack.up failed"),
        );
        expect(summary).toBe(
            [
                "up failed at 2 step(s); the others went as far as they could:",
                "  - spoke1-join: join failed for cluster spoke1: the hub did not answer",
                "    next: kubectl --context kind-hub get --raw /readyz, then npm run up -- kind",
                "  - spoke2-cluster: exit status 1",
                "next: fix the cause, then npm run up -- kind (it resumes where this run stopped)",
            ].join("\n"),
        );
    });
});

describe("npm run status before the lab is whole", () => {
    it("says there is no hub yet, and what to run", () => {
        const said = capture();
        try {
            expect(exitCode(() => status("kind", {}, process.env))).toBe(1);
            expect(said.errors).toEqual(["ocm-lab: the kind stack has no hub yet: npm run up -- kind"]);
            expect(said.logs).toEqual([]);
        } finally {
            said.restore();
        }
    });

    it("says which read failed and how to repeat it when kubectl cannot reach the hub, leaving no kubeconfig behind", () => {
        const fake = fakeLab();
        const kubeconfig = fs.readFileSync(fake.userCluster("hub"), "utf8");
        fs.mkdirSync(path.join(fake.state, fake.cluster("hub"), "hub")); // it serves OCM's kinds
        const value = (v: unknown) => ({ value: v, secret: false });
        const outputs = {
            hubKubeconfig: { value: kubeconfig, secret: true },
            hubName: value("hub"),
            spokeNames: value(["spoke1"]),
            contexts: value({ hub: "kind-hub", spoke1: "kind-spoke1" }),
            runtimeName: value("kind"),
            smokeWork: value(false),
            argocdUi: value(null),
            imageMirrors: value(null),
        };
        const tmp = process.env.TMPDIR;
        process.env.TMPDIR = fake.tmp; // where status keeps the hub's kubeconfig meanwhile
        const said = capture();
        try {
            // the hub answers: the table, and what is missing
            expect(exitCode(() => status("kind", outputs, fake.env()))).toBe(1);
            expect(said.logs).toEqual([
                "ocm-lab: runtime kind: the lab's own clusters, by context: hub=kind-hub, spoke1=kind-spoke1",
                expect.stringContaining("(no ManagedClusters on the hub yet)"),
                "ocm-lab: image cache: off",
            ]);
            expect(said.errors).toEqual([
                "ocm-lab: not ready: spoke1: no ManagedCluster on the hub; next: kubectl --context kind-hub get managedclusters,csr",
            ]);
            said.clear();
            fake.deleteClusterByHand("hub");
            expect(exitCode(() => status("kind", outputs, fake.env()))).toBe(1);
            expect(said.logs).toEqual([]);
            expect(said.errors).toEqual([
                expect.stringMatching(
                    /^ocm-lab: status could not read managedclusters from the hub:\nUnable to connect to the server: dial tcp 127\.0\.0\.1:\d+: connect: connection refused\nnext: npm run pulumi -- stack output hubKubeconfig --show-secrets -s kind > hub\.kubeconfig && kubectl --kubeconfig hub\.kubeconfig get managedclusters$/,
                ),
            ]);
            expect(fs.readdirSync(fake.tmp)).toEqual([]);
        } finally {
            said.restore();
            process.env.TMPDIR = tmp;
        }
    });
});

describe("the run record's summary", () => {
    const t0 = Date.UTC(2026, 0, 1);
    const step = (name: string, script: string, from: number, to: number, exit = 0) => ({
        step: name,
        script,
        start: t0 + from * 1000,
        end: t0 + to * 1000,
        exit,
    });
    const record: RunRecord = {
        stack: "kind",
        command: "up",
        started: t0,
        ended: t0 + 95_000,
        steps: [
            step("hub-cluster", "create-cluster.sh", 0, 40),
            step("spoke1-cluster", "create-cluster.sh", 0, 45),
            step("spoke2-cluster", "create-cluster.sh", 1, 44),
            step("hub-kubeconfig", "kubeconfig.sh", 40, 41),
            step("spoke2-kubeconfig", "kubeconfig.sh", 44, 45),
            step("spoke1-kubeconfig", "kubeconfig.sh", 45, 46),
            step("hub-init", "init-hub.sh", 41, 60),
            step("spoke1-join", "join.sh", 60, 70),
            step("spoke2-join", "join.sh", 60, 95, 1), // failed, and ended last
            step("spoke1-accept", "accept.sh", 70, 72),
            step("spoke1-available", "wait-available.sh", 72, 80),
        ],
    };
    const dependsOn = {
        "hub-kubeconfig": ["hub-cluster"],
        "spoke1-kubeconfig": ["spoke1-cluster"],
        "spoke2-kubeconfig": ["spoke2-cluster"],
        "hub-init": ["hub-kubeconfig"],
        "spoke1-join": ["spoke1-kubeconfig", "hub-init"],
        "spoke2-join": ["spoke2-kubeconfig", "hub-init"],
        "spoke1-accept": ["spoke1-join", "hub-init"],
        "spoke1-available": ["spoke1-accept"],
    };

    it("follows the chain back from the last step that succeeded, each time through the dependency that ended last", () => {
        const summary = summariseRun(record, dependsOn);
        expect(summary.criticalPath.map((s) => s.step)).toEqual([
            "hub-cluster",
            "hub-kubeconfig",
            "hub-init",
            "spoke1-join",
            "spoke1-accept",
            "spoke1-available",
        ]);
        expect(summary).toMatchObject({
            totalSeconds: 95,
            slowest: { step: "spoke1-cluster" },
            availableAfter: { spoke1: 80 },
            maxConcurrentSteps: 3,
        });
        // a run that resumed: the first step whose dependencies did not run this time starts the chain
        const resumed = { ...record, steps: record.steps.filter((s) => /^spoke1-(accept|available)$/.test(s.step)) };
        expect(summariseRun(resumed, dependsOn).criticalPath.map((s) => s.step)).toEqual([
            "spoke1-accept",
            "spoke1-available",
        ]);
    });

    it("prints the summary an up ends with, and one for a run in which no step ran", () => {
        expect(
            renderRunSummary({ ...record, maxConcurrentOperations: 5 }, dependsOn, ".ocm-lab/kind/runs/r.json"),
        ).toBe(
            [
                "up took 1m35s; 11 step(s) ran, failed: spoke2-join",
                "  at most 3 step(s) at once (the engine: 5 resource operation(s))",
                "  critical path as taken: hub-cluster 40.0s → hub-kubeconfig 1.0s → hub-init 19.0s → " +
                    "spoke1-join 10.0s → spoke1-accept 2.0s → spoke1-available 8.0s",
                "  slowest step: spoke1-cluster 45.0s",
                "  time to Available: spoke1 1m20s",
                "  run record: .ocm-lab/kind/runs/r.json",
            ].join("\n"),
        );
        expect(renderRunSummary({ ...record, steps: [] }, {}, "r.json")).toBe(
            [
                "up took 1m35s; 0 step(s) ran",
                "  at most 0 step(s) at once",
                "  critical path as taken: (no step ran)",
                "  run record: r.json",
            ].join("\n"),
        );
    });

    it("finds the steps each step waits for through components, providers and other resources", () => {
        const urn = (type: string, name: string) => `urn:pulumi:kind::ocm-lab::${type}::${name}`;
        const command = "command:local:Command";
        const provider = urn("pulumi:providers:kubernetes", "hub-k8s");
        const resources: StateResource[] = [
            { urn: urn(command, "hub-kubeconfig"), type: command },
            { urn: urn(command, "spoke1-cluster"), type: command },
            { urn: provider, type: "pulumi:providers:kubernetes", dependencies: [urn(command, "hub-kubeconfig")] },
            {
                urn: urn("kubernetes:helm.sh/v3:Release", "argocd-release"),
                type: "kubernetes:helm.sh/v3:Release",
                provider: `${provider}::6f1c-id`,
            },
            {
                urn: urn("ocm-lab:index:SpokeCluster", "spoke1"),
                type: "ocm-lab:index:SpokeCluster",
                dependencies: [urn(command, "spoke1-cluster")],
            },
            {
                urn: urn(command, "argocd-gitops-ready"),
                type: command,
                dependencies: [
                    urn("kubernetes:helm.sh/v3:Release", "argocd-release"),
                    urn("ocm-lab:index:SpokeCluster", "spoke1"),
                ],
            },
        ];
        expect(stepDependencies(resources)).toEqual({
            "hub-kubeconfig": [],
            "spoke1-cluster": [],
            "argocd-gitops-ready": ["hub-kubeconfig", "spoke1-cluster"],
        });
    });
});
