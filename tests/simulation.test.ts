/**
 * The whole lab, up and down, with no Docker: the real program and config from the stack files,
 * every step executed against fake tools that reject what the real ones reject.
 */
import * as fs from "fs";
import * as path from "path";
import { FakeLab } from "./harness/fakeLab";
import { Simulation } from "./harness/simulation";
import { measuredBlock, measuredSection, renderBench, withMeasuredBlock } from "../tools/bench";
import { readStepTimings, renderRunSummary, stepDependencies, summariseRun, writeRunRecord } from "../tools/runRecord";
import { DockerRun, purgeCache } from "../tools/imageCache";
import { spawnSync } from "child_process";

jest.setTimeout(180_000);

let lab: FakeLab;
beforeEach(() => {
    lab = new FakeLab();
});
afterEach(() => {
    lab.dispose();
});

/** Names of the clusters on the fake machine (this file runs one runtime at a time). */
const clusters = () => lab.clusters().map((c) => c.split(" ")[1]);
const listed = (folder: string) => (lab.exists(folder) ? fs.readdirSync(path.join(lab.state, folder)).sort() : []);
const networks = () => listed("networks");
/** The image cache on the fake machine: mirror containers and cache volumes. */
const containers = () => listed("containers");
const volumes = () => listed("volumes");
/** The mirrored registries' names as docker names, sorted as the fake machine lists them. */
const slugs = ["docker-io", "gcr-io", "ghcr-io", "public-ecr-aws", "quay-io", "registry-k8s-io"];
const cacheVolumes = slugs.map((r) => `ocm-lab-cache-${r}`);
/** What each cluster's runtime found of its mirrors when the cluster was made ("<host> up|missing"). */
const mirrorsSeen = (cluster: string) =>
    lab
        .read(`${lab.cluster(cluster)}/mirrors`)
        .trim()
        .split("\n");
/** The fake docker, as the front door's purge-cache calls it. */
const fakeDocker: DockerRun = (args) => {
    const result = spawnSync("docker", args, { env: lab.env(), encoding: "utf8" });
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
};
const managedCluster = (spoke: string) => `${lab.cluster("hub")}/hub/managedclusters/${spoke}`;

/** What `kubectl get managedclusters` on the hub would say, from the fake state. */
function expectRegistered(spokes: string[]) {
    for (const spoke of spokes) {
        expect(lab.read(`${managedCluster(spoke)}/accepted`).trim()).toBe("true");
        // the klusterlet that registered runs in that spoke's own node container
        expect(lab.read(`${managedCluster(spoke)}/spoke`).trim()).toBe(path.basename(lab.cluster(spoke)));
    }
}

/** What the fake Argo CD operator hashed into argocd-secret ("bcrypt:<password>"). */
const adminHash = () =>
    Buffer.from(
        lab.read(`${lab.cluster("hub")}/objects/secret/argocd/argocd-secret/data/admin.password`),
        "base64",
    ).toString();

/** The smoke ManifestWork's Pod, as the spoke runs it (the fake work agent's record). */
const smokePod = (spoke: string) => `${lab.cluster(spoke)}/objects/pod/default/hello`;

function expectGuestbook(spokes: string[]) {
    for (const spoke of spokes) {
        expect(
            lab.read(`${lab.cluster(spoke)}/objects/deployment/guestbook/guestbook-ui/conditions/Available`).trim(),
        ).toBe("True");
    }
}

describe.each(["kind", "k3d"] as const)("%s stack", (stack) => {
    it("1. up from nothing: every spoke joined, accepted and Available, guestbook on each", async () => {
        const sim = new Simulation(lab, stack);
        const up = await sim.up();
        expect(up.error).toBeUndefined();
        expect(clusters().sort()).toEqual(["hub", "spoke1", "spoke2"]);
        expectRegistered(["spoke1", "spoke2"]);
        expectGuestbook(["spoke1", "spoke2"]);
        for (const spoke of ["spoke1", "spoke2"]) {
            expect(lab.read(`${smokePod(spoke)}/phase`).trim()).toBe("Running"); // the hub's work, run by the spoke
        }
        // Each klusterlet points at the hub's in-network address, never the host's.
        const internal = stack === "kind" ? "https://hub-control-plane:6443" : "https://k3d-hub-server-0:6443";
        for (const spoke of ["spoke1", "spoke2"]) {
            expect(lab.read(`${lab.cluster(spoke)}/agent/bootstrap-hub-kubeconfig`)).toContain(`server: ${internal}`);
        }
        expect(networks()).toEqual([`ocm-lab-${stack}`]);
        expect(lab.read(`networks/ocm-lab-${stack}`).trim()).toBe("bridge"); // made by the lab, not by kind or k3d
        // every cluster was made with all four mirrors already running on its network
        for (const cluster of ["hub", "spoke1", "spoke2"]) {
            expect(lab.read(`${lab.cluster(cluster)}/network`).trim()).toBe(`ocm-lab-${stack}`);
            expect(mirrorsSeen(cluster)).toEqual(slugs.map((r) => `ocm-lab-${stack}-mirror-${r} up`));
        }
        // the lab's own password, which the operator hashed (not one the operator made up)
        const password = up.run!.outputs.argocdAdminPassword as string;
        expect(password).toMatch(/^[0-9a-f]{24}$/);
        expect(adminHash()).toBe(`bcrypt:${password}`);
        expect(lab.leftoverTempFiles()).toEqual([]);
    });

    it("2. destroy: nothing left, in-cluster objects skipped with their clusters", async () => {
        const sim = new Simulation(lab, stack);
        expect((await sim.up()).error).toBeUndefined();
        const { deleted, skipped } = await sim.destroy();
        expect(clusters()).toEqual([]);
        expect(networks()).toEqual([]);
        expect(containers()).toEqual([]);
        expect(volumes()).toEqual(cacheVolumes); // the cache outlives the lab
        expect(lab.leftoverTempFiles()).toEqual([]);
        expect(sim.stateNames()).toEqual([]);
        expect(deleted).toEqual(expect.arrayContaining(["hub-cluster", "spoke1-cluster", "spoke2-cluster"]));
        expect(skipped).toEqual(expect.arrayContaining(["argocd-release", "argocd-guestbook", "spoke1-accept"]));
        // Clusters go after everything that depends on them.
        expect(deleted.indexOf("hub-cluster")).toBeGreaterThan(deleted.indexOf("hub-init"));
    });

    it("4. a second up with the same config changes nothing", async () => {
        const sim = new Simulation(lab, stack);
        const first = await sim.up();
        expect(first.error).toBeUndefined();
        lab.clearCalls();
        const second = await sim.up();
        expect(second.error).toBeUndefined();
        expect(second.changed).toEqual([]);
        expect(lab.calls()).toEqual([]);
        for (const r of first.run!.resources) {
            expect(second.run!.resources.find((x) => x.urn === r.urn)!.inputs).toEqual(r.inputs);
        }
    });

    it("5. a spoke added after the first tokens expired: only its resources run, and it joins", async () => {
        const sim = new Simulation(lab, stack);
        expect((await sim.up()).error).toBeUndefined();
        lab.advanceClock(24 * 3600);
        const grown = await sim.up({ spokes: ["spoke1", "spoke2", "spoke3"] });
        expect(grown.error).toBeUndefined();
        expect(grown.executed.sort()).toEqual(
            [
                "spoke3-cluster",
                "spoke3-kubeconfig",
                "spoke3-join",
                "spoke3-accept",
                "spoke3-available",
                "spoke3-addon-available",
                "spoke3-guestbook-available",
                "spoke3-smoke-ready",
            ].sort(),
        );
        expectRegistered(["spoke1", "spoke2", "spoke3"]);
        expectGuestbook(["spoke3"]);
    });

    it("5b. join settings changed a day later: join runs again, with a token minted for it", async () => {
        const sim = new Simulation(lab, stack);
        expect((await sim.up()).error).toBeUndefined();
        lab.advanceClock(24 * 3600);
        const changed = await sim.up({ resourceQosClass: "BestEffort" });
        expect(changed.error).toBeUndefined();
        expect(changed.executed).toEqual(expect.arrayContaining(["spoke1-join", "spoke2-join"]));
        expectRegistered(["spoke1", "spoke2"]);
    });

    it("11. every step measures itself: a run record with the path as taken and each spoke's time to Available", async () => {
        const sim = new Simulation(lab, stack);
        const started = Date.now();
        const up = await sim.up();
        expect(up.error).toBeUndefined();
        const record = { stack, command: "up", started, ended: Date.now(), steps: readStepTimings(stack, started) };
        // one line per step that ran, no more
        expect(record.steps.map((s) => s.step).sort()).toEqual([...up.executed].sort());
        expect(record.steps.every((s) => s.exit === 0 && s.end >= s.start && s.start >= started)).toBe(true);
        const dependsOn = stepDependencies(up.run!.resources);
        expect(dependsOn["hub-init"]).toContain("hub-kubeconfig");
        const summary = summariseRun(record, dependsOn);
        expect(summary.criticalPath[0].step).toMatch(/-cluster$/);
        expect(summary.criticalPath.at(-1)!.end).toBe(Math.max(...record.steps.map((s) => s.end)));
        summary.criticalPath.slice(1).forEach((s, i) => {
            expect(dependsOn[s.step]).toContain(summary.criticalPath[i].step); // each waited for the one before
            expect(s.start).toBeGreaterThanOrEqual(summary.criticalPath[i].end);
        });
        expect(Object.keys(summary.availableAfter).sort()).toEqual(["spoke1", "spoke2"]);
        const file = writeRunRecord(record);
        const text = fs.readFileSync(file, "utf8");
        // no kubeconfig, token or the (fake) admin password: names, scripts, times and exit codes only
        expect(text).not.toMatch(/eyJ|BEGIN|client-key-data|hub-token/);
        expect(text).not.toContain(up.run!.outputs.argocdAdminPassword as string);
        expect(Object.keys(record.steps[0]).sort()).toEqual(["end", "exit", "script", "start", "step"]);
        expect(renderRunSummary(record, dependsOn, file)).toMatch(
            /critical path as taken: \S+-cluster .* → .*\n.*slowest step: .*\n.*time to Available: spoke1 /,
        );
        // npm run bench -- --run <record>: the record next to the model, in docs/bench.md's measured section
        const block = await measuredBlock(record, path.basename(file));
        expect(block).toMatch(
            new RegExp(`^### ${stack}\n\nFrom \`\\S+\\.json\` \\(\`npm run up\`, .*\\): 2 spoke\\(s\\)`),
        );
        expect(block).toMatch(/\n\| join \| 2 \| \d+\.\d \| 47 \|\n/); // both joins, against the assumed 47 s
        const other = stack === "kind" ? "k3d" : "kind";
        const before = withMeasuredBlock(measuredSection(undefined), other, `### ${other}\n\nan earlier run\n`);
        const section = withMeasuredBlock(withMeasuredBlock(before, stack, block), stack, block);
        expect(section.match(new RegExp(`^### ${stack}$`, "gm"))).toHaveLength(1); // replaced, not appended
        expect(section).toContain(`### ${other}\n\nan earlier run`); // the other stack's block is kept
        const doc = await renderBench(section);
        expect(doc).toMatch(/\n\| kind \| 2 \| \d+ \| \d+ \| [\d.]+ min \|/); // the model is still there
        expect(measuredSection(doc)).toBe(section);

        // a step that fails is recorded with its exit code
        const failing = new Simulation(new FakeLab(), stack);
        failing.lab.fault("clusteradm-join-spoke2");
        const since = Date.now();
        expect((await failing.up({ timeoutSeconds: 30 })).error).toBeDefined();
        expect(readStepTimings(stack, since).find((s) => s.step === "spoke2-join")?.exit).toBe(1);
        failing.lab.dispose();
    });

    it("12. the smoke work: its Pod runs on each spoke; off, or a spoke removed, deletes the work first", async () => {
        const sim = new Simulation(lab, stack);
        expect((await sim.up()).error).toBeUndefined();
        const works = () => lab.exists(`${lab.cluster("hub")}/hub/manifestworks/spoke2/ocm-lab-smoke`);
        expect(works()).toBe(true);
        // a spoke dropped from the config: its work goes before its ManagedCluster, which goes before the cluster
        const shrunk = await sim.up({ spokes: ["spoke1"] });
        expect(shrunk.error).toBeUndefined();
        const deleted = shrunk.deleted!;
        expect(deleted.indexOf("spoke2-smoke-work")).toBeGreaterThanOrEqual(0);
        expect(deleted.indexOf("spoke2-smoke-work")).toBeLessThan(deleted.indexOf("spoke2-accept"));
        expect(deleted.indexOf("spoke2-accept")).toBeLessThan(deleted.indexOf("spoke2-cluster"));
        expect(works()).toBe(false);
        // the option turned off: the works go (their Pods follow: the agent deletes in the Foreground)
        const off = await sim.up({ spokes: ["spoke1"], smokeWork: false });
        expect(off.error).toBeUndefined();
        expect(off.deleted!.sort()).toEqual(["spoke1-smoke-ready", "spoke1-smoke-work"]);
        expect(lab.exists(`${lab.cluster("hub")}/hub/manifestworks/spoke1/ocm-lab-smoke`)).toBe(false);
    });

    it("13. a smoke work that never applies fails with the spoke and the next command; the other spoke finishes", async () => {
        const sim = new Simulation(lab, stack);
        lab.fault("work-spoke2");
        const failed = await sim.up({ timeoutSeconds: 30 });
        expect(failed.error?.message).toMatch(
            /smoke-work failed for cluster spoke2: ManifestWork ocm-lab-smoke was not Applied and Available within 30s\n\s+next: kubectl --context \S+ get manifestwork ocm-lab-smoke -n spoke2 -o yaml/,
        );
        expect(failed.executed).toContain("spoke1-smoke-ready");
        expect(lab.read(`${smokePod("spoke1")}/phase`).trim()).toBe("Running");
        lab.clearFault("work-spoke2");
        expect((await sim.up({ timeoutSeconds: 30 })).error).toBeUndefined();
        expect(lab.read(`${smokePod("spoke2")}/phase`).trim()).toBe("Running");
    });

    it("16. a self-managed hub: local-cluster joins from the hub, runs the smoke work, stays out of the add-on; off unjoins it first", async () => {
        const sim = new Simulation(lab, stack);
        const up = await sim.up({ hubSelfManaged: true });
        expect(up.error).toBeUndefined();
        expect(up.run!.outputs.selfManagedCluster).toBe("local-cluster");
        // accepted, and registered by a klusterlet in the hub's own node container
        expect(lab.read(`${managedCluster("local-cluster")}/accepted`).trim()).toBe("true");
        expect(lab.read(`${managedCluster("local-cluster")}/spoke`).trim()).toBe(path.basename(lab.cluster("hub")));
        const join = lab.calls("clusteradm").find((c) => / join .*--cluster-name local-cluster /.test(` ${c} `))!;
        expect(join).toContain("--force-internal-endpoint-lookup");
        // the hub manages itself: the smoke work's Pod runs on the hub
        expect(lab.read(`${smokePod("hub")}/phase`).trim()).toBe("Running");
        // tainted out of the add-on's Placement before the chart went in: the add-on and the
        // guestbook reached the spokes only (the fake add-on never removes what it once placed)
        expect(lab.read(`${managedCluster("local-cluster")}/taints`)).toBe("ocm-lab/self-managed-hub NoSelect\n");
        expect(lab.exists(`${lab.cluster("hub")}/objects/managedclusteraddon/local-cluster`)).toBe(false);
        expect(lab.exists(`${lab.cluster("hub")}/objects/deployment/guestbook`)).toBe(false);
        expectGuestbook(["spoke1", "spoke2"]);
        // a second up changes nothing
        expect((await sim.up({ hubSelfManaged: true })).executed).toEqual([]);

        lab.clearCalls();
        const off = await sim.up({ hubSelfManaged: false });
        expect(off.error).toBeUndefined();
        const deleted = off.deleted!;
        expect(deleted.indexOf("local-cluster-smoke-work")).toBeGreaterThanOrEqual(0);
        expect(deleted.indexOf("local-cluster-smoke-work")).toBeLessThan(deleted.indexOf("local-cluster-accept"));
        // the klusterlet was unjoined (its works gone first), then the ManagedCluster removed
        const calls = lab.calls();
        const unjoin = calls.findIndex((c) => c.startsWith("clusteradm unjoin ") && c.includes("local-cluster"));
        expect(unjoin).toBeGreaterThanOrEqual(0);
        expect(unjoin).toBeLessThan(calls.findIndex((c) => / delete managedcluster local-cluster /.test(` ${c} `)));
        expect(lab.exists(`${lab.cluster("hub")}/agent`)).toBe(false);
        expect(lab.exists(managedCluster("local-cluster"))).toBe(false);
        expect(lab.exists(smokePod("hub"))).toBe(false);
        // the hub and the spokes carry on as they were
        expect(off.executed).toEqual([]);
        expect(clusters().sort()).toEqual(["hub", "spoke1", "spoke2"]);
        expectRegistered(["spoke1", "spoke2"]);
        expect((await sim.destroy()).deleted).toContain("hub-cluster");
        expect(clusters()).toEqual([]);
    });

    it("17. klusterlet modes: default, singleton and hosted spokes all Available; a new mode makes the spoke anew", async () => {
        const sim = new Simulation(lab, stack);
        const spokes = ["spoke1", "spoke2", "spoke3"];
        const hostedOnHub = () => lab.hostedKlusterlets("hub");
        const modes = { spoke2: "singleton", spoke3: "hosted" };
        const up = await sim.up({ spokes, klusterletModes: modes });
        expect(up.error).toBeUndefined();
        expect(up.run!.outputs.klusterletModes).toEqual({ spoke1: "default", spoke2: "singleton", spoke3: "hosted" });
        expect(lab.read(`${lab.cluster("spoke1")}/agent/mode`).trim()).toBe("default");
        expect(lab.read(`${lab.cluster("spoke2")}/agent/mode`).trim()).toBe("singleton");
        // spoke3's klusterlet runs on the hub, and spoke3 has none of its own
        expect(lab.exists(`${lab.cluster("spoke3")}/agent`)).toBe(false);
        expect(hostedOnHub()).toHaveLength(1);
        // the hub manages all three: Available, the smoke Pod and the guestbook run on each spoke itself
        expectRegistered(["spoke1", "spoke2", "spoke3"]);
        for (const spoke of spokes) {
            expect(lab.read(`${smokePod(spoke)}/phase`).trim()).toBe("Running");
        }
        expectGuestbook(spokes);

        // spoke3 back to default: made anew, registered from its own klusterlet, the hosted one unjoined
        // while the old spoke3 still answers (never against the new cluster behind the same address)
        lab.clearCalls();
        const changed = await sim.up({ spokes, klusterletModes: { spoke2: "singleton" } });
        expect(changed.error).toBeUndefined();
        const calls = lab.calls();
        const unjoined = calls.findIndex((c) => /^clusteradm unjoin .*--cluster-name spoke3 /.test(c));
        const spoke3Deleted = calls.findIndex((c) => c.startsWith(`${stack} `) && / delete .*spoke3/.test(` ${c}`));
        expect(unjoined).toBeGreaterThanOrEqual(0);
        expect(spoke3Deleted).toBeGreaterThan(unjoined);
        expect(changed.executed).toEqual(expect.arrayContaining(["spoke3-cluster", "spoke3-join", "spoke3-accept"]));
        expect(changed.executed).not.toContain("spoke2-cluster");
        expect(hostedOnHub()).toEqual([]);
        expect(lab.read(`${lab.cluster("spoke3")}/agent/mode`).trim()).toBe("default");
        expectRegistered(spokes);
        expect(lab.read(`${smokePod("spoke3")}/phase`).trim()).toBe("Running");

        // and hosted again; rebuilt, it gets a new hosted klusterlet (the old one held the old cluster's
        // credentials); then removed: its klusterlet leaves the hub before its cluster goes
        expect((await sim.up({ spokes, klusterletModes: modes })).error).toBeUndefined();
        expect(hostedOnHub()).toHaveLength(1);
        expect(lab.exists(`${lab.cluster("spoke3")}/agent`)).toBe(false);
        const before = hostedOnHub()[0];
        const rebuilt = await sim.up({ spokes, klusterletModes: modes }, { replace: ["spoke3-cluster"] });
        expect(rebuilt.error).toBeUndefined();
        expect(hostedOnHub()).toEqual([expect.not.stringMatching(before)]);
        expectRegistered(spokes);
        lab.clearCalls();
        const removed = await sim.up({ spokes: ["spoke1", "spoke2"], klusterletModes: { spoke2: "singleton" } });
        expect(removed.error).toBeUndefined();
        // unjoined before its ManagedCluster goes, or the hosted klusterlet would register spoke3 again
        const removalCalls = lab.calls();
        const removedUnjoin = removalCalls.findIndex((c) => /^clusteradm unjoin .*--cluster-name spoke3 /.test(c));
        expect(removedUnjoin).toBeGreaterThanOrEqual(0);
        expect(removalCalls.findIndex((c) => / delete managedcluster spoke3 /.test(` ${c} `))).toBeGreaterThan(
            removedUnjoin,
        );
        expect(removed.deleted!.indexOf("spoke3-join")).toBeLessThan(removed.deleted!.indexOf("spoke3-cluster"));
        expect(hostedOnHub()).toEqual([]);
        expect(lab.exists(managedCluster("spoke3"))).toBe(false);
        await sim.destroy();
        expect(clusters()).toEqual([]);
    });

    it("15. the image cache turned off: clusters made anew without mirrors, mirrors removed, the cache kept", async () => {
        const sim = new Simulation(lab, stack);
        expect((await sim.up({ argocd: { enabled: false }, smokeWork: false })).error).toBeUndefined();
        expect(containers()).toHaveLength(slugs.length);
        const configFile = stack === "kind" ? "config" : "registries.yaml";
        expect(lab.read(`${lab.cluster("spoke1")}/${configFile}`)).toContain(
            `http://ocm-lab-${stack}-mirror-quay-io:5000`,
        );

        const off = await sim.up({ argocd: { enabled: false }, smokeWork: false, imageCache: false });
        expect(off.error).toBeUndefined();
        // containerd reads its mirrors when a node starts, so each cluster is made again
        expect(off.executed).toEqual(expect.arrayContaining(["hub-cluster", "spoke1-cluster", "spoke2-cluster"]));
        expect(lab.exists(`${lab.cluster("spoke1")}/${configFile}`)).toBe(false);
        expectRegistered(["spoke1", "spoke2"]);
        expect(containers()).toEqual([]);
        expect(volumes()).toEqual(cacheVolumes);
        expect(networks()).toEqual([`ocm-lab-${stack}`]);
    });

    it("14. the admin password rotates with up --replace: new secret, operator re-hashed, output changed", async () => {
        const sim = new Simulation(lab, stack);
        const first = await sim.up();
        expect(first.error).toBeUndefined();
        const old = first.run!.outputs.argocdAdminPassword as string;
        const rotated = await sim.up({}, { replace: ["argocd-admin-password"] });
        expect(rotated.error).toBeUndefined();
        const fresh = rotated.run!.outputs.argocdAdminPassword as string;
        expect(fresh).not.toBe(old);
        expect(adminHash()).toBe(`bcrypt:${fresh}`);
        expect(rotated.executed).toEqual(["argocd-password-seeded"]); // nothing else runs again
    });

    it("8. a spoke rebuilt with up --replace <spoke>-cluster: its new klusterlet is approved and Available", async () => {
        const sim = new Simulation(lab, stack);
        expect((await sim.up()).error).toBeUndefined();
        const oldAgent = lab.read(`${lab.cluster("spoke1")}/agent/id`).trim();
        const replaced = await sim.up({}, { replace: ["spoke1-cluster"] });
        expect(replaced.error).toBeUndefined();
        expect(replaced.executed).toEqual(
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
        expect(replaced.executed.filter((name) => name.startsWith("spoke2-"))).toEqual([]);
        const newAgent = lab.read(`${lab.cluster("spoke1")}/agent/id`).trim();
        expect(newAgent).not.toBe(oldAgent);
        // the old klusterlet's approved CSR is still listed: a plain accept would have skipped both
        expect(lab.read(`${managedCluster("spoke1")}/csrs/${oldAgent}`)).toMatch(/^approved/);
        expect(lab.read(`${managedCluster("spoke1")}/csrs/${newAgent}`)).toMatch(/^approved/);
        expect(lab.exists(`${lab.cluster("spoke1")}/agent/certified`)).toBe(true);
        expectGuestbook(["spoke1"]);
    });
});

describe("runtime existing: the user's own clusters", () => {
    /** The user's hub and spokes (kind clusters made beforehand), and the config that names them. */
    const userClusters = () => lab.userLab(["hub", "spoke1", "spoke2"]);
    const made = () => ({ clusters: clusters().sort(), networks: networks(), containers: containers() });

    it("18. up registers them at the given hub address, changing nothing else; destroy takes OCM off and leaves them", async () => {
        const config = userClusters();
        const before = made();
        lab.clearCalls();
        const sim = new Simulation(lab, "existing");
        const up = await sim.up(config);
        expect(up.error).toBeUndefined();
        expectRegistered(["spoke1", "spoke2"]);
        expectGuestbook(["spoke1", "spoke2"]);
        for (const spoke of ["spoke1", "spoke2"]) {
            expect(lab.read(`${smokePod(spoke)}/phase`).trim()).toBe("Running");
            expect(lab.read(`${lab.cluster(spoke)}/agent/bootstrap-hub-kubeconfig`)).toContain(
                `server: ${config.hubApiServer}`,
            );
        }
        // no cluster, network, mirror or volume of the lab's own: the machine is as the user left it
        expect(made()).toEqual(before);
        expect(volumes()).toEqual([]);
        expect(lab.calls("kind")).toEqual([]);
        expect(lab.calls("docker").filter((c) => !/^docker info$/.test(c))).toEqual([]);
        expect(up.run!.outputs.contexts).toEqual(config.contexts);
        // each spoke proved it reaches the hub before it joined, and left no probe pod behind
        for (const spoke of ["spoke1", "spoke2"]) {
            expect(up.executed.indexOf(`${spoke}-hub-reachable`)).toBeGreaterThanOrEqual(0);
            expect(up.executed.indexOf(`${spoke}-hub-reachable`)).toBeLessThan(up.executed.indexOf(`${spoke}-join`));
            expect(lab.exists(`${lab.cluster(spoke)}/objects/pod/default/ocm-lab-hub-probe`)).toBe(false);
        }
        expect((await sim.up(config)).executed).toEqual([]);

        lab.clearCalls();
        const { deleted, skipped } = await sim.destroy();
        // nothing was skipped as "deleted with its cluster": every in-cluster object went on its own,
        // but for Argo CD's own project, which the lab only takes over (retained; Argo CD goes with the release)
        expect(skipped).toEqual(["argocd-default-project"]);
        expect(deleted).toEqual(
            expect.arrayContaining(["argocd-release", "spoke1-smoke-work", "spoke1-accept", "hub-init"]),
        );
        expect(sim.stateNames()).toEqual([]);
        // each spoke's works left before its klusterlet was unjoined (operator too), the hub cleaned last
        const calls = lab.calls("clusteradm");
        expect(calls.filter((c) => c.startsWith("clusteradm unjoin "))).toEqual([
            expect.stringMatching(/--cluster-name spoke[12] --purge-operator=true$/),
            expect.stringMatching(/--cluster-name spoke[12] --purge-operator=true$/),
        ]);
        expect(calls[calls.length - 1]).toMatch(/^clusteradm clean /);
        for (const spoke of ["spoke1", "spoke2"]) {
            expect(lab.exists(`${lab.cluster(spoke)}/agent`)).toBe(false);
            expect(lab.exists(smokePod(spoke))).toBe(false);
        }
        expect(lab.exists(`${lab.cluster("hub")}/hub`)).toBe(false);
        // the user's clusters stay, as they were before the lab
        expect(made()).toEqual(before);
        expect(lab.leftoverTempFiles()).toEqual([]);
    });

    it("18c. a hub address the spokes cannot reach: each spoke's probe fails naming it, and no spoke joins", async () => {
        const { contexts } = userClusters();
        const sim = new Simulation(lab, "existing");
        const up = await sim.up({ contexts, hubApiServer: "https://hub.behind-a-vpn.example:6443" });
        expect(up.error?.message).toMatch(
            /hub-reachable failed for cluster spoke[12]: a pod on spoke[12] could not connect to the hub at https:\/\/hub\.behind-a-vpn\.example:6443/,
        );
        expect(up.executed).toEqual(
            expect.arrayContaining(["spoke1-hub-reachable", "spoke2-hub-reachable", "hub-init"]),
        );
        expect(up.executed.filter((n) => n.endsWith("-join"))).toEqual([]);
        expect(listed(`${lab.cluster("hub")}/hub/managedclusters`)).toEqual([]);
        await sim.destroy();
        expect(clusters().sort()).toEqual(["hub", "spoke1", "spoke2"]);
        expect(lab.exists(`${lab.cluster("hub")}/hub`)).toBe(false); // init's clean ran: the hub is as it was
    });

    it("18b. a hub context with a loopback server and no hubApiServer: up stops at the hub's connect, before init", async () => {
        const { contexts } = userClusters();
        const sim = new Simulation(lab, "existing");
        const up = await sim.up({ contexts });
        expect(up.error?.message).toContain(
            "ocm-lab: connect failed for cluster hub: the hub's server in context kind-hub is https://127.0.0.1:",
        );
        expect(up.error?.message).toContain("next: pulumi config set ocm-lab:hubApiServer https://");
        expect(up.executed).not.toContain("hub-init");
        expect(lab.calls("clusteradm")).toEqual([]);
        // what did connect is harmless: destroy of it deletes nothing
        await sim.destroy();
        expect(clusters().sort()).toEqual(["hub", "spoke1", "spoke2"]);
    });
});

describe("a kind lab and a k3d lab on one machine", () => {
    it("coexist with default names: neither blocks, changes nor deletes the other's clusters", async () => {
        const kind = new Simulation(lab, "kind");
        const k3d = new Simulation(lab, "k3d");
        expect((await kind.up()).error).toBeUndefined();
        expect((await k3d.up()).error).toBeUndefined();
        const both = ["hub", "spoke1", "spoke2"].flatMap((name) => [`kind ${name}`, `k3d ${name}`]);
        expect(lab.clusters().sort()).toEqual(both.sort());
        for (const runtime of ["kind", "k3d"] as const) {
            for (const spoke of ["spoke1", "spoke2"]) {
                const managed = `${lab.cluster("hub", runtime)}/hub/managedclusters/${spoke}`;
                expect(lab.read(`${managed}/accepted`).trim()).toBe("true");
                // registered with its own lab's hub, through the node of its own runtime
                expect(lab.read(`${managed}/spoke`).trim()).toBe(path.basename(lab.cluster(spoke, runtime)));
                const guestbook = `${lab.cluster(spoke, runtime)}/objects/deployment/guestbook/guestbook-ui`;
                expect(lab.read(`${guestbook}/conditions/Available`).trim()).toBe("True");
            }
        }

        // one cache for both labs, each with its own mirrors
        expect(volumes()).toEqual(cacheVolumes);
        expect(containers()).toHaveLength(2 * slugs.length);

        await kind.destroy();
        expect(lab.clusters().sort()).toEqual(["k3d hub", "k3d spoke1", "k3d spoke2"]);
        expect(networks()).toEqual(["ocm-lab-k3d"]);
        expect(containers().every((c) => c.startsWith("ocm-lab-k3d-mirror-"))).toBe(true);
        // the k3d lab's mirrors still use the cache: purging it now removes nothing and says why
        const early = purgeCache("kind", fakeDocker);
        expect(early.removed).toEqual([]);
        expect(early.problems).toHaveLength(slugs.length);
        expect(early.problems[0]).toMatch(
            /ocm-lab-k3d-mirror-.* still uses it; next: npm run destroy -- k3d, then npm run destroy -- kind --purge-cache/,
        );
        const again = await k3d.up();
        expect(again.error).toBeUndefined();
        expect(again.changed).toEqual([]);
        await k3d.destroy();
        expect(lab.clusters()).toEqual([]);
        expect(networks()).toEqual([]);
        expect(volumes()).toEqual(cacheVolumes);
        const purge = purgeCache("k3d", fakeDocker);
        expect({ removed: purge.removed.sort(), problems: purge.problems }).toEqual({
            removed: cacheVolumes,
            problems: [],
        });
        expect(volumes()).toEqual([]);
    });
});
