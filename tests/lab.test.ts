/**
 * The front door's decisions: where state and secrets go without a prompt, which config the
 * preflight reads, what it reports (one line each, with the fix), and the status table.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { labConfigFrom, labEnvironment, run } from "../cli/lab";
import { ownedClusterNames, ownsDockerObject, ownsNetwork, PreflightFacts, preflightProblems } from "../cli/preflight";
import { clustersLine, renderTable, StatusRow, statusProblems, statusRows } from "../cli/status";
import { cacheStatusLines, DockerRun, existingCacheVolumes, keptCacheMessage, purgeCache } from "../cli/imageCache";

const made: string[] = [];
const temp = () => {
    made.push(fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-front-")));
    return made[made.length - 1];
};
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

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
