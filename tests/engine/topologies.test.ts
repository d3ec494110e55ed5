/**
 * The engine tier, other shapes of lab: a hub that manages itself, klusterlet modes, clusters the
 * user already has (runtime existing), and a kind and a k3d lab on one machine, on the real Pulumi
 * engine through the front door. Whole labs (Argo CD, the smoke work and the image cache on), so
 * their objects go through the kubernetes stand-in (see wholeLab.test.ts); the loopback-hub check
 * makes no such object and runs on the real kubernetes provider.
 */
import * as fs from "fs";
import * as path from "path";
import { EngineLab, expectFailed, expectSucceeded, requireEngineTier, wholeLab, withoutApiObjects } from "./engineLab";
import {
    callsOfWholeLab,
    clusteradmCallsOfExistingLab,
    parseClusteradmCall,
    parseWithRealCli,
    requireClusteradmSource,
    unknownClusteradmFlags,
    verbOf,
} from "../harness/realCliFlags";
import {
    cacheVolumes,
    callMatching,
    deletedInOrder,
    expectGuestbook,
    expectRegistered as registered,
    expectSmokePodRunning,
    madeCacheVolumes,
    managedCluster as managed,
    mirrorContainers,
    mirrorNames,
    networkExists,
    smokePod,
    smokeWork,
    stackOutput,
} from "./labWorld";
import { expectInOrder } from "../harness/order";

requireEngineTier();

let lab: EngineLab;
/** Every fake-tool call this file's labs made: the real CLIs' parsers check them at its end. */
const callsSeen: string[] = [];
const recorded = new Set<EngineLab>();
afterEach(() => {
    if (lab && !recorded.has(lab)) {
        recorded.add(lab);
        callsSeen.push(...lab.fake.calls());
    }
    lab?.dispose();
});

const managedCluster = (name: string, runtime?: "kind" | "k3d") => managed(lab, name, runtime);
const expectRegistered = (names: string[], runtime?: "kind" | "k3d", onCluster?: string) =>
    registered(lab, names, runtime, onCluster);

describe.each(["kind", "k3d"] as const)("%s stack, other shapes, on the real engine", (stack) => {
    it("lets the hub manage itself as local-cluster: it runs the smoke work, tainted out of the add-on; turned off, it is unjoined after its work goes", async () => {
        lab = new EngineLab({ kubernetes: "stand-in" });
        lab.configure(stack, { ...wholeLab, hubSelfManaged: true });
        const up = await lab.frontDoorSteps("up", stack);
        expectSucceeded(up);
        // accepted, and registered by a klusterlet in the hub's own node container
        expectRegistered(["local-cluster"], undefined, "hub");
        expectRegistered(["spoke1", "spoke2"]);
        const join = lab.fake.calls("clusteradm").find((c) => / join .*--cluster-name local-cluster /.test(` ${c} `));
        expect(join).toContain("--force-internal-endpoint-lookup");
        expect(up.ran).toEqual(expect.arrayContaining(["local-cluster-join", "local-cluster-accept"]));
        expect(stackOutput(lab, stack, "selfManagedCluster")).toBe("local-cluster");
        // the hub manages itself: the smoke work's Pod runs on the hub
        expectSmokePodRunning(lab, ["hub"]);
        // tainted out of the add-on's Placement before the chart went in: the add-on and the guestbook
        // reached the spokes only (the fake add-on never removes what it once placed)
        expect(lab.fake.read(`${managedCluster("local-cluster")}/taints`)).toBe("ocm-lab/self-managed-hub NoSelect\n");
        expect(lab.fake.exists(`${lab.fake.cluster("hub")}/objects/managedclusteraddon/local-cluster`)).toBe(false);
        expect(lab.fake.exists(`${lab.fake.cluster("hub")}/objects/deployment/guestbook`)).toBe(false);
        expectGuestbook(lab, ["spoke1", "spoke2"]);
        expect((await lab.frontDoorSteps("up", stack)).ran).toEqual([]);

        lab.fake.clearCalls();
        lab.configure(stack, { hubSelfManaged: false });
        const off = await lab.frontDoorSteps("up", stack);
        expectSucceeded(off);
        // its work went before its ManagedCluster; the ManagedCluster was removed while its klusterlet,
        // which the hub's GC needs, still ran, and the klusterlet unjoined after
        const deleted = deletedInOrder(off.output);
        expectInOrder(deleted, "local-cluster-smoke-work", "local-cluster-accept");
        expectInOrder(
            lab.fake.calls(),
            callMatching(/ delete managedcluster local-cluster /),
            callMatching(/ clusteradm unjoin .*local-cluster/),
        );
        expect(lab.fake.exists(`${lab.fake.cluster("hub")}/agent`)).toBe(false);
        expect(lab.fake.exists(managedCluster("local-cluster"))).toBe(false);
        expect(lab.fake.exists(smokePod(lab, "hub"))).toBe(false);
        // the hub and the spokes carry on as they were
        expect(off.ran.filter((s) => !s.startsWith("local-cluster-"))).toEqual([]);
        expect(lab.fake.clusters().sort()).toEqual([`${stack} hub`, `${stack} spoke1`, `${stack} spoke2`]);
        expectRegistered(["spoke1", "spoke2"]);
        expect(stackOutput(lab, stack, "selfManagedCluster")).toBeNull();
    });

    it("runs default (registered over gRPC), singleton and hosted klusterlets, each spoke with the smoke work and the guestbook; a hosted spoke made default again is unjoined from the hub before its old cluster goes", async () => {
        lab = new EngineLab({ kubernetes: "stand-in" });
        const spokes = ["spoke1", "spoke2", "spoke3"];
        lab.configure(stack, {
            ...wholeLab,
            spokes,
            klusterletModes: { spoke2: "singleton", spoke3: "hosted" },
            registrations: { spoke1: "grpc" },
        });
        expectSucceeded(await lab.frontDoorSteps("up", stack));
        // spoke1 registered through the hub's gRPC server; the Available wait, the add-on and the smoke
        // work below hold for it as for the csr spokes
        expect(lab.fake.read(`${lab.fake.cluster("spoke1")}/agent/registration`).trim()).toBe("grpc");
        expect(lab.fake.read(`${lab.fake.cluster("spoke2")}/agent/registration`).trim()).toBe("csr");
        expect(stackOutput(lab, stack, "klusterletModes")).toEqual({
            spoke1: "default",
            spoke2: "singleton",
            spoke3: "hosted",
        });
        expectRegistered(spokes);
        expect(lab.fake.read(`${lab.fake.cluster("spoke1")}/agent/mode`).trim()).toBe("default");
        expect(lab.fake.read(`${lab.fake.cluster("spoke2")}/agent/mode`).trim()).toBe("singleton");
        expect(lab.fake.exists(`${lab.fake.cluster("spoke3")}/agent`)).toBe(false); // its klusterlet runs on the hub
        expect(lab.fake.hostedKlusterlets("hub")).toHaveLength(1);
        // the hub manages all three: the smoke Pod and the guestbook run on each spoke itself
        expectSmokePodRunning(lab, spokes);
        expectGuestbook(lab, spokes);

        lab.fake.clearCalls();
        lab.configure(stack, { klusterletModes: { spoke2: "singleton" } });
        const changed = await lab.frontDoorSteps("up", stack);
        expectSucceeded(changed);
        expectInOrder(
            lab.fake.calls(),
            callMatching(/ clusteradm unjoin .*--cluster-name spoke3 /),
            callMatching(new RegExp(` ${stack} .*delete.* .*spoke3`)),
        );
        expect(changed.ran).toEqual(expect.arrayContaining(["spoke3-cluster", "spoke3-join", "spoke3-accept"]));
        expect(changed.ran.filter((s) => s.startsWith("spoke1-") || s.startsWith("spoke2-"))).toEqual([]);
        expect(lab.fake.hostedKlusterlets("hub")).toEqual([]);
        expect(lab.fake.read(`${lab.fake.cluster("spoke3")}/agent/mode`).trim()).toBe("default");
        expectRegistered(spokes);
        expectSmokePodRunning(lab, ["spoke3"]);

        if (stack === "k3d") {
            return; // the rest runs the same steps on either runtime: on the kind stack only, for CI's time
        }
        // hosted again, then rebuilt: a new hosted klusterlet (the old one held the old cluster's
        // credentials); then removed: its ManagedCluster goes, then its klusterlet leaves the hub, then its cluster
        lab.configure(stack, { klusterletModes: { spoke2: "singleton", spoke3: "hosted" } });
        expectSucceeded(await lab.frontDoor("up", stack));
        expect(lab.fake.hostedKlusterlets("hub")).toHaveLength(1);
        const before = lab.fake.hostedKlusterlets("hub")[0];
        expectSucceeded(await lab.frontDoor("up", stack, "--replace", "spoke3-cluster"));
        expect(lab.fake.hostedKlusterlets("hub")).toEqual([expect.not.stringMatching(before)]);
        expectRegistered(spokes);
        lab.fake.clearCalls();
        lab.configure(stack, { spokes: ["spoke1", "spoke2"], klusterletModes: { spoke2: "singleton" } });
        const removed = await lab.frontDoor("up", stack);
        expectSucceeded(removed);
        // its ManagedCluster went first, while the hosted klusterlet could still run the add-on's cleanup
        // and finalize its works; then the klusterlet left the hub, then the cluster
        expectInOrder(
            lab.fake.calls(),
            callMatching(/ delete managedcluster spoke3 /),
            callMatching(/ clusteradm unjoin .*--cluster-name spoke3 /),
        );
        expect(lab.fake.exists(`${lab.fake.cluster("hub")}/objects/managedclusteraddon/spoke3`)).toBe(false);
        const deleted = deletedInOrder(removed.output);
        expectInOrder(deleted, "spoke3-join", "spoke3-cluster");
        expect(lab.fake.hostedKlusterlets("hub")).toEqual([]);
        expect(lab.fake.exists(managedCluster("spoke3"))).toBe(false);

        expectSucceeded(await lab.frontDoorSteps("destroy", stack));
        expect(lab.fake.clusters()).toEqual([]);
    });
});

describe("runtime existing on the real engine: the user's own clusters", () => {
    it("registers them at the given hub address and makes nothing; destroy takes everything of the lab's off, one by one, and leaves them", async () => {
        lab = new EngineLab({ kubernetes: "stand-in" });
        const config = lab.fake.userLab(["hub", "spoke1", "spoke2"]);
        lab.configure("existing", { ...wholeLab, ...config });
        const clustersBefore = lab.fake.clusters().sort();
        lab.fake.clearCalls();
        const up = await lab.frontDoorSteps("up", "existing");
        expectSucceeded(up);
        expectRegistered(["spoke1", "spoke2"]);
        expectGuestbook(lab, ["spoke1", "spoke2"]);
        expectSmokePodRunning(lab, ["spoke1", "spoke2"]);
        for (const spoke of ["spoke1", "spoke2"]) {
            expect(lab.fake.read(`${lab.fake.cluster(spoke)}/agent/bootstrap-hub-kubeconfig`)).toContain(
                `server: ${config.hubApiServer}`,
            );
            // it proved it reaches the hub before it joined, and left no probe pod behind
            expect(lab.fake.exists(`${lab.fake.cluster(spoke)}/objects/pod/default/ocm-lab-hub-probe`)).toBe(false);
        }
        expect(up.ran).toEqual(expect.arrayContaining(["spoke1-hub-reachable", "spoke2-hub-reachable"]));
        // no cluster, network, mirror or volume of the lab's own
        expect(lab.fake.calls("kind").filter((c) => c !== "kind version")).toEqual([]);
        expect(lab.stateNames("existing", "docker:index/network:Network")).toEqual([]);
        expect(mirrorContainers(lab)).toEqual([]);
        expect(madeCacheVolumes(lab)).toEqual([]);
        expect(stackOutput(lab, "existing", "contexts")).toEqual(config.contexts);
        expect((await lab.frontDoorSteps("up", "existing")).ran).toEqual([]);
        // the providers read the user's credentials from the lab's private copies, which destroy removes
        const credentials = path.join(lab.project, ".ocm-lab", "existing", "credentials");
        expect(fs.readdirSync(credentials).sort()).toEqual(["hub", "spoke1", "spoke2"]);

        lab.fake.clearCalls();
        const destroy = await lab.frontDoorSteps("destroy", "existing");
        expectSucceeded(destroy);
        expect(fs.existsSync(credentials)).toBe(false);
        // every in-cluster object went on its own (no cluster to go with), the smoke works before the
        // klusterlets were unjoined (operator too), and the hub was cleaned last
        const deleted = deletedInOrder(destroy.output);
        for (const spoke of ["spoke1", "spoke2"]) {
            expectInOrder(deleted, `${spoke}-smoke-work`, `${spoke}-join`);
            expect(lab.fake.exists(`${lab.fake.cluster(spoke)}/agent`)).toBe(false);
            expect(lab.fake.exists(smokePod(lab, spoke))).toBe(false);
            expect(lab.fake.exists(smokeWork(lab, spoke))).toBe(false);
        }
        expect(deleted).toContain("argocd-release");
        // an order that lets each delete finish: the add-on uninstalled while the agents could still run
        // its cleanup, each ManagedCluster removed while its klusterlet could still help the hub's GC, and
        // only then the klusterlet unjoined
        const all = lab.fake.calls();
        for (const spoke of ["spoke1", "spoke2"]) {
            expectInOrder(deleted, "argocd-release", `${spoke}-accept`);
            expectInOrder(
                all,
                (c) => c.includes(` delete managedcluster ${spoke} `),
                (c) => c.startsWith("clusteradm unjoin ") && c.includes(`--cluster-name ${spoke} `),
            );
        }
        const calls = lab.fake.calls("clusteradm");
        expect(calls.filter((c) => c.startsWith("clusteradm unjoin "))).toEqual([
            expect.stringMatching(/--cluster-name spoke[12] --purge-operator=true$/),
            expect.stringMatching(/--cluster-name spoke[12] --purge-operator=true$/),
        ]);
        expect(calls[calls.length - 1]).toMatch(/^clusteradm clean /);
        expect(lab.fake.exists(`${lab.fake.cluster("hub")}/hub`)).toBe(false);
        expect(lab.fake.clusters().sort()).toEqual(clustersBefore); // the user's clusters stay
        expect(lab.stateNames("existing")).toEqual([]);
        expect(lab.fake.leftoverTempFiles()).toEqual([]);
    });

    it("stops each spoke at its probe, naming the address, when the hub's address is one the spokes cannot reach; no spoke joins", async () => {
        lab = new EngineLab();
        const { contexts } = lab.fake.userLab(["hub", "spoke1", "spoke2"]);
        lab.configure("existing", {
            ...withoutApiObjects,
            contexts,
            hubApiServer: "https://hub.behind-a-vpn.example:6443",
        });
        const up = await lab.frontDoorSteps("up", "existing");
        expectFailed(up);
        for (const spoke of ["spoke1", "spoke2"]) {
            expect(up.output).toContain(
                `hub-reachable failed for cluster ${spoke}: a pod on ${spoke} could not connect to the hub at https://hub.behind-a-vpn.example:6443`,
            );
        }
        expect(up.ran).toEqual(expect.arrayContaining(["spoke1-hub-reachable", "spoke2-hub-reachable", "hub-init"]));
        expect(up.ran.filter((step) => step.endsWith("-join"))).toEqual([]);
        expect(lab.fake.exists(`${lab.fake.cluster("hub")}/hub/managedclusters/spoke1`)).toBe(false);
        expectSucceeded(await lab.frontDoor("destroy", "existing"));
        expect(lab.fake.clusters().sort()).toEqual(["kind hub", "kind spoke1", "kind spoke2"]);
        expect(lab.fake.exists(`${lab.fake.cluster("hub")}/hub`)).toBe(false); // init's clean ran: the hub is as it was
    });

    it("stops at the hub's connect, before init, when the hub's context is a loopback server and no hubApiServer is set", async () => {
        lab = new EngineLab();
        const { contexts } = lab.fake.userLab(["hub", "spoke1", "spoke2"]);
        lab.configure("existing", { ...withoutApiObjects, contexts });
        const up = await lab.frontDoorSteps("up", "existing");
        expectFailed(up);
        // preflight already says so, before the engine starts
        expect(up.output).toMatch(/preflight found \d problem\(s\); nothing was created/);
        expect(up.output).toMatch(/hub.*127\.0\.0\.1.*ocm-lab:hubApiServer/);
        expect(up.ran).toEqual([]);
        // and the program on its own (pulumi up -s existing, no preflight) stops at the hub's connect
        const programOnly = await lab.programOnly("up", "existing");
        expectFailed(programOnly);
        expect(programOnly.output).toContain(
            "ocm-lab: connect failed for cluster hub: the hub's server in context kind-hub is https://127.0.0.1:",
        );
        expect(programOnly.output).toContain("next: pulumi config set ocm-lab:hubApiServer https://");
        expect(lab.stepsRun("existing")).not.toContain("hub-init");
        expect(lab.fake.calls("clusteradm").filter((c) => c !== "clusteradm version")).toEqual([]);
    });
});

describe("a kind lab and a k3d lab on one machine, on the real engine", () => {
    it("coexist with default names: neither blocks, changes nor deletes the other's clusters, network or mirrors; they share one cache", async () => {
        lab = new EngineLab({ kubernetes: "stand-in" });
        lab.configure("kind", wholeLab);
        lab.configure("k3d", wholeLab);
        expectSucceeded(await lab.frontDoorSteps("up", "kind"));
        expectSucceeded(await lab.frontDoorSteps("up", "k3d"));
        const both = ["hub", "spoke1", "spoke2"].flatMap((name) => [`kind ${name}`, `k3d ${name}`]);
        expect(lab.fake.clusters().sort()).toEqual(both.sort());
        for (const runtime of ["kind", "k3d"] as const) {
            // registered with its own lab's hub, through the node of its own runtime
            expectRegistered(["spoke1", "spoke2"], runtime);
            expectGuestbook(lab, ["spoke1", "spoke2"], runtime);
        }
        // one cache for both labs, each with its own mirrors
        expect(madeCacheVolumes(lab)).toEqual(cacheVolumes());
        expect(mirrorContainers(lab)).toEqual([...mirrorNames("k3d"), ...mirrorNames("kind")].sort());

        expectSucceeded(await lab.frontDoorSteps("destroy", "kind"));
        expect(lab.fake.clusters().sort()).toEqual(["k3d hub", "k3d spoke1", "k3d spoke2"]);
        expect(networkExists(lab, "ocm-lab-kind")).toBe(false);
        expect(networkExists(lab, "ocm-lab-k3d")).toBe(true);
        expect(mirrorContainers(lab)).toEqual(mirrorNames("k3d"));
        // the k3d lab's mirrors still use the cache: purging it now removes nothing and says why
        const early = await lab.frontDoor("destroy", "kind", "--purge-cache");
        expect(early.output).toMatch(
            /ocm-lab-k3d-mirror-.* still uses it; next: npm run destroy -- k3d, then npm run destroy -- kind --purge-cache/,
        );
        expect(madeCacheVolumes(lab)).toEqual(cacheVolumes());
        const again = await lab.frontDoorSteps("up", "k3d");
        expectSucceeded(again);
        expect(again.ran).toEqual([]);
        expectRegistered(["spoke1", "spoke2"], "k3d");
        expectSucceeded(await lab.frontDoorSteps("destroy", "k3d", "--purge-cache"));
        expect(lab.fake.clusters()).toEqual([]);
        expect(networkExists(lab, "ocm-lab-k3d")).toBe(false);
        expect(madeCacheVolumes(lab)).toEqual([]);
    });
});

// Last in this file: the real CLIs' own parsers, on the command lines every lab above made.
describe.each([
    [
        "kind",
        ["kind version", "kind get clusters", "kind create cluster", "kind get kubeconfig", "kind delete cluster"],
    ],
    [
        "k3d",
        [
            "k3d version",
            "k3d cluster list",
            "k3d cluster get",
            "k3d cluster create",
            "k3d kubeconfig get",
            "k3d cluster delete",
        ],
    ],
] as const)("the real %s, on every command line this file's labs ran", (tool, verbs) => {
    let calls: string[];
    beforeAll(async () => {
        // what the labs above ran; a run of this part alone (jest -t) makes a lab of its own
        const seen = callsSeen.filter((c) => c.startsWith(`${tool} `));
        calls = verbs.every((verb) => seen.some((c) => verbOf(c) === verb)) ? seen : await callsOfWholeLab(tool);
    });

    it("sees every verb the lab uses (version, list, create, kubeconfig, delete)", () => {
        expect(new Set(calls.map(verbOf))).toEqual(new Set(verbs));
    });

    it("accepts every command line the step scripts and the front door run", () => {
        const refused = [...new Set(calls)]
            .map((line) => ({ line, ...parseWithRealCli(tool, line) }))
            .filter((r) => !r.ok)
            .map((r) => `${r.line}\n  ${r.output.split("\n").slice(0, 3).join("\n  ")}`);
        expect(refused).toEqual([]);
    });

    it("refuses a misspelled flag and a misspelled verb, so the check above can fail", () => {
        const create = calls.find((line) =>
            verbOf(line).endsWith(tool === "kind" ? "create cluster" : "cluster create"),
        )!;
        const misspelledFlag = create.replace(tool === "kind" ? "--image" : "--network", "--imgae");
        expect(parseWithRealCli(tool, misspelledFlag)).toMatchObject({ ok: false });
        expect(parseWithRealCli(tool, create.replace(/create/, "craete"))).toMatchObject({ ok: false });
    });
});

// clusteradm v1.3.1 cannot be built here (tests/builds/realClis.ts): its calls are checked against the
// flags its source defines (tests/harness/realCliFlags.ts).
describe("clusteradm v1.3.1's own flag definitions, on every clusteradm call this file's labs ran", () => {
    let calls: string[];
    beforeAll(async () => {
        requireClusteradmSource();
        // what the labs above ran; a run of this part alone (jest -t) makes labs of its own
        const seen = callsSeen.filter((c) => c.startsWith("clusteradm "));
        const everyCase = [
            /^clusteradm clean .*--purge-operator=true/,
            /^clusteradm unjoin .*--cluster-name spoke3 /,
            /^clusteradm unjoin .*--cluster-name local-cluster /,
            /^clusteradm accept .*--skip-approve-check/,
            /^clusteradm join .*--registration-auth grpc/,
        ];
        calls = everyCase.every((pattern) => seen.some((c) => pattern.test(c)))
            ? seen
            : [
                  ...(await callsOfWholeLab("kind", "clusteradm")),
                  ...(await callsOfWholeLab("k3d", "clusteradm")),
                  ...(await clusteradmCallsOfExistingLab()),
              ];
    });

    it("sees every subcommand the lab uses", () => {
        expect(new Set(calls.map((c) => parseClusteradmCall(c).pkg))).toEqual(
            new Set([
                "pkg/cmd/init",
                "pkg/cmd/get/token",
                "pkg/cmd/join",
                "pkg/cmd/accept",
                "pkg/cmd/unjoin",
                "pkg/cmd/clean",
                "pkg/cmd/version",
            ]),
        );
    });

    it("defines every flag the step scripts pass, --skip-approve-check, every klusterlet mode, gRPC's and existing's included", () => {
        expect(calls.some((c) => c.startsWith("clusteradm accept ") && c.includes("--skip-approve-check"))).toBe(true);
        for (const modeFlags of ["--singleton", "--mode hosted --managed-cluster-kubeconfig"]) {
            expect(calls.some((c) => c.startsWith("clusteradm join ") && c.includes(modeFlags))).toBe(true);
        }
        expect(
            calls.filter((c) => c.startsWith("clusteradm unjoin ")).map((c) => /--cluster-name (\S+)/.exec(c)?.[1]),
        ).toEqual(expect.arrayContaining(["spoke3", "local-cluster"]));
        // runtime existing: a join at the hub's own address, unjoins that purge the operator, clean
        expect(calls.some((c) => c.startsWith("clusteradm join ") && !c.includes("--force-internal"))).toBe(true);
        expect(calls.some((c) => c.startsWith("clusteradm unjoin ") && c.endsWith("--purge-operator=true"))).toBe(true);
        expect(calls.some((c) => c.startsWith("clusteradm clean ") && c.includes("--purge-operator=true"))).toBe(true);
        // gRPC registration: the hub's driver and where it is served, a klusterlet's driver, server and CA
        expect(
            calls.some(
                (c) =>
                    c.startsWith("clusteradm init ") &&
                    /--registration-drivers \S+ --grpc-endpoint-type hostname --grpc-server \S+/.test(c),
            ),
        ).toBe(true);
        expect(
            calls.some(
                (c) =>
                    c.startsWith("clusteradm join ") &&
                    /--registration-auth grpc --grpc-server \S+ --grpc-ca-file \S+/.test(c),
            ),
        ).toBe(true);
        const refused = [...new Set(calls)]
            .map((line) => ({ line, unknown: unknownClusteradmFlags(line) }))
            .filter((r) => r.unknown.length > 0);
        expect(refused).toEqual([]);
    });

    it("refuses a misspelled flag, a flag of another subcommand and a verb it lacks", () => {
        const join = calls.find((c) => c.startsWith("clusteradm join "))!;
        const accept = calls.find((c) => c.startsWith("clusteradm accept "))!;
        expect(unknownClusteradmFlags(join.replace("--hub-apiserver", "--hub-api-server"))).toEqual(["hub-api-server"]);
        expect(unknownClusteradmFlags(`${accept} --hub-token x`)).toEqual(["hub-token"]);
        expect(unknownClusteradmFlags(join.replace("clusteradm join", "clusteradm jion"))).toEqual([
            'no subcommand "jion"',
        ]);
    });
});
