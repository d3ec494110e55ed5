/**
 * Graph tests: the real program under mocks, for both stacks. They read the dependency URNs the
 * SDK sends with each registration, so they fail if an edge the OCM handshake needs goes missing
 * or an edge that would serialise the spokes appears.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { commands, failedRun, longestChain, names, resource, upstream, waitsFor } from "./harness/graph";
import { isSecretValue, ProgramRun, reveal, runProgram, stackConfig } from "./harness/program";
import { labShapes, requirementsOf, StepEnvironment, stepEnvironments, stepScripts } from "./harness/stepEnvironments";
import { labSettings, parseLabConfig, RawLabConfig } from "../config";
import { serverOf } from "../runtimes/kubeconfig";
import { grpcNodePort } from "../runtimes/runtime";
import { versions } from "../versions";

const stacks = ["kind", "k3d"] as const;

describe.each(stacks)("the %s stack", (stack) => {
    let run: ProgramRun;
    beforeAll(async () => {
        run = await runProgram({ stack });
    });

    it("creates the default lab: hub plus spoke1 and spoke2, each in its own component", () => {
        const components = run.resources.filter((r) => r.type.startsWith("ocm-lab:index:"));
        expect(components.map((c) => `${c.type.replace("ocm-lab:index:", "")}/${c.name}`).sort()).toEqual([
            "ArgoAgentAddon/argocd",
            "ClusterRegistration/spoke1",
            "ClusterRegistration/spoke2",
            "HubCluster/hub",
            "ImageCache/image-cache",
            "SpokeCluster/spoke1",
            "SpokeCluster/spoke2",
        ]);
        for (const name of [
            "hub-cluster",
            "spoke1-cluster",
            "spoke2-cluster",
            "hub-init",
            "spoke1-join",
            "spoke2-accept",
        ]) {
            expect(resource(run, name).parent).toMatch(/ocm-lab:index:/);
        }
    });

    it("gives every kubernetes provider its cluster's credentials as private files, never inline", () => {
        // the provider leaves a copy of its kubeconfig in TMPDIR at every run (runtimes/kubeconfig.ts)
        const providers = run.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
        expect(providers.map((p) => p.name).sort()).toEqual(
            ["argocd-project-provider", "hub-provider", "spoke1-provider", "spoke2-provider"].sort(),
        );
        for (const provider of providers) {
            expect(isSecretValue(provider.inputs.kubeconfig)).toBe(true);
            const kubeconfig: string = reveal(provider.inputs.kubeconfig);
            expect(`${provider.name}: ${kubeconfig}`).not.toMatch(/client-(key|certificate)-data|\btoken:/);
            const cluster =
                provider.name === "argocd-project-provider" ? "hub" : provider.name.replace(/-provider$/, "");
            const keyFile = /^\s*client-key:\s*(\S+)$/m.exec(kubeconfig)?.[1] ?? "";
            expect(keyFile).toBe(
                path.join(process.env.OCM_LAB_LOCAL_DIR!, stack, "credentials", cluster, "client.key"),
            );
            // the key the cluster's kubeconfig step printed (tests/harness/program.ts fakeKubeconfig)
            expect(fs.readFileSync(keyFile, "utf8")).toBe(`KEY-of-${cluster}`);
            expect(kubeconfig).toContain(`client-certificate: ${path.join(path.dirname(keyFile), "client.crt")}`);
            expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
            expect(fs.statSync(path.dirname(keyFile)).mode & 0o777).toBe(0o700);
        }
    });

    it("creates hub and spokes in parallel: no cluster waits for another", () => {
        for (const a of ["hub", "spoke1", "spoke2"]) {
            for (const b of ["hub", "spoke1", "spoke2"]) {
                if (a !== b) {
                    expect(waitsFor(run, `${a}-cluster`, `${b}-cluster`)).toBe(false);
                }
            }
        }
    });

    it("runs clusteradm init only after the hub exists", () => {
        expect(waitsFor(run, "hub-init", "hub-cluster")).toBe(true);
        expect(waitsFor(run, "hub-init", "spoke1-cluster")).toBe(false);
    });

    it("joins each spoke (minting its token) only after init and its own cluster", () => {
        for (const spoke of ["spoke1", "spoke2"]) {
            expect(waitsFor(run, `${spoke}-join`, "hub-init")).toBe(true);
            expect(waitsFor(run, `${spoke}-join`, `${spoke}-cluster`)).toBe(true);
            expect(waitsFor(run, `${spoke}-accept`, `${spoke}-join`)).toBe(true);
            expect(waitsFor(run, `${spoke}-available`, `${spoke}-accept`)).toBe(true);
        }
    });

    it("keeps the spokes' registrations independent of each other", () => {
        const registrationSteps = (spoke: string) =>
            commands(run).filter((c) => c.name.startsWith(`${spoke}-`) && !c.parent.includes("ArgoAgentAddon"));
        const spoke1Steps = registrationSteps("spoke1");
        const spoke2Steps = new Set(registrationSteps("spoke2").map((c) => c.urn));
        expect(spoke1Steps.length).toBeGreaterThanOrEqual(5); // cluster, kubeconfig, join, accept, available
        for (const step of spoke1Steps) {
            expect([...upstream(run, step)].filter((urn) => spoke2Steps.has(urn))).toEqual([]);
        }
    });

    it("keeps kubeconfigs secret and out of the logs", () => {
        for (const name of ["hub-kubeconfig", "spoke1-kubeconfig", "spoke2-kubeconfig"]) {
            const step = resource(run, name);
            expect(step.additionalSecretOutputs).toEqual(["stdout"]);
            expect(step.inputs.logging).toBe("stderr");
            expect(step.inputs.addPreviousOutputInEnv).toBe(false);
        }
        expect(isSecretValue(resource(run, "spoke1-join").inputs.environment)).toBe(true);
        expect(isSecretValue(resource(run, "hub-init").inputs.environment)).toBe(true);
        expect(run.secretOutputs).toContain("hubKubeconfig");
    });

    it("keeps join tokens out of Pulumi altogether: no token step, no token in join's inputs", () => {
        expect(commands(run).filter((c) => /token/.test(c.name))).toEqual([]);
        const env = reveal(resource(run, "spoke1-join").inputs.environment);
        expect(Object.keys(env).filter((k) => /TOKEN/.test(k))).toEqual([]);
        // join reaches the hub itself to mint one, with the hub's kubeconfig
        expect(env.HUB_KUBECONFIG).toContain("client-key-data");
        expect(isSecretValue(resource(run, "spoke1-join").inputs.environment)).toBe(true);
    });

    it("passes the join step the hub CA, the host's hub address and the address spokes reach", () => {
        const env = resource(run, "spoke1-join").inputs.environment.value;
        expect(env.HUB_CA_PEM).toContain("CA of hub");
        expect(env.HUB_API_SERVER).toBe("https://127.0.0.1:6443");
        expect(env.HUB_API_SERVER_INTERNAL).toBe(
            stack === "kind" ? "https://hub-control-plane:6443" : "https://k3d-hub-server-0:6443",
        );
        expect(env.BUNDLE_VERSION).toBe("1.3.1");
    });

    it("recreates a cluster (delete first: the name is a singleton) when its node image changes", () => {
        for (const cluster of ["hub-cluster", "spoke1-cluster"]) {
            const r = resource(run, cluster);
            expect(r.deleteBeforeReplace).toBe(true);
            expect(r.inputs.triggers).toContain(stack === "kind" ? "kindest/node:v1.31.0" : "rancher/k3s:v1.33.6-k3s1");
            expect(r.inputs.delete).toBe(`scripts/${stack}/delete-cluster.sh`);
        }
    });

    it("removes the ManagedCluster from the hub when a registration is deleted, unless the hub goes too", () => {
        expect(resource(run, "spoke1-accept").inputs.delete).toBe("scripts/remove-managed-cluster.sh");
        expect(resource(run, "spoke1-accept").deletedWith).toBe(resource(run, "hub-cluster").urn);
    });

    it("exports runtime, names, kubectl contexts and the commands that export them", () => {
        expect(run.outputs.runtimeName).toBe(stack);
        expect(run.outputs.hubName).toBe("hub");
        expect(run.outputs.spokeNames).toEqual(["spoke1", "spoke2"]);
        expect(run.outputs.contexts).toEqual({
            hub: `${stack}-hub`,
            spoke1: `${stack}-spoke1`,
            spoke2: `${stack}-spoke2`,
        });
        expect(Object.keys(run.outputs.exportKubeconfigCommands as object)).toEqual(["hub", "spoke1", "spoke2"]);
        expect(run.outputs.hubKubeconfig).toContain("certificate-authority-data");
    });
});

describe("what differs between the runtimes", () => {
    it.each(stacks)("%s: two stacks on one machine get two networks", async (runtime) => {
        const other = await runProgram({ config: { runtime } }); // the harness names this stack "test"
        expect(resource(other, "ocm-lab", "docker:index/network:Network").inputs.name).toBe("ocm-lab-test");
    });

    it("kind: the lab's network instead of kind's shared one, no hub preparation, kind's CLI", async () => {
        const run = await runProgram({ stack: "kind" });
        const network = resource(run, "ocm-lab", "docker:index/network:Network");
        expect(network.inputs.name).toBe("ocm-lab-kind");
        for (const cluster of ["hub-cluster", "spoke1-cluster", "spoke2-cluster"]) {
            expect(upstream(run, resource(run, cluster))).toContain(network.urn);
            expect(resource(run, cluster).inputs.environment.NETWORK_NAME).toBe("ocm-lab-kind");
        }
        expect(names(run)).not.toContain("hub-cluster-info");
        expect(resource(run, "hub-cluster").inputs.create).toBe("scripts/kind/create-cluster.sh");
        expect(resource(run, "hub-kubeconfig").inputs.create).toBe("scripts/kind/kubeconfig.sh");
    });

    it("k3d: one docker network that every cluster waits for, and cluster-info written before init", async () => {
        const run = await runProgram({ stack: "k3d" });
        const network = resource(run, "ocm-lab", "docker:index/network:Network");
        expect(network.inputs.name).toBe("ocm-lab-k3d"); // the stack's own: two labs never share one
        expect(network.deleteBeforeReplace).toBe(true);
        for (const cluster of ["hub-cluster", "spoke1-cluster", "spoke2-cluster"]) {
            expect(upstream(run, resource(run, cluster))).toContain(network.urn);
            expect(resource(run, cluster).inputs.environment.NETWORK_NAME).toBe("ocm-lab-k3d");
        }
        expect(waitsFor(run, "hub-init", "hub-cluster-info")).toBe(true);
        expect(resource(run, "hub-cluster-info").inputs.environment.value.HUB_API_SERVER_INTERNAL).toBe(
            "https://k3d-hub-server-0:6443",
        );
        expect(resource(run, "hub-cluster").inputs.create).toBe("scripts/k3d/create-cluster.sh");
    });
});

describe("how the graph grows with the number of spokes", () => {
    it.each(stacks)("%s: the longest chain of steps is the same for 1, 5 and 10 spokes", async (stack) => {
        const chain = async (count: number, argocd: boolean) => {
            const spokes = Array.from({ length: count }, (_, i) => `spoke${i + 1}`);
            const run = await runProgram({ stack, config: { spokes, argocd: { enabled: argocd }, smokeWork: false } });
            expect(commands(run).filter((c) => c.name.endsWith("-available"))).toHaveLength(argocd ? 3 * count : count);
            return longestChain(run);
        };
        // network, registry image and cache volumes in parallel → mirror containers → cluster → kubeconfig
        // → (cluster-info, k3d only) → init → join (token inside) → accept → available
        const registration = stack === "kind" ? 8 : 9;
        // → release → gitops-ready → default-project → ApplicationSet → guestbook-available
        const withArgo = registration + 5;
        for (const count of [1, 5, 10]) {
            expect(await chain(count, false)).toBe(registration);
            expect(await chain(count, true)).toBe(withArgo);
        }
        // the smoke work (→ ManifestWork → its wait) runs beside the add-on, not before it
        const smokeOnly = await runProgram({ stack, config: { argocd: { enabled: false } } });
        expect(longestChain(smokeOnly)).toBe(registration + 2);
        expect(longestChain(await runProgram({ stack }))).toBe(withArgo);
        // without the image cache, clusters follow the network alone
        const uncached = await runProgram({
            stack,
            config: { imageCache: false, argocd: { enabled: false }, smokeWork: false },
        });
        expect(longestChain(uncached)).toBe(registration - 1);
    });

    it.each(stacks)("%s: adding a spoke adds only that spoke's resources and changes no other input", async (stack) => {
        const before = await runProgram({ stack, config: { spokes: ["spoke1", "spoke2"] } });
        const after = await runProgram({ stack, config: { spokes: ["spoke1", "spoke2", "spoke3"] } });
        const beforeByUrn = new Map(before.resources.map((r) => [r.urn, r]));
        const added = after.resources.filter((r) => !beforeByUrn.has(r.urn));
        expect(added.map((r) => r.name).sort()).toEqual(
            [
                "spoke3",
                "spoke3",
                "spoke3-accept",
                "spoke3-available",
                "spoke3-cluster",
                "spoke3-join",
                "spoke3-kubeconfig",
                "spoke3-provider",
                "spoke3-addon-available",
                "spoke3-guestbook-available",
                "spoke3-smoke-work",
                "spoke3-smoke-ready",
            ].sort(),
        );
        for (const r of after.resources.filter((x) => beforeByUrn.has(x.urn))) {
            expect({ urn: r.urn, inputs: r.inputs }).toEqual({ urn: r.urn, inputs: beforeByUrn.get(r.urn)!.inputs });
        }
    });
});

describe("the image cache", () => {
    const registries = ["docker.io", "quay.io", "ghcr.io", "registry.k8s.io", "public.ecr.aws", "gcr.io"];

    it.each(stacks)(
        "%s: one mirror per registry, on the lab network only, running before any cluster",
        async (stack) => {
            const run = await runProgram({ stack });
            const network = resource(run, "ocm-lab", "docker:index/network:Network");
            const image = resource(run, "registry-image", "docker:index/remoteImage:RemoteImage");
            expect(image.inputs).toEqual({ name: versions.registryMirror, keepLocally: true });
            for (const registry of registries) {
                const mirror = resource(run, `mirror-${registry}`, "docker:index/container:Container");
                const volume = resource(run, `cache-${registry}`, "docker:index/volume:Volume");
                expect(mirror.inputs.name).toBe(`ocm-lab-${stack}-mirror-${registry.replace(/\./g, "-")}`);
                expect(mirror.inputs.networksAdvanced).toEqual([{ name: network.inputs.name }]);
                expect(mirror.inputs.ports).toBeUndefined(); // nothing published on the host
                expect(mirror.inputs.envs).toContain("REGISTRY_PROXY_TTL=0");
                expect(mirror.inputs.volumes).toEqual([
                    { volumeName: volume.inputs.name, containerPath: "/var/lib/registry" },
                ]);
                expect([...upstream(run, mirror)]).toEqual(
                    expect.arrayContaining([network.urn, volume.urn, image.urn]),
                );
                for (const cluster of ["hub-cluster", "spoke1-cluster", "spoke2-cluster"]) {
                    expect(upstream(run, resource(run, cluster))).toContain(mirror.urn);
                }
            }
            const upstreams = registries.map(
                (r) => resource(run, `mirror-${r}`, "docker:index/container:Container").inputs.envs[0],
            );
            expect(upstreams).toEqual([
                "REGISTRY_PROXY_REMOTEURL=https://registry-1.docker.io",
                "REGISTRY_PROXY_REMOTEURL=https://quay.io",
                "REGISTRY_PROXY_REMOTEURL=https://ghcr.io",
                "REGISTRY_PROXY_REMOTEURL=https://registry.k8s.io",
                "REGISTRY_PROXY_REMOTEURL=https://public.ecr.aws",
                "REGISTRY_PROXY_REMOTEURL=https://gcr.io",
            ]);
        },
    );

    it("keeps the cache volumes on delete and shares them between stacks; containers are each lab's own", async () => {
        const kind = await runProgram({ stack: "kind" });
        const k3d = await runProgram({ stack: "k3d" });
        for (const registry of registries) {
            const volumes = [kind, k3d].map((run) => resource(run, `cache-${registry}`, "docker:index/volume:Volume"));
            expect(volumes.map((v) => v.retainOnDelete)).toEqual([true, true]);
            expect(volumes[0].inputs.name).toBe(volumes[1].inputs.name);
            const containers = [kind, k3d].map(
                (run) => resource(run, `mirror-${registry}`, "docker:index/container:Container").inputs.name,
            );
            expect(containers[0]).not.toBe(containers[1]);
        }
    });

    it.each(stacks)(
        "%s: every cluster's runtime is told about every mirror, and nothing with imageCache off",
        async (stack) => {
            const run = await runProgram({ stack });
            const variable = stack === "kind" ? "KIND_CONFIG" : "REGISTRY_CONFIG";
            for (const cluster of ["hub-cluster", "spoke1-cluster", "spoke2-cluster"]) {
                const config: string = resource(run, cluster).inputs.environment[variable];
                for (const registry of registries) {
                    const host = `ocm-lab-${stack}-mirror-${registry.replace(/\./g, "-")}`;
                    expect(config).toContain(`"http://${host}:5000"`);
                }
                // the config is in the cluster's triggers: a new mirror list makes a new cluster
                expect(resource(run, cluster).inputs.triggers).toContain(config);
            }
            const off = await runProgram({ stack, config: { imageCache: false } });
            expect(
                off.resources.filter((r) => r.type !== "docker:index/network:Network" && r.type.startsWith("docker:")),
            ).toEqual([]);
            expect(names(off)).not.toContain("image-cache");
            expect(resource(off, "hub-cluster").inputs.environment[variable]).toBe("");
        },
    );
});

describe("the smoke ManifestWork", () => {
    it.each(stacks)(
        "%s: one per spoke, on the hub once the spoke is Available, then a wait for its Pod",
        async (stack) => {
            const run = await runProgram({ stack });
            for (const spoke of ["spoke1", "spoke2"]) {
                const work = resource(
                    run,
                    `${spoke}-smoke-work`,
                    "kubernetes:work.open-cluster-management.io/v1:ManifestWork",
                );
                expect(work.inputs.metadata).toMatchObject({ name: "ocm-lab-smoke", namespace: spoke });
                expect(work.provider).toContain("hub-provider");
                expect(work.dependencies).toContain(resource(run, `${spoke}-available`).urn);
                // removing the spoke deletes the work before the ManagedCluster (accept's delete) goes
                expect(upstream(run, work)).toContain(resource(run, `${spoke}-accept`).urn);
                expect(work.deletedWith).toBe(resource(run, "hub-cluster").urn);
                const ready = resource(run, `${spoke}-smoke-ready`);
                expect(ready.dependencies).toContain(work.urn);
                expect(ready.inputs.create).toBe("scripts/wait-smoke-work.sh");
            }
            expect(run.outputs.smokeWork).toBe(true);
        },
    );

    it("is left out entirely with smokeWork false", async () => {
        const run = await runProgram({ stack: "kind", config: { smokeWork: false } });
        expect(names(run).filter((n) => n.includes("smoke"))).toEqual([]);
        expect(run.outputs.smokeWork).toBe(false);
    });
});

describe("a self-managed hub", () => {
    it.each(stacks)(
        "%s: local-cluster joins from the hub's own context after init, and the add-on waits for its taint",
        async (stack) => {
            const run = await runProgram({ stack, config: { hubSelfManaged: true } });
            const hubContext = (run.outputs.contexts as Record<string, string>).hub;
            const join = resource(run, "local-cluster-join");
            expect(join.inputs.create).toBe("scripts/join.sh");
            expect(reveal(join.inputs.environment)).toMatchObject({
                SPOKE_NAME: "local-cluster",
                SPOKE_CONTEXT: hubContext,
                HUB_CONTEXT: hubContext,
            });
            expect(reveal(join.inputs.environment).SPOKE_KUBECONFIG).toBe(
                reveal(join.inputs.environment).HUB_KUBECONFIG,
            );
            expect(waitsFor(run, "local-cluster-join", "hub-init")).toBe(true);
            // no spoke waits for the hub's own registration, nor it for theirs
            for (const spoke of ["spoke1", "spoke2"]) {
                expect(waitsFor(run, "local-cluster-available", `${spoke}-join`)).toBe(false);
                expect(waitsFor(run, `${spoke}-available`, "local-cluster-join")).toBe(false);
            }
            const taint = resource(run, "local-cluster-no-select-taint");
            expect(taint.inputs.create).toBe("scripts/taint-managed-cluster.sh");
            expect(reveal(taint.inputs.environment).TAINT_KEY).toBe("ocm-lab/self-managed-hub");
            expect(taint.dependencies).toContain(resource(run, "local-cluster-accept").urn);
            // the chart's Placement must never see local-cluster untainted
            expect(waitsFor(run, "argocd-release", "local-cluster-no-select-taint")).toBe(true);
            // removing the registration unjoins the klusterlet the hub keeps running; spokes go with their cluster
            const accept = resource(run, "local-cluster-accept");
            expect(accept.inputs.delete).toBe("scripts/remove-managed-cluster.sh");
            expect(reveal(accept.inputs.environment)).toMatchObject({ KLUSTERLET_CONTEXT: hubContext });
            expect(isSecretValue(accept.inputs.environment)).toBe(true); // the hub kubeconfig twice, secret as a whole
            expect(reveal(resource(run, "spoke1-accept").inputs.environment).KLUSTERLET_KUBECONFIG).toBeUndefined();
            expect(
                resource(run, "local-cluster-smoke-work", "kubernetes:work.open-cluster-management.io/v1:ManifestWork")
                    .inputs.metadata.namespace,
            ).toBe("local-cluster");
            expect(run.outputs.selfManagedCluster).toBe("local-cluster");
            expect(run.outputs.spokeNames).toEqual(["spoke1", "spoke2"]);
        },
    );

    it("is left out entirely by default", async () => {
        const run = await runProgram({ stack: "kind" });
        expect(names(run).filter((n) => n.startsWith("local-cluster"))).toEqual([]);
        expect(run.outputs.selfManagedCluster).toBeNull();
    });
});

describe("klusterlet modes", () => {
    it.each(stacks)(
        "%s: singleton adds the flag, hosted joins on the hub with the spoke's in-network kubeconfig and unjoins there",
        async (stack) => {
            const run = await runProgram({
                stack,
                config: {
                    spokes: ["spoke1", "spoke2", "spoke3"],
                    klusterletModes: { spoke2: "singleton", spoke3: "hosted" },
                },
            });
            const contexts = run.outputs.contexts as Record<string, string>;
            const join = (spoke: string) => resource(run, `${spoke}-join`);
            const env = (spoke: string) => reveal(join(spoke).inputs.environment);
            expect(["spoke1", "spoke2", "spoke3"].map((s) => env(s).KLUSTERLET_MODE)).toEqual([
                "default",
                "singleton",
                "hosted",
            ]);
            // the default spoke's join is as it always was: no triggers, no delete
            expect(join("spoke1").inputs.triggers).toBeUndefined();
            expect(join("spoke1").inputs.delete).toBeUndefined();
            expect(env("spoke1").KLUSTERLET_KUBECONFIG).toBeUndefined();
            // hosted: the klusterlet's cluster is the hub; the spoke is reached by its in-network address
            expect(env("spoke3")).toMatchObject({ KLUSTERLET_CONTEXT: contexts.hub });
            expect(env("spoke3").KLUSTERLET_KUBECONFIG).toBe(env("spoke3").HUB_KUBECONFIG);
            const internal =
                stack === "kind" ? "https://spoke3-control-plane:6443" : "https://k3d-spoke3-server-0:6443";
            expect(serverOf(env("spoke3").SPOKE_INTERNAL_KUBECONFIG, "spoke3")).toBe(internal);
            expect(isSecretValue(join("spoke3").inputs.environment)).toBe(true);
            expect(join("spoke3").inputs.delete).toBe("scripts/unjoin.sh");
            // removed, it is unjoined before its ManagedCluster goes (it would register spoke3 again)
            expect(reveal(resource(run, "spoke3-accept").inputs.environment)).toMatchObject({
                KLUSTERLET_MODE: "hosted",
                KLUSTERLET_CONTEXT: contexts.hub,
            });
            expect(reveal(resource(run, "spoke2-accept").inputs.environment).KLUSTERLET_KUBECONFIG).toBeUndefined();
            expect(join("spoke3").deletedWith).toBe(resource(run, "hub-cluster").urn);
            // a mode is part of how a non-default spoke is made: a new one replaces join and cluster
            expect(join("spoke2").inputs.triggers).toEqual(["singleton"]);
            // hosted: and the spoke's cluster, so the engine unjoins before it deletes a rebuilt spoke
            expect(join("spoke3").inputs.triggers).toEqual(["hosted", "spoke3-cluster-id"]);
            const triggers = (spoke: string) => resource(run, `${spoke}-cluster`).inputs.triggers as string[];
            expect(triggers("spoke3")).toContain("klusterlet-mode=hosted");
            expect(triggers("spoke1").filter((t) => String(t).startsWith("klusterlet-mode"))).toEqual([]);
            expect(triggers("spoke1")).toEqual(resource(run, "hub-cluster").inputs.triggers);
            expect(run.outputs.klusterletModes).toEqual({ spoke1: "default", spoke2: "singleton", spoke3: "hosted" });
        },
    );

    it("applies the lab-wide mode to every spoke, and an entry of klusterletModes over it", async () => {
        const run = await runProgram({
            stack: "kind",
            config: { klusterletMode: "singleton", klusterletModes: { spoke2: "default" } },
        });
        expect(run.outputs.klusterletModes).toEqual({ spoke1: "singleton", spoke2: "default" });
    });
});

describe("gRPC registration", () => {
    it.each(stacks)(
        "%s: a gRPC spoke turns the hub's gRPC server on, proves it reaches it, and joins through it; a csr spoke is as it was",
        async (stack) => {
            const csrOnly = await runProgram({ stack });
            const run = await runProgram({ stack, config: { registrations: { spoke2: "grpc" } } });
            const env = (r: ProgramRun, name: string) => reveal(resource(r, name).inputs.environment);
            const node = stack === "kind" ? "hub-control-plane" : "k3d-hub-server-0";
            const address = `${node}:${grpcNodePort}`;
            expect(env(run, "hub-init")).toMatchObject({
                GRPC_SERVER_HOST: node,
                GRPC_NODE_PORT: String(grpcNodePort),
            });
            expect(env(run, "spoke2-join")).toMatchObject({ REGISTRATION_AUTH: "grpc", GRPC_SERVER: address });
            // the csr spoke's steps, and a lab without a gRPC spoke, keep the inputs they had
            for (const name of ["spoke1-join", "spoke1-accept", "spoke1-available", "spoke1-cluster"]) {
                expect(resource(run, name).inputs).toEqual(resource(csrOnly, name).inputs);
            }
            expect(Object.keys(env(csrOnly, "hub-init")).filter((k) => k.startsWith("GRPC"))).toEqual([]);
            expect(names(run).filter((n) => n.endsWith("-hub-reachable"))).toEqual(["spoke2-hub-reachable"]);
            expect(env(run, "spoke2-hub-reachable")).toMatchObject({ GRPC_SERVER: address });
            expect(env(run, "spoke2-hub-reachable").HUB_API_SERVER_INTERNAL).toBeUndefined();
            expect(waitsFor(run, "spoke2-hub-reachable", "hub-init")).toBe(true);
            expect(waitsFor(run, "spoke2-join", "spoke2-hub-reachable")).toBe(true);
            // a new driver makes the spoke anew, as a new mode does, and so does a new address of the
            // gRPC server (a new grpcNodePort), which a registered klusterlet would not move to
            const triggers = (name: string) => resource(run, `${name}-cluster`).inputs.triggers as string[];
            expect(triggers("spoke2")).toContain("registration=grpc");
            expect(triggers("spoke2")).toContain(`grpc-server=${address}`);
            expect(run.outputs.registrationDrivers).toEqual({ spoke1: "csr", spoke2: "grpc" });
            expect(run.outputs.hubGrpcServer).toBe(address);
            expect(csrOnly.outputs.hubGrpcServer).toBeNull();
        },
    );

    it("serves kind's and k3d's gRPC server at a NodePort of the static band, which no random NodePort takes first", () => {
        // KEP-3668 (kubernetes/enhancements keps/sig-network/3668-reserved-service-nodeport-range):
        // the first min(max(16, size / 32), 128) ports of the range are handed out at random only once
        // the rest is full; with the default range 30000-32767 that is 30000-30085
        const [first, last] = [30000, 32767];
        const band = Math.min(Math.max(16, Math.floor((last - first + 1) / 32)), 128);
        expect(band).toBe(86);
        expect(grpcNodePort).toBeGreaterThanOrEqual(first);
        expect(grpcNodePort).toBeLessThan(first + band);
    });

    it("existing: a new ocm-lab:hubGrpcServer runs the join of each gRPC spoke again, which refuses a klusterlet registered at the old one", async () => {
        const config = (hubGrpcServer: string) => ({
            stack: "existing",
            config: { registrations: { spoke2: "grpc" }, hubGrpcServer },
        });
        const before = await runProgram(config("grpc.hub.example.internal:443"));
        const after = await runProgram(config("grpc.moved.example.internal:443"));
        const env = (r: ProgramRun, name: string) => reveal(resource(r, name).inputs.environment);
        // join.sh runs again with the new server (and fails before joining while the klusterlet holds
        // a certificate: tests/scripts.test.ts); the csr spoke's steps keep their inputs
        expect(env(before, "spoke2-join").GRPC_SERVER).toBe("grpc.hub.example.internal:443");
        expect(env(after, "spoke2-join").GRPC_SERVER).toBe("grpc.moved.example.internal:443");
        for (const name of ["spoke1-join", "spoke1-accept", "spoke1-connect"]) {
            expect(resource(after, name).inputs).toEqual(resource(before, name).inputs);
        }
    });

    it("existing: the address the user gives, probed with the API server's before the spoke joins", async () => {
        const run = await runProgram({
            stack: "existing",
            config: { registration: "grpc", hubGrpcServer: "grpc.hub.example.internal:443" },
        });
        const env = (name: string) => reveal(resource(run, name).inputs.environment);
        expect(env("hub-init").GRPC_SERVER_HOST).toBe("grpc.hub.example.internal");
        expect(env("hub-init").GRPC_NODE_PORT).toBeUndefined();
        expect(env("spoke1-join")).toMatchObject({
            REGISTRATION_AUTH: "grpc",
            GRPC_SERVER: "grpc.hub.example.internal:443",
        });
        expect(env("spoke1-hub-reachable")).toMatchObject({
            HUB_API_SERVER_INTERNAL: expect.stringMatching(/^https:/),
            GRPC_SERVER: "grpc.hub.example.internal:443",
        });
        expect(run.outputs.registrationDrivers).toEqual({ spoke1: "grpc", spoke2: "grpc" });
    });
});

describe("runtime existing: clusters the user already has", () => {
    const contexts = { hub: "hub-context", spoke1: "spoke1-context", spoke2: "spoke2-context" };
    let run: ProgramRun;
    beforeAll(async () => {
        run = await runProgram({ stack: "existing" });
    });

    it("makes no network, cache or cluster: one connect step per context, which deletes nothing", () => {
        expect(run.resources.filter((r) => r.type.startsWith("docker:"))).toEqual([]);
        expect(names(run).filter((n) => /-(cluster|kubeconfig)$/.test(n) || n === "image-cache")).toEqual([]);
        for (const [cluster, context] of Object.entries(contexts)) {
            const connect = resource(run, `${cluster}-connect`);
            expect(connect.inputs.create).toBe("scripts/existing/connect.sh");
            expect(connect.inputs.delete).toBeUndefined();
            expect(connect.inputs.environment).toMatchObject({ CLUSTER_NAME: cluster, CONTEXT: context });
            expect(connect.additionalSecretOutputs).toEqual(["stdout"]);
            // another context is another cluster: read anew, and what depends on it registered anew
            expect(connect.inputs.triggers).toEqual([context]);
        }
        // only the hub's server is handed to klusterlets, so only there is a loopback one refused
        expect(resource(run, "hub-connect").inputs.environment.HANDED_TO_SPOKES).toBe("true");
        expect(resource(run, "spoke1-connect").inputs.environment.HANDED_TO_SPOKES).toBeUndefined();
    });

    it("keeps the handshake's order and the spokes' independence", () => {
        for (const spoke of ["spoke1", "spoke2"]) {
            expect(waitsFor(run, "hub-init", "hub-connect")).toBe(true);
            expect(waitsFor(run, `${spoke}-join`, "hub-init")).toBe(true);
            expect(waitsFor(run, `${spoke}-join`, `${spoke}-connect`)).toBe(true);
            expect(waitsFor(run, `${spoke}-available`, `${spoke}-accept`)).toBe(true);
        }
        expect(waitsFor(run, "spoke1-join", "spoke2-connect")).toBe(false);
        expect(waitsFor(run, "hub-init", "spoke1-connect")).toBe(false);
    });

    it("has each spoke prove it reaches the hub address before it joins, beside init", () => {
        for (const spoke of ["spoke1", "spoke2"]) {
            const probe = resource(run, `${spoke}-hub-reachable`);
            expect(probe.inputs.create).toBe("scripts/hub-reachable.sh");
            expect(reveal(probe.inputs.environment)).toMatchObject({
                SPOKE_NAME: spoke,
                SPOKE_CONTEXT: `${spoke}-context`,
                HUB_API_SERVER_INTERNAL: "https://hub.lab.example:6443",
                PROBE_IMAGE: versions.smokeImage,
            });
            expect(waitsFor(run, `${spoke}-join`, `${spoke}-hub-reachable`)).toBe(true);
            expect(waitsFor(run, `${spoke}-hub-reachable`, "hub-init")).toBe(false);
        }
    });

    it("hands every klusterlet the hub's own server as it is, without the in-network lookup", () => {
        const env = reveal(resource(run, "spoke1-join").inputs.environment);
        expect(env.HUB_API_SERVER).toBe("https://hub.lab.example:6443");
        expect(env.HUB_API_SERVER_INTERNAL).toBe("https://hub.lab.example:6443");
        expect(env.FORCE_INTERNAL_ENDPOINT_LOOKUP).toBe("false");
        expect(env.SPOKE_CONTEXT).toBe("spoke1-context");
    });

    it("removes at destroy everything it put in the clusters, one by one, and never a cluster", () => {
        // nothing is skipped as "deleted with its cluster": the clusters stay
        expect(run.resources.filter((r) => r.deletedWith)).toEqual([]);
        expect(resource(run, "hub-init").inputs.delete).toBe("scripts/clean.sh");
        for (const spoke of ["spoke1", "spoke2"]) {
            const accept = resource(run, `${spoke}-accept`);
            expect(accept.inputs.delete).toBe("scripts/remove-managed-cluster.sh");
            // the spoke's own klusterlet is unjoined, operator and all, before its ManagedCluster goes
            expect(reveal(accept.inputs.environment)).toMatchObject({
                KLUSTERLET_CONTEXT: `${spoke}-context`,
                KLUSTERLET_MODE: "default",
                PURGE_OPERATOR: "true",
                LAB_OWNS_CLUSTERS: "false",
            });
            expect(reveal(accept.inputs.environment).KLUSTERLET_KUBECONFIG).toContain(`${spoke}.lab.example`);
            expect(isSecretValue(accept.inputs.environment)).toBe(true);
            // the hub is cleaned only after every registration is gone (they wait for init)
            expect(waitsFor(run, `${spoke}-accept`, "hub-init")).toBe(true);
        }
    });

    it("exports the user's contexts and how to switch to them", () => {
        expect(run.outputs.runtimeName).toBe("existing");
        expect(run.outputs.contexts).toEqual(contexts);
        expect(run.outputs.exportKubeconfigCommands).toEqual({
            hub: "kubectl config use-context hub-context",
            spoke1: "kubectl config use-context spoke1-context",
            spoke2: "kubectl config use-context spoke2-context",
        });
        expect(run.outputs.imageMirrors).toBeNull();
    });

    it("hands on ocm-lab:hubApiServer instead of the hub context's server when it is set", async () => {
        const given = await runProgram({
            stack: "existing",
            config: { hubApiServer: "https://10.0.0.5:6443", hubSelfManaged: true, klusterletMode: "singleton" },
        });
        expect(resource(given, "hub-connect").inputs.environment.HANDED_TO_SPOKES).toBeUndefined();
        for (const cluster of ["spoke1", "local-cluster"]) {
            const env = reveal(resource(given, `${cluster}-join`).inputs.environment);
            expect(env.HUB_API_SERVER).toBe("https://10.0.0.5:6443");
            expect(env.HUB_API_SERVER_INTERNAL).toBe("https://10.0.0.5:6443");
        }
        // the hub's own klusterlet is on the hub: nothing to probe
        expect(names(given)).not.toContain("local-cluster-hub-reachable");
        expect(reveal(resource(given, "spoke1-hub-reachable").inputs.environment).HUB_API_SERVER_INTERNAL).toBe(
            "https://10.0.0.5:6443",
        );
        // the hub's own klusterlet is unjoined from the hub; a spoke's singleton from the spoke
        expect(reveal(resource(given, "local-cluster-accept").inputs.environment)).toMatchObject({
            KLUSTERLET_CONTEXT: "hub-context",
            PURGE_OPERATOR: "true",
        });
        expect(reveal(resource(given, "spoke2-accept").inputs.environment)).toMatchObject({
            KLUSTERLET_CONTEXT: "spoke2-context",
            KLUSTERLET_MODE: "singleton",
        });
    });

    it.each(stacks)("leaves a %s lab's steps as they were: nothing of existing reaches them", async (stack) => {
        const own = await runProgram({ stack });
        expect(resource(own, "hub-init").inputs.delete).toBeUndefined();
        const accept = reveal(resource(own, "spoke1-accept").inputs.environment);
        expect(accept.LAB_OWNS_CLUSTERS).toBeUndefined();
        expect(accept.PURGE_OPERATOR).toBeUndefined();
        expect(accept.KLUSTERLET_KUBECONFIG).toBeUndefined();
        expect(reveal(resource(own, "spoke1-join").inputs.environment).FORCE_INTERNAL_ENDPOINT_LOOKUP).toBeUndefined();
        expect(names(own).filter((n) => n.endsWith("-hub-reachable") || n.endsWith("-connect"))).toEqual([]);
    });

    const badExisting: [string, Record<string, unknown>, RegExp][] = [
        [
            "no contexts at all",
            { contexts: undefined },
            /ocm-lab:contexts is not set; runtime existing needs a map of cluster name to kubectl context.*contexts\.hub/,
        ],
        [
            "a cluster without a context",
            { contexts: { hub: "h", spoke1: "s1" } },
            /ocm-lab:contexts has no entry for spoke2; next: pulumi config set --path 'ocm-lab:contexts\.spoke2' <kubectl context>/,
        ],
        [
            "a misspelled cluster name in contexts",
            { contexts: { hub: "h", spoke1: "s1", "spoke-2": "s2" } },
            /ocm-lab:contexts has no entry for spoke2 \(is ocm-lab:contexts\.spoke-2 meant for it\?\); next: pulumi config set --path 'ocm-lab:contexts\.spoke2'/,
        ],
        [
            "a context that is no name",
            { contexts: { hub: "h", spoke1: "s1", spoke2: "" } },
            /ocm-lab:contexts\.spoke2 is ""; it must be a kubectl context name/,
        ],
        [
            "two clusters on one context",
            { contexts: { hub: "h", spoke1: "same", spoke2: "same" } },
            /ocm-lab:contexts gives spoke1 and spoke2 the same context "same"; each cluster of the lab must be its own/,
        ],
        [
            "a hosted spoke",
            { klusterletModes: { spoke2: "hosted" } },
            /the klusterlet mode of spoke2 is hosted, which runtime existing does not offer.*klusterletModes\.spoke2' default/,
        ],
        [
            "a loopback hub address",
            { hubApiServer: "https://127.0.0.1:6443" },
            /ocm-lab:hubApiServer is https:\/\/127\.0\.0\.1:6443, a loopback address.*Next: pulumi config set ocm-lab:hubApiServer/,
        ],
        ["localhost as the hub address", { hubApiServer: "https://localhost:6443" }, /a loopback address/],
        [
            "a hub address that is no URL",
            { hubApiServer: "hub:6443" },
            /ocm-lab:hubApiServer is "hub:6443"; it must be the hub's API server URL/,
        ],
        [
            "a gRPC spoke without the address of the hub's gRPC server",
            { registrations: { spoke2: "grpc" } },
            /spoke2 register\(s\) with grpc, but ocm-lab:hubGrpcServer is not set.*Next: pulumi config set ocm-lab:hubGrpcServer/,
        ],
        [
            "a gRPC address with a scheme",
            { registrations: { spoke2: "grpc" }, hubGrpcServer: "https://grpc.hub.example:443" },
            /ocm-lab:hubGrpcServer is "https:\/\/grpc\.hub\.example:443"; it must be host:port, without a scheme/,
        ],
        [
            "a loopback gRPC address",
            { registrations: { spoke2: "grpc" }, hubGrpcServer: "127.0.0.1:30090" },
            /ocm-lab:hubGrpcServer is 127\.0\.0\.1:30090, a loopback address/,
        ],
    ];
    it.each(badExisting)("rejects %s before creating any resource", async (_, config, message) => {
        const raw = { ...config };
        const stackFile = stackConfig("existing");
        if ("contexts" in raw && raw.contexts === undefined) {
            delete raw.contexts;
            delete stackFile["ocm-lab:contexts"];
        }
        const { error, registered } = await failedRun({ config: { ...decoded(stackFile), ...raw } });
        expect(error.message).toMatch(message);
        expect(registered).toEqual([]);
    });

    it("keeps the context of a spoke dropped from the lab, without reading it", async () => {
        const fewer = await runProgram({ stack: "existing", config: { spokes: ["spoke1"] } });
        expect(fewer.outputs.contexts).toEqual({ hub: "hub-context", spoke1: "spoke1-context" });
        expect(names(fewer).filter((n) => n.startsWith("spoke2"))).toEqual([]);
    });

    it("refuses contexts and hubApiServer on a stack that makes its clusters", async () => {
        await expect(
            runProgram({ stack: "kind", config: { contexts: { hub: "x" }, hubApiServer: "https://hub.example:6443" } }),
        ).rejects.toThrow(
            /ocm-lab:contexts is set, but only runtime existing reads it \(this stack's runtime is "kind"\); next: pulumi config rm ocm-lab:contexts[\s\S]*ocm-lab:hubApiServer is set/,
        );
    });
});

/** A stack file's config as runProgram's `config` option takes it: keys without the namespace. */
function decoded(stackFile: Record<string, string>): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(stackFile).map(([key, value]) => {
            const name = key.replace(/^ocm-lab:/, "");
            try {
                return [name, JSON.parse(value)];
            } catch {
                return [name, value];
            }
        }),
    );
}

describe("configuration", () => {
    it("passes custom names, images, bundle version, QoS and timeouts down to the steps", async () => {
        const run = await runProgram({
            stack: "kind",
            config: {
                hubName: "central",
                spokes: ["edge-a"],
                kindNodeImage: "kindest/node:v1.30.4",
                clusteradmBundleVersion: "1.2.0",
                resourceQosClass: "ResourceRequirement",
                resourceLimits: { cpu: "800m", memory: "800Mi" },
                resourceRequests: { memory: "128Mi" },
                timeoutSeconds: 120,
            },
        });
        expect(resource(run, "central-cluster").inputs.environment).toMatchObject({
            CLUSTER_NAME: "central",
            NODE_IMAGE: "kindest/node:v1.30.4",
        });
        for (const step of ["central-init", "edge-a-join"]) {
            expect(resource(run, step).inputs.environment.value).toMatchObject({
                BUNDLE_VERSION: "1.2.0",
                QOS_CLASS: "ResourceRequirement",
                QOS_LIMITS: "cpu=800m,memory=800Mi",
                QOS_REQUESTS: "memory=128Mi",
            });
        }
        expect(resource(run, "edge-a-join").inputs.environment.value.HUB_API_SERVER_INTERNAL).toBe(
            "https://central-control-plane:6443",
        );
    });

    const badConfigs: [string, Record<string, unknown>, RegExp][] = [
        ["an unknown runtime", { runtime: "minikube" }, /ocm-lab:runtime is "minikube".*kind, k3d/],
        ["no runtime at all", { runtime: "" }, /ocm-lab:runtime is "".*pulumi up -s kind/],
        [
            "a hub name that is not a DNS-1123 label",
            { hubName: "Hub_1" },
            /ocm-lab:hubName is "Hub_1".*DNS-1123.*Example: hub/,
        ],
        [
            "a spoke name that is not a DNS-1123 label",
            { spokes: ["spoke1", "-bad"] },
            /ocm-lab:spokes\[1\] is "-bad".*Example: spoke2/,
        ],
        ["a name too long for the node's host name", { spokes: ["s".repeat(50)] }, /ocm-lab:spokes\[0\].*at most 49/],
        ["duplicate spoke names", { spokes: ["a", "b", "a"] }, /ocm-lab:spokes\[2\] is "a".*unique/],
        ["a spoke named like the hub", { spokes: ["hub"] }, /ocm-lab:spokes\[0\] is "hub".*same as ocm-lab:hubName/],
        ["an empty spoke list", { spokes: [] }, /ocm-lab:spokes is an empty list.*spokes\[0\]' spoke1/],
        ["spokes that is not a list", { spokes: "spoke1" }, /ocm-lab:spokes is "spoke1".*list/],
        ["a spoke named argocd", { spokes: ["argocd"] }, /ocm-lab:spokes\[0\] is "argocd".*add-on/],
        [
            "an unpinned node image",
            { kindNodeImage: "kindest/node:latest" },
            /ocm-lab:kindNodeImage.*pinned tag.*kindest\/node:v1\.31\.0/,
        ],
        [
            "a bad bundle version",
            { clusteradmBundleVersion: "latest" },
            /ocm-lab:clusteradmBundleVersion is "latest".*1\.3\.1/,
        ],
        ["an unknown QoS class", { resourceQosClass: "Gold" }, /ocm-lab:resourceQosClass is "Gold"/],
        ["limits without ResourceRequirement", { resourceLimits: { cpu: "1" } }, /only with ResourceRequirement/],
        [
            "a bad quantity",
            { resourceQosClass: "ResourceRequirement", resourceLimits: { cpu: "lots" } },
            /ocm-lab:resourceLimits\.cpu is "lots"/,
        ],
        ["a tiny timeout", { timeoutSeconds: 5 }, /ocm-lab:timeoutSeconds is 5.*at least 30/],
        [
            "a smokeWork that is not true or false",
            { smokeWork: "yes" },
            /ocm-lab:smokeWork is "yes"; it must be true or false/,
        ],
        [
            "an imageCache that is not true or false",
            { imageCache: "off" },
            /ocm-lab:imageCache is "off"; it must be true or false\. Example: pulumi config set ocm-lab:imageCache false/,
        ],
        [
            "a hubSelfManaged that is not true or false",
            { hubSelfManaged: "on" },
            /ocm-lab:hubSelfManaged is "on"; it must be true or false/,
        ],
        [
            "a spoke named local-cluster beside a self-managed hub",
            { hubSelfManaged: true, spokes: ["spoke1", "local-cluster"] },
            /ocm-lab:spokes\[1\] is "local-cluster", the ManagedCluster name the hub registers itself under.*Example: spoke2/,
        ],
        [
            "an unknown klusterlet mode",
            { klusterletMode: "agentless" },
            /ocm-lab:klusterletMode is "agentless"; it must be one of default, singleton, hosted/,
        ],
        [
            "a klusterlet mode for a spoke the lab does not have",
            { klusterletModes: { spoke3: "hosted" } },
            /ocm-lab:klusterletModes\.spoke3 names no spoke of this lab; the spokes are spoke1, spoke2; did you mean ocm-lab:klusterletModes\.spoke1\?/,
        ],
        [
            "a spoke's klusterlet mode that is not one",
            { klusterletModes: { spoke2: "Hosted" } },
            /ocm-lab:klusterletModes\.spoke2 is "Hosted"; it must be one of default, singleton, hosted/,
        ],
        [
            "a klusterlet mode for the self-managed hub",
            { hubSelfManaged: true, klusterletModes: { "local-cluster": "singleton" } },
            /ocm-lab:klusterletModes\.local-cluster is set, but the hub's own klusterlet always runs in default mode/,
        ],
        [
            "an unknown registration driver",
            { registration: "token" },
            /ocm-lab:registration is "token"; it must be one of csr, grpc\. Example: pulumi config set ocm-lab:registration grpc/,
        ],
        [
            "a registration driver for a spoke the lab does not have",
            { registrations: { spoke9: "grpc" } },
            /ocm-lab:registrations\.spoke9 names no spoke of this lab; the spokes are spoke1, spoke2; did you mean ocm-lab:registrations\.spoke1\?/,
        ],
        [
            "a spoke's registration driver that is not one",
            { registrations: { spoke2: "gRPC" } },
            /ocm-lab:registrations\.spoke2 is "gRPC"; it must be one of csr, grpc\. Example: pulumi config set --path 'ocm-lab:registrations\.spoke1' grpc/,
        ],
        [
            "a registration driver for the self-managed hub",
            { hubSelfManaged: true, registrations: { "local-cluster": "grpc" } },
            /ocm-lab:registrations\.local-cluster is set, but the hub's own klusterlet always registers with csr; next: pulumi config rm --path 'ocm-lab:registrations\.local-cluster'/,
        ],
        [
            "registrations that are no map",
            { registrations: ["grpc"] },
            /ocm-lab:registrations is \["grpc"\]; it must be a map of spoke name to driver/,
        ],
        [
            "a gRPC address on a stack that exposes the server itself",
            { hubGrpcServer: "hub:443" },
            /ocm-lab:hubGrpcServer is set, but only runtime existing reads it .*kind and k3d expose the hub's gRPC server themselves\); next: pulumi config rm ocm-lab:hubGrpcServer/,
        ],
        ["a misspelled key", { spoke: ["spoke1"] }, /ocm-lab:spoke is not a setting.*did you mean ocm-lab:spokes\?/],
        [
            "a key in the wrong case",
            { hubname: "hub" },
            /ocm-lab:hubname is not a setting.*did you mean ocm-lab:hubName\?/,
        ],
        [
            "a misspelled add-on key",
            { argocd: { enabeld: false } },
            /ocm-lab:argocd\.enabeld is not a setting; did you mean ocm-lab:argocd\.enabled\?/,
        ],
        [
            "ResourceRequirement without limits or requests",
            { resourceQosClass: "ResourceRequirement" },
            /"ResourceRequirement" but neither ocm-lab:resourceLimits nor ocm-lab:resourceRequests is set/,
        ],
        [
            "a request above its limit",
            {
                resourceQosClass: "ResourceRequirement",
                resourceLimits: { memory: "512Mi", cpu: "1" },
                resourceRequests: { memory: "1Gi", cpu: "500m" },
            },
            /resourceRequests\.memory is "1Gi", more than ocm-lab:resourceLimits\.memory "512Mi"/,
        ],
    ];
    /**
     * The kind stack's settings with `config` over them, as the program hands them to the parser
     * (index.ts): `ocm-lab:` keys without their prefix, lists and maps as JSON text.
     */
    const asProgramReads = (config: Record<string, unknown>): RawLabConfig =>
        labSettings({
            ...stackConfig("kind"),
            ...Object.fromEntries(
                Object.entries(config).map(([k, v]) => [`ocm-lab:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
            ),
        });

    // Each through the parser the program calls first; the run below shows that the program stops at
    // the parser's error before it registers anything.
    it.each(badConfigs)("rejects %s, naming key, value and a fix", (_, config, message) => {
        expect(() => parseLabConfig(asProgramReads(config))).toThrow(message);
    });

    it("stops at a bad config before creating any resource", async () => {
        const [, config, message] = badConfigs[badConfigs.length - 1];
        const { error, registered } = await failedRun({ stack: "kind", config });
        expect(error.message).toMatch(message);
        expect(registered).toEqual([]);
    });

    it("accepts requests at or below their limits, in any unit", async () => {
        const run = await runProgram({
            stack: "kind",
            config: {
                resourceQosClass: "ResourceRequirement",
                resourceLimits: { memory: "1Gi", cpu: "1" },
                resourceRequests: { memory: "1024Mi", cpu: "500m" },
            },
        });
        expect(run.resources.length).toBeGreaterThan(0);
    });

    it("reports every problem at once", async () => {
        await expect(runProgram({ config: { runtime: "podman", spokes: ["A", "A"] } })).rejects.toThrow(
            /3 problem\(s\)[\s\S]*runtime[\s\S]*spokes\[0\][\s\S]*spokes\[1\]/,
        );
    });
});

describe("each step's environment", () => {
    /**
     * When a script's `case` arm runs, from the environment the arm switches on (join.sh: the
     * klusterlet mode and the registration driver). An arm this table does not know fails the test.
     */
    const armRuns: Record<string, (env: Record<string, string>) => boolean> = {
        hosted: (env) => (env.KLUSTERLET_MODE ?? "default") === "hosted",
        grpc: (env) => (env.REGISTRATION_AUTH ?? "csr") === "grpc",
    };
    /** lib.sh sets TIMEOUT_SECONDS from the stack's settings file, named by OCM_LAB_SETTINGS. */
    const providedByLib = (name: string, env: Record<string, string>) =>
        name === "TIMEOUT_SECONDS" && (env.OCM_LAB_SETTINGS ?? "") !== "";

    const shapes = Object.entries(labShapes);
    const steps = new Map<string, StepEnvironment[]>();
    beforeAll(async () => {
        for (const [shape, options] of shapes) {
            steps.set(shape, await stepEnvironments(options));
        }
    });

    it.each(shapes.map(([shape]) => shape))(
        "holds every variable its scripts require, create and delete (%s)",
        (shape) => {
            const missing: string[] = [];
            for (const { step, scripts, environment } of steps.get(shape)!) {
                expect(scripts.length).toBeGreaterThan(0);
                for (const script of scripts) {
                    for (const { names, arm } of requirementsOf(script)) {
                        if (arm !== undefined && !(arm in armRuns)) {
                            throw new Error(
                                `scripts/${script} requires ${names.join(" ")} in its case arm "${arm})", which this test does not know: add it to armRuns`,
                            );
                        }
                        if (arm !== undefined && !armRuns[arm](environment)) {
                            continue;
                        }
                        for (const name of names) {
                            if (!environment[name] && !providedByLib(name, environment)) {
                                missing.push(`${step} (scripts/${script}): ${name}`);
                            }
                        }
                    }
                }
            }
            expect(missing).toEqual([]);
        },
    );

    it("is checked for every step script and every arm that requires more", () => {
        const run = new Set<string>();
        const armsRun = new Set<string>();
        for (const { scripts, environment } of [...steps.values()].flat()) {
            for (const script of scripts) {
                run.add(script);
                for (const { arm } of requirementsOf(script)) {
                    if (arm !== undefined && armRuns[arm]?.(environment)) {
                        armsRun.add(`${script} ${arm}`);
                    }
                }
            }
        }
        // every script under scripts/, scripts/kind, scripts/k3d, scripts/argocd and scripts/existing
        expect([...run].sort()).toEqual(stepScripts());
        expect(stepScripts()).toEqual(
            expect.arrayContaining(["argocd/wait-guestbook.sh", "existing/connect.sh", "k3d/kubeconfig.sh"]),
        );
        const arms = stepScripts().flatMap((script) =>
            requirementsOf(script).flatMap(({ arm }) => (arm === undefined ? [] : [`${script} ${arm}`])),
        );
        expect(arms.length).toBeGreaterThan(0);
        expect([...armsRun].sort()).toEqual([...new Set(arms)].sort());
    });
});

describe("node images", () => {
    const digest = `sha256:${"0123456789abcdef".repeat(4)}`;
    const parsed = (stack: "kind" | "k3d", image: string) =>
        parseLabConfig(labSettings({ ...stackConfig(stack), [`ocm-lab:${stack}NodeImage`]: image })).nodeImage;

    // kind and k3d hand the reference to Docker as it is (config/clusters.ts cites where), so any
    // reference Docker pulls by tag or digest is taken, from a registry with a port too
    it.each([
        ["kind", `kindest/node:v1.31.0@${digest}`],
        ["kind", `kindest/node@${digest}`],
        ["kind", "localhost:5000/kindest/node:v1.31.0"],
        ["kind", `registry.example.internal:5000/mirror/kindest/node:v1.31.0@${digest}`],
        ["kind", `kindest/node:latest@${digest}`],
        ["k3d", "localhost:5000/rancher/k3s:v1.33.6-k3s1"],
        ["k3d", `rancher/k3s:v1.33.6-k3s1@${digest}`],
    ] as const)("%s takes the pinned image %s as it is", (stack, image) => {
        expect(parsed(stack, image)).toBe(image);
    });

    it("reaches the cluster step as given", async () => {
        const image = `localhost:5000/kindest/node:v1.31.0@${digest}`;
        const run = await runProgram({ stack: "kind", config: { kindNodeImage: image } });
        expect(resource(run, "hub-cluster").inputs.environment).toMatchObject({ NODE_IMAGE: image });
    });

    it.each([
        [
            "a digest cut short",
            `kindest/node:v1.31.0@sha256:0123`,
            /is "kindest\/node:v1\.31\.0@sha256:0123", which is not an image reference; write it as \[registry\[:port\]\/\]name:tag or name\[:tag\]@sha256:<digest>.*Example: kindest\/node:v1\.31\.0 \(or pinned by digest: kindest\/node@sha256:<64 hex digits>\)/,
        ],
        [
            "capitals in the name",
            "Kindest/Node:v1.31.0",
            /is "Kindest\/Node:v1\.31\.0", which is not an image reference.*in lowercase/,
        ],
        ["a space", "kindest/node: v1.31.0", /which is not an image reference/],
        [
            "a registry port and no tag",
            "localhost:5000/kindest/node",
            /is "localhost:5000\/kindest\/node"; it must be an image with a pinned tag \(not latest\) or a digest \(the number after the first ':' is the registry's port, not a tag\)\. Example: kindest\/node:v1\.31\.0/,
        ],
        ["latest without a digest", "kindest/node:latest", /pinned tag \(not latest\) or a digest\. Example/],
    ])("refuses %s, saying what to write", (_, image, message) => {
        expect(() => parsed("kind", image)).toThrow(message);
    });
});

// Runs that name no folder write their step settings to one temporary folder; the harness removes it
// once this file's tests end (its afterAll, at the top level too, was declared first, so it runs first).
let sharedLocalDir: string | undefined;
describe("what a run of the program leaves behind", () => {
    it("writes the step settings outside the project, to a temporary folder", async () => {
        await runProgram({ stack: "kind" });
        sharedLocalDir = process.env.OCM_LAB_LOCAL_DIR;
        expect(sharedLocalDir).toMatch(new RegExp(`^${os.tmpdir()}/ocm-lab-local-`));
        expect(fs.readFileSync(path.join(sharedLocalDir!, "kind", "step-settings"), "utf8")).toMatch(
            /^TIMEOUT_SECONDS=\d+$/m,
        );
    });
});
afterAll(() => {
    // (unset only when a -t filter left the test above out)
    if (sharedLocalDir !== undefined) {
        expect(fs.existsSync(sharedLocalDir)).toBe(false);
    }
});
