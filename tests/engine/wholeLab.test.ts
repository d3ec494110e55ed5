/**
 * The engine tier with the whole lab: Argo CD, the smoke work and the image cache on, as a user's
 * default stack has them, through the front door on the real Pulumi engine. Argo CD's and the smoke
 * work's objects go through the kubernetes stand-in (tests/engine/plugins/kubernetes.ts), which records
 * them where the fake controllers react; the image cache's mirrors and volumes are made on the real
 * Docker engine by the docker stand-in, with the registry image the tests import (never pulled).
 * The image cache's own test keeps Argo CD off and runs on the real kubernetes provider.
 */
import * as fs from "fs";
import * as path from "path";
import { EngineLab, expectFailed, expectSucceeded, requireEngineTier, wholeLab, withoutApiObjects } from "./engineLab";
import {
    adminHash,
    cacheVolumes,
    changesIn,
    deletedInOrder,
    expectGuestbook,
    expectRegistered,
    expectSmokePodRunning,
    madeCacheVolumes,
    managedCluster,
    mirrorContainers,
    mirrorNames,
    mirrorsSeen,
    networkExists,
    smokeWork,
    stackOutput,
} from "./labWorld";
import { measuredBlock } from "../../figures/bench";
import { RunRecord } from "../../cli/runRecord";
import { scaledBound } from "../harness/fakeLab";
import { versions } from "../../versions";
import { expectInOrder } from "../harness/order";

requireEngineTier();

let lab: EngineLab;
afterEach(() => lab?.dispose());

/** The run records the front door wrote in the lab's copy, oldest first. */
function runRecords(stack: string): { file: string; record: RunRecord }[] {
    const dir = path.join(lab.project, ".ocm-lab", stack, "runs");
    return fs
        .readdirSync(dir)
        .sort()
        .map((name) => ({ file: name, record: JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")) }));
}

describe.each(["kind", "k3d"] as const)("%s stack, the whole lab, on the real engine", (stack) => {
    const spokes = ["spoke1", "spoke2"];

    it("comes up with the add-on, the guestbook and the smoke work on every spoke, measures itself, and destroys to the cache", async () => {
        lab = new EngineLab({ kubernetes: "stand-in" });
        lab.configure(stack, wholeLab);
        const up = await lab.frontDoorSteps("up", stack);
        expectSucceeded(up);
        expect(lab.fake.clusters().sort()).toEqual([`${stack} hub`, `${stack} spoke1`, `${stack} spoke2`]);
        expectRegistered(lab, spokes);
        expectGuestbook(lab, spokes);
        expectSmokePodRunning(lab, spokes); // the hub's work, run by each spoke
        // each klusterlet points at the hub's in-network address, never the host's
        const internal = stack === "kind" ? "https://hub-control-plane:6443" : "https://k3d-hub-server-0:6443";
        for (const spoke of spokes) {
            expect(lab.fake.read(`${lab.fake.cluster(spoke)}/agent/bootstrap-hub-kubeconfig`)).toContain(
                `server: ${internal}`,
            );
        }
        // the lab's network and mirrors are on the real Docker engine, and every cluster was made with
        // all of its mirrors already there on that network
        expect(networkExists(lab, `ocm-lab-${stack}`)).toBe(true);
        expect(mirrorContainers(lab)).toEqual(mirrorNames(stack));
        expect(madeCacheVolumes(lab)).toEqual(cacheVolumes());
        for (const cluster of ["hub", ...spokes]) {
            expect(mirrorsSeen(lab, cluster)).toEqual(mirrorNames(stack).map((m) => `${m} up`));
        }
        // the lab's own password, which the operator hashed; secret in the state and in every line printed
        const password = stackOutput(lab, stack, "argocdAdminPassword");
        expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
        expect(adminHash(lab)).toBe(`bcrypt:${password}`);
        expect(lab.pulumi(["stack", "export", "--stack", stack]).stdout).not.toContain(password);
        expect(up.output).not.toContain(password);

        // the run record: one line per step that ran, names, scripts, times and exit codes only
        const [{ file, record }] = runRecords(stack);
        expect(record.steps.map((s) => s.step).sort()).toEqual(up.ran);
        expect(record.steps.every((s) => s.exit === 0 && s.end >= s.start && s.start >= record.started)).toBe(true);
        expect(Object.keys(record.steps[0]).sort()).toEqual(["end", "exit", "script", "start", "step"]);
        const text = JSON.stringify(record);
        expect(text).not.toMatch(/eyJ|BEGIN|client-key-data|hub-token/);
        expect(text).not.toContain(password);
        expect(up.output).toMatch(
            /critical path as taken: \S+-cluster .* → .*\n.*slowest step: .*\n.*time to Available: spoke1 /,
        );
        // npm run bench -- --run <record>: the record next to the model
        const block = await measuredBlock(record, file);
        expect(block).toMatch(new RegExp(`^### ${stack}\n\nFrom \`${file.replace(/\./g, "\\.")}\` \\(\`npm run up\``));
        expect(block).toMatch(/\n\| join \| 2 \| \d+\.\d \| 47 \|\n/); // both joins, against the assumed 47 s

        const again = await lab.frontDoorSteps("up", stack);
        expectSucceeded(again);
        expect(again.ran).toEqual([]);
        // every resource the first up created, unchanged, and nothing else
        const created = /\n +\+ (\d+) created\n/.exec(up.output)?.[1];
        expect(again.output).toMatch(new RegExp(`Resources:\n +${created} unchanged\n`));

        // npm run status: one row per ManagedCluster, from the hub, and ready
        const status = await lab.frontDoor("status", stack);
        expectSucceeded(status);
        for (const spoke of spokes) {
            expect(status.output).toMatch(
                new RegExp(
                    `\n${spoke} +default +csr +True +True +Applied=True,Available=True +Available=True +guestbook-${spoke}: Synced/Healthy\n`,
                ),
            );
        }
        expect(status.output).toContain("ocm-lab: ready: 2 spoke(s), add-on and apps");
        // offline, a mirror keeps restarting: status counts those running, whichever they are
        expect(status.output).toMatch(/ocm-lab: image cache: \d of 6 mirrors running/);
        expect(status.output).not.toContain(password);
        // a spoke that stops heartbeating: once the hub gives up on its lease, status fails, naming it
        // and the command that shows why
        lab.fake.stopHeartbeat("spoke2");
        lab.fake.advanceClock(Math.ceil(lab.fake.leaseGraceSeconds()) + 1);
        const unhealthy = await lab.frontDoor("status", stack);
        expectFailed(unhealthy);
        expect(unhealthy.output).toContain(
            `ocm-lab: not ready: spoke2: ManagedCluster joined=True available=Unknown; next: kubectl --context ${stack}-hub describe managedcluster spoke2`,
        );
        expect(unhealthy.output).not.toMatch(/not ready: spoke1/);
        lab.fake.clearFault("available-spoke2");

        lab.fake.clearCalls();
        const destroy = await lab.frontDoor("destroy", stack);
        expectSucceeded(destroy);
        expect(lab.fake.clusters()).toEqual([]);
        expect(networkExists(lab, `ocm-lab-${stack}`)).toBe(false);
        expect(mirrorContainers(lab)).toEqual([]);
        expect(madeCacheVolumes(lab)).toEqual(cacheVolumes()); // the cache outlives the lab
        expect(lab.state(stack).filter((r) => !r.type.startsWith("pulumi:"))).toEqual([]);
        // what lives in a cluster went with it, unasked: no unjoin, no ManagedCluster removed one by one
        expect(lab.fake.calls("clusteradm").filter((c) => /^clusteradm (unjoin|clean) /.test(c))).toEqual([]);
        expect(destroy.output).not.toContain("ManagedCluster removed from the hub");
        const deleted = deletedInOrder(destroy.output);
        expectInOrder(deleted, "hub-init", "hub-cluster");
        expect(lab.fake.leftoverTempFiles()).toEqual([]);

        const purged = await lab.frontDoor("destroy", stack, "--purge-cache");
        expectSucceeded(purged);
        expect(madeCacheVolumes(lab)).toEqual([]);
    });

    it("turned off, the image cache's mirrors go and each cluster is made anew without them; the cache stays", async () => {
        // the real kubernetes provider: Argo CD and the smoke work stay off
        lab = new EngineLab();
        lab.configure(stack, { ...withoutApiObjects, imageCache: true });
        expectSucceeded(await lab.frontDoor("up", stack));
        expect(mirrorContainers(lab)).toEqual(mirrorNames(stack));
        const configFile = `${lab.fake.cluster("spoke1")}/${stack === "kind" ? "config" : "registries.yaml"}`;
        expect(lab.fake.read(configFile)).toContain(`http://ocm-lab-${stack}-mirror-quay-io:5000`);

        lab.configure(stack, { imageCache: false });
        const off = await lab.frontDoorSteps("up", stack);
        expectSucceeded(off);
        // containerd reads its mirrors when a node starts, so each cluster is made again
        expect(off.ran).toEqual(expect.arrayContaining(["hub-cluster", "spoke1-cluster", "spoke2-cluster"]));
        expect(lab.fake.exists(configFile)).toBe(false);
        expectRegistered(lab, spokes);
        expect(mirrorContainers(lab)).toEqual([]);
        expect(madeCacheVolumes(lab)).toEqual(cacheVolumes());
        expect(networkExists(lab, `ocm-lab-${stack}`)).toBe(true);
    });
});

// On the kind stack only, for CI's time: what differs by runtime here (making, rebuilding and
// deleting a cluster) runs on both stacks in dayTwo.test.ts, and the smoke work's wait is one script.
describe("kind stack, the whole lab on day two, on the real engine", () => {
    const stack = "kind";

    it("on day two adds a spoke, re-joins for new join settings, rotates the admin password, rebuilds a spoke, removes one, and turns the smoke work off", async () => {
        lab = new EngineLab({ kubernetes: "stand-in" });
        lab.configure(stack, wholeLab);
        expectSucceeded(await lab.frontDoor("up", stack));

        // a spoke added after the first tokens expired: only its steps run, and it joins
        lab.fake.advanceClock(24 * 3600);
        const all = ["spoke1", "spoke2", "spoke3"];
        lab.configure(stack, { spokes: all });
        const grown = await lab.frontDoorSteps("up", stack);
        expectSucceeded(grown);
        expect(grown.ran).toEqual(
            [
                "spoke3-accept",
                "spoke3-addon-available",
                "spoke3-available",
                "spoke3-cluster",
                "spoke3-guestbook-available",
                "spoke3-join",
                "spoke3-kubeconfig",
                "spoke3-smoke-ready",
            ].sort(),
        );
        expectRegistered(lab, all);
        expectGuestbook(lab, ["spoke3"]);
        expectSmokePodRunning(lab, ["spoke3"]);

        // join settings changed a day later: every join runs again, with a token minted for it
        lab.fake.advanceClock(24 * 3600);
        lab.configure(stack, { resourceQosClass: "BestEffort" });
        const qos = await lab.frontDoorSteps("up", stack);
        expectSucceeded(qos);
        expect(qos.ran).toEqual(expect.arrayContaining(["spoke1-join", "spoke2-join", "spoke3-join"]));
        expectRegistered(lab, all);

        // the admin password rotates: a new secret, re-hashed by the operator, and nothing else runs
        const old = stackOutput(lab, stack, "argocdAdminPassword");
        const rotated = await lab.frontDoorSteps("up", stack, "--replace", "argocd-admin-password");
        expectSucceeded(rotated);
        expect(rotated.ran).toEqual(["argocd-password-seeded"]);
        // argocd-cluster is updated in place, never deleted meanwhile, and nothing else is replaced
        const { "argocd-password-seeded": seeded, ...changed } = changesIn(rotated.output);
        expect(seeded).toBeDefined();
        expect(changed).toEqual({ "argocd-admin-password": "replaced", "argocd-cluster-secret": "updated" });
        const fresh = stackOutput(lab, stack, "argocdAdminPassword");
        expect(fresh).not.toBe(old);
        expect(adminHash(lab)).toBe(`bcrypt:${fresh}`);

        // the app pinned at another revision: Argo CD syncs it from there to every spoke
        const revision = "0123456789abcdef0123456789abcdef01234567";
        lab.configure(stack, { argocd: { appRevision: revision } });
        expectSucceeded(await lab.frontDoor("up", stack));
        const moved = `${versions.guestbookRepo} ${versions.guestbookPath} ${revision}`;
        // OutOfSync until the new revision is synced (status reads the hub's Applications)
        const deadline = Date.now() + scaledBound(120, 5) * 1000;
        let status = await lab.frontDoor("status", stack);
        while (/OutOfSync/.test(status.output) && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 200));
            status = await lab.frontDoor("status", stack);
        }
        for (const spoke of all) {
            expect(status.output).toContain(`guestbook-${spoke}: Synced/Healthy`);
        }
        expectGuestbook(lab, all, undefined, moved);

        // a rebuilt spoke: its new klusterlet is approved, and the add-on and guestbook reach it again
        const oldAgent = lab.fake.read(`${lab.fake.cluster("spoke1")}/agent/id`).trim();
        const rebuilt = await lab.frontDoorSteps("up", stack, "--replace", "spoke1-cluster");
        expectSucceeded(rebuilt);
        expect(rebuilt.ran).toEqual(
            expect.arrayContaining([
                "spoke1-cluster",
                "spoke1-kubeconfig",
                "spoke1-join",
                "spoke1-accept",
                "spoke1-available",
                "spoke1-addon-available",
                "spoke1-guestbook-available",
            ]),
        );
        expect(rebuilt.ran.filter((step) => !step.startsWith("spoke1-"))).toEqual([]);
        const newAgent = lab.fake.read(`${lab.fake.cluster("spoke1")}/agent/id`).trim();
        expect(newAgent).not.toBe(oldAgent);
        // the old klusterlet's approved CSR is still listed: a plain accept would have skipped both
        expect(lab.fake.csr("spoke1", oldAgent)).toMatch(/^approved/);
        expect(lab.fake.csr("spoke1", newAgent)).toMatch(/^approved/);
        expectGuestbook(lab, ["spoke1"], undefined, moved);

        // a spoke dropped: its work goes before its ManagedCluster, which goes before its cluster
        lab.configure(stack, { spokes: ["spoke1", "spoke3"] });
        const shrunk = await lab.frontDoor("up", stack);
        expectSucceeded(shrunk);
        const deleted = deletedInOrder(shrunk.output);
        expectInOrder(deleted, "spoke2-smoke-work", "spoke2-accept", "spoke2-cluster");
        expect(lab.fake.exists(smokeWork(lab, "spoke2"))).toBe(false);
        expect(lab.fake.exists(managedCluster(lab, "spoke2"))).toBe(false);

        // the smoke work turned off: the works go (their Pods follow: the agent deletes in the Foreground)
        lab.configure(stack, { smokeWork: false });
        const off = await lab.frontDoor("up", stack);
        expectSucceeded(off);
        expect(deletedInOrder(off.output).sort()).toEqual([
            "spoke1-smoke-ready",
            "spoke1-smoke-work",
            "spoke3-smoke-ready",
            "spoke3-smoke-work",
        ]);
        expect(lab.fake.exists(smokeWork(lab, "spoke1"))).toBe(false);

        // the add-on turned off: helm uninstalls the chart, the namespace terminates, and each spoke's
        // add-on goes once its cleanup Job ran there; the spokes live on
        lab.configure(stack, { argocd: { enabled: false } });
        const addonOff = await lab.frontDoor("up", stack);
        expectSucceeded(addonOff);
        const gone = deletedInOrder(addonOff.output);
        expect(gone).toEqual(expect.arrayContaining(["argocd-release", "argocd-namespace", "argocd-guestbook"]));
        expectInOrder(gone, "argocd-release", "argocd-namespace");
        const hub = lab.fake.cluster("hub");
        expect(lab.fake.exists(`${hub}/hub/addon-installed`)).toBe(false);
        expect(lab.fake.exists(`${hub}/hub/helm/argocd.argocd-agent-addon`)).toBe(false);
        const addonsGone = () =>
            ["spoke1", "spoke3"].every((spoke) => !lab.fake.exists(`${hub}/objects/managedclusteraddon/${spoke}`));
        expect(lab.fake.eventually(addonsGone, scaledBound(15, 5))).toBe(true);
        expectRegistered(lab, ["spoke1", "spoke3"]);
    });

    it("stops at a smoke work that never applies, naming the spoke and the next command, lets the other spoke finish, and resumes", async () => {
        lab = new EngineLab({ kubernetes: "stand-in" });
        lab.configure(stack, wholeLab);
        lab.fake.fault("work-spoke2");
        const failed = await lab.frontDoorSteps("up", stack);
        expectFailed(failed);
        expect(failed.output).toMatch(
            /smoke-work failed for cluster spoke2: ManifestWork ocm-lab-smoke was not Applied and Available within \d+s\n\s+next: kubectl --context \S+ get manifestwork ocm-lab-smoke -n spoke2 -o yaml/,
        );
        expect(failed.ran).toContain("spoke1-smoke-ready");
        expectSmokePodRunning(lab, ["spoke1"]);
        // the run record keeps the failed step, with its exit code
        const [{ record }] = runRecords(stack);
        expect(record.steps.find((s) => s.step === "spoke2-smoke-ready")?.exit).toBe(1);

        lab.fake.clearFault("work-spoke2");
        const resumed = await lab.frontDoorSteps("up", stack);
        expectSucceeded(resumed);
        expect(resumed.ran).toEqual(["spoke2-smoke-ready"]);
        expectSmokePodRunning(lab, ["spoke2"]);
    });
});
