/**
 * The engine tier, other shapes of lab: a hub that manages itself, klusterlet modes, clusters the
 * user already has (runtime existing), and a kind and a k3d lab on one machine, on the real Pulumi
 * engine through the front door. Like lifecycle.test.ts, without Argo CD, the smoke work or the image
 * cache (see there why); the simulation keeps those parts of these scenarios.
 */
import * as path from "path";
import { EngineLab, expectFailed, expectSucceeded, requireEngineTier, withoutApiObjects } from "./engineLab";

requireEngineTier();

const base = withoutApiObjects;

let lab: EngineLab;
afterEach(() => lab?.dispose());

const managedCluster = (name: string, runtime?: "kind" | "k3d") =>
    `${lab.fake.cluster("hub", runtime)}/hub/managedclusters/${name}`;

/** Each ManagedCluster named is accepted and was registered by a klusterlet on `onCluster` (itself by default). */
function expectRegistered(names: string[], runtime?: "kind" | "k3d", onCluster?: string) {
    for (const name of names) {
        expect(lab.fake.read(`${managedCluster(name, runtime)}/accepted`).trim()).toBe("true");
        expect(lab.fake.read(`${managedCluster(name, runtime)}/spoke`).trim()).toBe(
            path.basename(lab.fake.cluster(onCluster ?? name, runtime)),
        );
    }
}

/** The index of the first fake-tool call matching `pattern`, -1 when none. */
const callIndex = (pattern: RegExp) => lab.fake.calls().findIndex((c) => pattern.test(` ${c} `));

describe.each(["kind", "k3d"] as const)("%s stack, other shapes, on the real engine", (stack) => {
    it("lets the hub manage itself as local-cluster, tainted out of the add-on; turned off, unjoins it first", async () => {
        lab = new EngineLab();
        lab.configure(stack, { ...base, hubSelfManaged: true });
        const up = await lab.frontDoorSteps("up", stack);
        expectSucceeded(up);
        expectRegistered(["local-cluster"], undefined, "hub");
        expectRegistered(["spoke1", "spoke2"]);
        const join = lab.fake.calls("clusteradm").find((c) => / join .*--cluster-name local-cluster /.test(` ${c} `));
        expect(join).toContain("--force-internal-endpoint-lookup");
        expect(lab.fake.read(`${managedCluster("local-cluster")}/taints`)).toBe("ocm-lab/self-managed-hub NoSelect\n");
        expect(up.ran).toEqual(expect.arrayContaining(["local-cluster-join", "local-cluster-accept"]));
        expect(lab.pulumi(["stack", "output", "selfManagedCluster", "--stack", stack]).stdout.trim()).toBe(
            "local-cluster",
        );
        expect((await lab.frontDoorSteps("up", stack)).ran).toEqual([]);

        lab.fake.clearCalls();
        lab.configure(stack, { hubSelfManaged: false });
        const off = await lab.frontDoorSteps("up", stack);
        expectSucceeded(off);
        // the klusterlet was unjoined, then the ManagedCluster removed; the hub and spokes carry on
        const unjoin = callIndex(/ clusteradm unjoin .*local-cluster/);
        expect(unjoin).toBeGreaterThanOrEqual(0);
        expect(unjoin).toBeLessThan(callIndex(/ delete managedcluster local-cluster /));
        expect(lab.fake.exists(`${lab.fake.cluster("hub")}/agent`)).toBe(false);
        expect(lab.fake.exists(managedCluster("local-cluster"))).toBe(false);
        expect(lab.fake.clusters().sort()).toEqual([`${stack} hub`, `${stack} spoke1`, `${stack} spoke2`]);
        expectRegistered(["spoke1", "spoke2"]);
        expect(lab.pulumi(["stack", "output", "selfManagedCluster", "--stack", stack]).stdout.trim()).toBe("null");
    });

    it("runs default, singleton and hosted klusterlets; a hosted spoke made default again is unjoined from the hub before its old cluster goes", async () => {
        lab = new EngineLab();
        const spokes = ["spoke1", "spoke2", "spoke3"];
        lab.configure(stack, { ...base, spokes, klusterletModes: { spoke2: "singleton", spoke3: "hosted" } });
        expectSucceeded(await lab.frontDoorSteps("up", stack));
        expectRegistered(spokes);
        expect(lab.fake.read(`${lab.fake.cluster("spoke1")}/agent/mode`).trim()).toBe("default");
        expect(lab.fake.read(`${lab.fake.cluster("spoke2")}/agent/mode`).trim()).toBe("singleton");
        expect(lab.fake.exists(`${lab.fake.cluster("spoke3")}/agent`)).toBe(false); // its klusterlet runs on the hub
        expect(lab.fake.hostedKlusterlets("hub")).toHaveLength(1);

        lab.fake.clearCalls();
        lab.configure(stack, { klusterletModes: { spoke2: "singleton" } });
        const changed = await lab.frontDoorSteps("up", stack);
        expectSucceeded(changed);
        const unjoined = callIndex(/ clusteradm unjoin .*--cluster-name spoke3 /);
        expect(unjoined).toBeGreaterThanOrEqual(0);
        expect(callIndex(new RegExp(` ${stack} .*delete.* .*spoke3`))).toBeGreaterThan(unjoined);
        expect(changed.ran).toEqual(expect.arrayContaining(["spoke3-cluster", "spoke3-join", "spoke3-accept"]));
        expect(changed.ran.filter((s) => s.startsWith("spoke1-") || s.startsWith("spoke2-"))).toEqual([]);
        expect(lab.fake.hostedKlusterlets("hub")).toEqual([]);
        expect(lab.fake.read(`${lab.fake.cluster("spoke3")}/agent/mode`).trim()).toBe("default");
        expectRegistered(spokes);

        expectSucceeded(await lab.frontDoorSteps("destroy", stack));
        expect(lab.fake.clusters()).toEqual([]);
    });
});

describe("runtime existing on the real engine: the user's own clusters", () => {
    it("registers them at the given hub address and makes nothing; destroy takes OCM off and leaves them", async () => {
        lab = new EngineLab();
        const config = lab.fake.userLab(["hub", "spoke1", "spoke2"]);
        lab.configure("existing", { ...base, ...config });
        const clustersBefore = lab.fake.clusters().sort();
        lab.fake.clearCalls();
        const up = await lab.frontDoorSteps("up", "existing");
        expectSucceeded(up);
        expectRegistered(["spoke1", "spoke2"]);
        for (const spoke of ["spoke1", "spoke2"]) {
            expect(lab.fake.read(`${lab.fake.cluster(spoke)}/agent/bootstrap-hub-kubeconfig`)).toContain(
                `server: ${config.hubApiServer}`,
            );
        }
        // each spoke proved it reaches the hub before it joined; no cluster or network of the lab's own
        expect(up.ran).toEqual(expect.arrayContaining(["spoke1-hub-reachable", "spoke2-hub-reachable"]));
        expect(lab.fake.calls("kind").filter((c) => c !== "kind version")).toEqual([]);
        expect(lab.stateNames("existing", "docker:index/network:Network")).toEqual([]);
        expect((await lab.frontDoorSteps("up", "existing")).ran).toEqual([]);

        lab.fake.clearCalls();
        expectSucceeded(await lab.frontDoorSteps("destroy", "existing"));
        const calls = lab.fake.calls("clusteradm");
        expect(calls.filter((c) => c.startsWith("clusteradm unjoin "))).toEqual([
            expect.stringMatching(/--cluster-name spoke[12] --purge-operator=true$/),
            expect.stringMatching(/--cluster-name spoke[12] --purge-operator=true$/),
        ]);
        expect(calls[calls.length - 1]).toMatch(/^clusteradm clean /);
        expect(lab.fake.exists(`${lab.fake.cluster("hub")}/hub`)).toBe(false);
        expect(lab.fake.clusters().sort()).toEqual(clustersBefore); // the user's clusters stay
        expect(lab.stateNames("existing")).toEqual([]);
    });

    it("stops at the hub's connect, before init, when the hub's context is a loopback server and no hubApiServer is set", async () => {
        lab = new EngineLab();
        const { contexts } = lab.fake.userLab(["hub", "spoke1", "spoke2"]);
        lab.configure("existing", { ...base, contexts });
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
    it("coexist with default names: neither blocks, changes nor deletes the other's clusters or network", async () => {
        lab = new EngineLab();
        lab.configure("kind", base);
        lab.configure("k3d", base);
        expectSucceeded(await lab.frontDoorSteps("up", "kind"));
        expectSucceeded(await lab.frontDoorSteps("up", "k3d"));
        const both = ["hub", "spoke1", "spoke2"].flatMap((name) => [`kind ${name}`, `k3d ${name}`]);
        expect(lab.fake.clusters().sort()).toEqual(both.sort());
        for (const runtime of ["kind", "k3d"] as const) {
            expectRegistered(["spoke1", "spoke2"], runtime);
        }
        expectSucceeded(await lab.frontDoorSteps("destroy", "kind"));
        expect(lab.fake.clusters().sort()).toEqual(["k3d hub", "k3d spoke1", "k3d spoke2"]);
        const again = await lab.frontDoorSteps("up", "k3d");
        expectSucceeded(again);
        expect(again.ran).toEqual([]);
        expectRegistered(["spoke1", "spoke2"], "k3d");
        expectSucceeded(await lab.frontDoorSteps("destroy", "k3d"));
        expect(lab.fake.clusters()).toEqual([]);
    });
});
