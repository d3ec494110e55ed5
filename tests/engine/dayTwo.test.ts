/**
 * The engine tier, day two: what a lab that is already up does when its config, its scripts or its
 * clusters change, and when a step fails, on the real Pulumi engine through the front door. Like
 * lifecycle.test.ts, without Argo CD, the smoke work or the image cache (see there why).
 */
import * as fs from "fs";
import * as path from "path";
import { EngineLab, expectFailed, expectSucceeded, requireEngineTier, withoutApiObjects } from "./engineLab";
import { expectRegistered as registered } from "./labWorld";

requireEngineTier();

const base = withoutApiObjects;

let lab: EngineLab;
afterEach(() => lab?.dispose());

/** Every spoke named is a ManagedCluster the hub accepted, registered from its own cluster. */
const expectRegistered = (spokes: string[]) => registered(lab, spokes);

const spokeSteps = (spoke: string) =>
    [`${spoke}-cluster`, `${spoke}-kubeconfig`, `${spoke}-join`, `${spoke}-accept`, `${spoke}-available`].sort();

describe.each(["kind", "k3d"] as const)("%s stack, day two, on the real engine", (stack) => {
    it("adds a spoke a day after the first tokens expired, running only its steps; removing it deletes only its own", async () => {
        lab = new EngineLab();
        lab.configure(stack, base);
        expectSucceeded(await lab.frontDoorSteps("up", stack));
        lab.fake.advanceClock(24 * 3600);
        lab.configure(stack, { spokes: ["spoke1", "spoke2", "spoke3"] });
        const grown = await lab.frontDoorSteps("up", stack);
        expectSucceeded(grown);
        expect(grown.ran).toEqual(spokeSteps("spoke3"));
        expectRegistered(["spoke1", "spoke2", "spoke3"]);

        lab.fake.clearCalls();
        lab.configure(stack, { spokes: ["spoke1", "spoke2"] });
        const shrunk = await lab.frontDoorSteps("up", stack);
        expectSucceeded(shrunk);
        // only spoke3's delete steps ran: its ManagedCluster's removal and its cluster's
        expect(shrunk.ran).toEqual(["spoke3-accept", "spoke3-cluster"]);
        expect(lab.fake.clusters().sort()).toEqual([`${stack} hub`, `${stack} spoke1`, `${stack} spoke2`]);
        expect(lab.fake.exists(`${lab.fake.cluster("hub")}/hub/managedclusters/spoke3`)).toBe(false);
        // its ManagedCluster left the hub before its cluster went
        const calls = lab.fake.calls();
        const managedGone = calls.findIndex((c) => / delete managedcluster spoke3( |$)/.test(c));
        const clusterGone = calls.findIndex((c) => c.startsWith(`${stack} `) && / delete .*spoke3/.test(c));
        expect(managedGone).toBeGreaterThanOrEqual(0);
        expect(clusterGone).toBeGreaterThan(managedGone);
        expect(lab.stateNames(stack).filter((n) => n.startsWith("spoke3-"))).toEqual([]);
    });

    // A fault at each of a spoke's steps, each planted on a spoke of its own in one lab: step, fault,
    // message, and the step after it on that spoke, which never runs (none after the Available wait
    // in this lab). Creating a cluster and fetching its
    // kubeconfig are each runtime's own scripts: both stacks. The steps after them run the same scripts
    // and engine on either runtime: the kind stack only, which keeps the engine tier within CI's time.
    const allFaults: [string, string, RegExp, string?][] = [
        ["create", `${stack}-create-spoke1`, /create failed for cluster spoke1/, "spoke1-kubeconfig"],
        ["kubeconfig", `${stack}-kubeconfig-spoke2`, /kubeconfig failed for cluster spoke2/, "spoke2-join"],
        ["join", "clusteradm-join-spoke3", /join failed for cluster spoke3/, "spoke3-accept"],
        ["accept", "clusteradm-accept-spoke4", /accept failed for cluster spoke4/, "spoke4-available"],
        [
            "wait",
            "available-spoke5",
            /wait-available failed for cluster spoke5: spoke5 did not become Available within \d+s/,
        ],
    ];
    const faults = allFaults.filter(([step]) => stack === "kind" || ["create", "kubeconfig"].includes(step));
    it(`a failure at ${faults.map(([step]) => step).join(", ")} names the step, the cluster and the next command; every independent step still runs; a re-run completes`, async () => {
        lab = new EngineLab();
        const faulty = faults.map((_, i) => `spoke${i + 1}`);
        const healthy = `spoke${faults.length + 1}`;
        lab.configure(stack, { ...base, spokes: [...faulty, healthy] });
        faults.forEach(([, fault]) => lab.fake.fault(fault));
        const failed = await lab.frontDoorSteps("up", stack);
        expectFailed(failed);
        expect(failed.output).toMatch(
            new RegExp(
                `ocm-lab: up failed at ${faults.length} step\\(s\\)[^\\n]*\\n(\\s+- [^\\n]+\\n\\s+next: \\S+[^\\n]*\\n)+next: `,
            ),
        );
        for (const [, , message, dependent] of faults) {
            expect(failed.output).toMatch(message);
            if (dependent) {
                expect(failed.ran).not.toContain(dependent);
            }
        }
        // the spoke without a fault went all the way
        expect(failed.ran).toEqual(expect.arrayContaining(spokeSteps(healthy)));
        // The provider quotes the command it ran: a short path, never the script's text or a secret.
        expect(failed.output).toMatch(/running "scripts\/[a-z0-9/-]+\.sh":/);
        expect(failed.output).not.toMatch(/set -euo pipefail|require_env|eyJfake|client-key-data/);
        faults.forEach(([, fault]) => lab.fake.clearFault(fault));
        const fixed = await lab.frontDoorSteps("up", stack);
        expectSucceeded(fixed);
        expect(fixed.ran.filter((step) => step.startsWith(`${healthy}-`))).toEqual([]); // kept in state
        expectRegistered([...faulty, healthy]);
        expect(lab.fake.leftoverTempFiles()).toEqual([]);
    });

    it("re-runs no step for a new wait bound or a reworded script, and every join for a changed join.sh", async () => {
        lab = new EngineLab();
        lab.configure(stack, base);
        expectSucceeded(await lab.frontDoorSteps("up", stack));
        lab.fake.clearCalls();

        lab.configure(stack, { timeoutSeconds: 45 });
        const preview = await lab.frontDoorSteps("preview", stack);
        expectSucceeded(preview);
        expect(preview.output).not.toMatch(/command:local:Command\s+\S+\s+(update|create|replace)/);
        const longer = await lab.frontDoorSteps("up", stack);
        expectSucceeded(longer);
        expect(longer.ran).toEqual([]);

        // A pull request that only rewords comments and messages changes nothing.
        const joinScript = path.join(lab.project, "scripts", "join.sh");
        const original = fs.readFileSync(joinScript, "utf8");
        fs.writeFileSync(joinScript, original.replace(/^# (.*)$/m, "# Reworded: $1"));
        const reworded = await lab.frontDoorSteps("up", stack);
        expectSucceeded(reworded);
        expect(reworded.ran).toEqual([]);
        expect(lab.fake.calls("clusteradm").filter((c) => c !== "clusteradm version")).toEqual([]);

        // One that changes what join does re-runs every join, and only the joins, with today's bound.
        const changed = original.replace("set_qos_flags\n", "set_qos_flags\ntrue\n");
        expect(changed).not.toBe(original);
        fs.writeFileSync(joinScript, changed);
        const edited = await lab.frontDoorSteps("up", stack);
        expectSucceeded(edited);
        expect(edited.ran).toEqual(["spoke1-join", "spoke2-join"]);
        const joins = lab.fake.calls("clusteradm").filter((c) => c.startsWith("clusteradm join"));
        expect(joins).toHaveLength(2);
        joins.forEach((join) => expect(join).toContain("--timeout 45"));
        expectRegistered(["spoke1", "spoke2"]);
    });

    it("rebuilds a spoke with up --replace <spoke>-cluster: it joins anew and its new klusterlet is approved", async () => {
        lab = new EngineLab();
        lab.configure(stack, base);
        expectSucceeded(await lab.frontDoorSteps("up", stack));
        const oldAgent = lab.fake.read(`${lab.fake.cluster("spoke1")}/agent/id`).trim();
        const replaced = await lab.frontDoorSteps("up", stack, "--replace", "spoke1-cluster");
        expectSucceeded(replaced);
        // the old cluster's delete (delete before replace: one kind or k3d name), then spoke1's steps anew
        expect(replaced.ran).toEqual([...spokeSteps("spoke1"), "spoke1-cluster"].sort());
        const newAgent = lab.fake.read(`${lab.fake.cluster("spoke1")}/agent/id`).trim();
        expect(newAgent).not.toBe(oldAgent);
        expect(lab.fake.csr("spoke1", newAgent)).toMatch(/^approved/);
        expectRegistered(["spoke1", "spoke2"]);

        const unknown = await lab.frontDoorSteps("up", stack, "--replace", "spoke9-cluster");
        expectFailed(unknown);
        expect(unknown.output).toMatch(
            /--replace: no resource named spoke9-cluster .*spoke1-cluster.*; nothing was changed/,
        );
        expect(unknown.ran).toEqual([]);
    });

    it("rebuilds the clusters for a new node image, fetching each kubeconfig again and joining with the new CA", async () => {
        lab = new EngineLab();
        lab.configure(stack, { ...base, spokes: ["spoke1"] });
        expectSucceeded(await lab.frontDoorSteps("up", stack));
        const oldCa = lab.fake.read(`${lab.fake.cluster("spoke1")}/ca.pem`);
        const imageKey = stack === "kind" ? "kindNodeImage" : "k3dNodeImage";
        lab.configure(stack, { [imageKey]: stack === "kind" ? "kindest/node:v1.31.1" : "rancher/k3s:v1.33.7-k3s1" });
        const rebuilt = await lab.frontDoorSteps("up", stack);
        expectSucceeded(rebuilt);
        expect(rebuilt.ran).toEqual(expect.arrayContaining(["spoke1-cluster", "spoke1-kubeconfig", "spoke1-join"]));
        expect(lab.fake.read(`${lab.fake.cluster("spoke1")}/ca.pem`)).not.toBe(oldCa);
        expectRegistered(["spoke1"]);
    });

    it("destroys a lab one of whose clusters was deleted by hand, and refuses to destroy while Docker is down", async () => {
        lab = new EngineLab();
        lab.configure(stack, base);
        expectSucceeded(await lab.frontDoorSteps("up", stack));
        lab.fake.deleteClusterByHand("spoke1");

        fs.writeFileSync(path.join(lab.fake.state, "docker-down"), "");
        const refused = await lab.frontDoorSteps("destroy", stack);
        expectFailed(refused);
        expect(refused.output).toMatch(
            /Docker is not reachable .* nothing was changed\. Start Docker, then npm run destroy -- /,
        );
        expect(lab.stateNames(stack)).toContain("hub-cluster");
        fs.rmSync(path.join(lab.fake.state, "docker-down"));

        expectSucceeded(await lab.frontDoorSteps("destroy", stack));
        expect(lab.fake.clusters()).toEqual([]);
        expect(lab.stateNames(stack)).toEqual([]);
    });
});

// init is one script on either runtime: on the kind stack only, for CI's time.
describe("kind stack, a failure at the hub, on the real engine", () => {
    it("a failure at init names it, stops every join, lets each spoke's cluster steps run, and a re-run completes", async () => {
        lab = new EngineLab();
        lab.configure("kind", base);
        lab.fake.fault("clusteradm-init-hub");
        const failed = await lab.frontDoorSteps("up", "kind");
        expectFailed(failed);
        expect(failed.output).toMatch(/init failed for cluster hub/);
        expect(failed.output).toMatch(/ocm-lab: up failed at 1 step\(s\)[^\n]*\n\s+- hub-init: [^\n]+\n\s+next: /);
        expect(failed.ran.filter((step) => step.endsWith("-join"))).toEqual([]);
        expect(failed.ran).toEqual(expect.arrayContaining(["spoke1-kubeconfig", "spoke2-kubeconfig"]));
        lab.fake.clearFault("clusteradm-init-hub");
        expectSucceeded(await lab.frontDoorSteps("up", "kind"));
        expectRegistered(["spoke1", "spoke2"]);
    });
});

// A join is one script on either runtime: on the kind stack only, for CI's time.
describe("kind stack, a join retried later, on the real engine", () => {
    const stack = "kind";
    it("retries a failed join two hours later with a token minted for it", async () => {
        lab = new EngineLab();
        lab.configure(stack, base);
        lab.fake.fault("clusteradm-join-spoke2");
        expectFailed(await lab.frontDoorSteps("up", stack));
        lab.fake.clearFault("clusteradm-join-spoke2");
        lab.fake.advanceClock(2 * 3600); // any token minted before is expired now
        const retried = await lab.frontDoorSteps("up", stack);
        expectSucceeded(retried);
        expect(retried.ran).toEqual(["spoke2-accept", "spoke2-available", "spoke2-join"]);
        expectRegistered(["spoke1", "spoke2"]);
    });
});
