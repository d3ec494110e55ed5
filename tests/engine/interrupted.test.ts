/**
 * The engine tier, interrupted: `npm run up` stopped with Ctrl-C at each long step, once (the engine
 * cancels: the command provider kills the steps' interpreters and what they started runs on to its
 * end) or twice (the CLI stops at once and kills the providers' process groups, steps and all, leaving
 * pending operations in the state), then `npm run up` again, which must complete the lab. The labs
 * keep upstream's time at 0.05 (a step's own wait lasts a few seconds, long enough to be pressed
 * twice in).
 */
import { EngineLab, expectSucceeded, requireEngineTier, withoutApiObjects, wholeLab } from "./engineLab";
import { expectGuestbook, expectRegistered, expectSmokePodRunning } from "./labWorld";
import { pendingOperations } from "../../cli/labStack";

requireEngineTier();

const timeScale = 0.05;
let lab: EngineLab;
afterEach(() => lab?.dispose());

/** How many fake-tool calls so far match `pattern` (each is logged as it starts). */
const callCount = (pattern: RegExp) => lab.fake.calls().filter((c) => pattern.test(c)).length;
/** True once a call matching `pattern` has started. */
const started = (pattern: RegExp) => () => callCount(pattern) > 0;

/** The names of the operations the stack's state holds as pending. */
function pendingIn(stack: string): string[] {
    const exported = lab.pulumi(["stack", "export", "--stack", stack]).stdout;
    return pendingOperations(exported).map((op) => op.urn.split("::").pop()!);
}

/**
 * No cluster was made twice: each was created once, or once more after the lab deleted what a create
 * cut short had half made (a create killed before its end: kind and k3d do not roll back on a signal).
 */
function expectMadeOnce(clusters: string[], runtime: "kind" | "k3d") {
    for (const cluster of clusters) {
        const made = callCount(
            runtime === "kind"
                ? new RegExp(`^kind create cluster --name ${cluster} `)
                : new RegExp(`^k3d cluster create ${cluster} `),
        );
        const halfMadeDeleted = callCount(
            runtime === "kind"
                ? new RegExp(`^kind delete cluster --name ${cluster} `)
                : new RegExp(`^k3d cluster delete ${cluster}$`),
        );
        expect(`${cluster}: made ${made}`).toBe(`${cluster}: made ${1 + halfMadeDeleted}`);
    }
    // and never a create that found its name taken
    expect(outputs.join("\n")).not.toMatch(/node\(s\) already exist|because a cluster with that name already exists/);
}

/** Everything each run of the current test printed. */
let outputs: string[] = [];
beforeEach(() => (outputs = []));

/** What every interrupted run must say: that it was interrupted, what was under way, what to run next. */
function expectInterrupted(result: { code: number; output: string }, stack: string, presses: 1 | 2, step?: string) {
    outputs.push(result.output);
    expect(`exit ${result.code}\n${result.output}`).toMatch(/^exit 130\n/);
    expect(result.output).toMatch(/ocm-lab: interrupted: the engine starts no new step and cancels the \d+ under way/);
    expect(result.output).toContain("received; cancelling"); // the CLI's own word that it got the first
    expect(result.output).toMatch(
        presses === 1
            ? /ocm-lab: up interrupted and cancelled \(Ctrl-C\)/
            : /ocm-lab: up interrupted and stopped at once \(Ctrl-C twice\)/,
    );
    if (step) {
        expect(result.output).toMatch(new RegExp(`under way then: [^\\n]*\\b${step}\\b`));
    }
    expect(result.output).toContain(`next: npm run up -- ${stack}   (it resumes`);
}

/** Nothing a stopped run left remains: no pending operation, no process, no private folder. */
function expectNothingLeft(stack: string): void {
    expect(pendingIn(stack)).toEqual([]);
    expect(lab.processCommands()).toEqual([]);
    expect(lab.fake.leftoverTempFiles()).toEqual([]);
}

describe("kind stack, interrupted at each long step, on the real engine", () => {
    it("resumes after every interruption: no cluster made twice, no pending operation left, nothing leaked", async () => {
        const stack = "kind";
        lab = new EngineLab({ timeScale });
        lab.configure(stack, withoutApiObjects);

        // Creating the spokes' clusters, once: the kind creates the steps started go on to their end.
        const atCreate = await lab.frontDoorInterrupted("up", stack, {
            when: started(/^kind create cluster --name spoke2 /),
        });
        expectInterrupted(atCreate, stack, 1, "spoke2-cluster");
        expect(pendingIn(stack)).toEqual([]); // a cancelled step ends before the engine does

        // init, twice: clusteradm init is killed where it stands; the state keeps its pending create.
        const atInit = await lab.frontDoorInterrupted("up", stack, {
            when: started(/^clusteradm init /),
            presses: 2,
        });
        expectInterrupted(atInit, stack, 2, "hub-init");
        expect(pendingIn(stack)).toContain("hub-init");

        // join, once (the init cut short before runs again first).
        const atJoin = await lab.frontDoorInterrupted("up", stack, { when: started(/^clusteradm join .*spoke1/) });
        expect(atJoin.output).toContain("clearing those from the state so they run again");
        expect(atJoin.output).toMatch(/the last run was stopped while the engine was [^\n]*hub-init \(creating\)/);
        expectInterrupted(atJoin, stack, 1, "spoke1-join");
        // Both spokes' joins run again (cancelled, they were not kept); this time the new agents are
        // slow to file their CSRs, and accept is stopped while it waits for them: at its first look
        // for spoke1's CSRs, before any clusteradm accept.
        lab.fake.userEnv.FAKE_SLOW_SECONDS = "3";
        const atAccept = await lab.frontDoorInterrupted("up", stack, {
            when: started(/ get csr -l open-cluster-management\.io\/cluster-name=spoke1 /),
        });
        delete lab.fake.userEnv.FAKE_SLOW_SECONDS;
        expectInterrupted(atAccept, stack, 1, "spoke1-accept");
        expect(callCount(/^clusteradm accept .*--clusters spoke1 /)).toBe(0);
        // spoke1's klusterlet is slow to heartbeat: stopped once while the Available wait waits
        lab.fake.fault("available-spoke1");
        const atAvailable = await lab.frontDoorInterrupted("up", stack, {
            when: started(/get managedcluster spoke1 -o \S*ManagedClusterConditionAvailable/),
        });
        expectInterrupted(atAvailable, stack, 1, "spoke1-available");
        lab.fake.clearFault("available-spoke1");

        // The next up completes the lab, clearing what the last interruption left.
        const resumed = await lab.frontDoorSteps("up", stack);
        expectSucceeded(resumed);
        outputs.push(resumed.output);
        expectRegistered(lab, ["spoke1", "spoke2"]);
        expectMadeOnce(["hub", "spoke1", "spoke2"], "kind");
        expectNothingLeft(stack);
        // and it is whole: another up changes nothing
        const again = await lab.frontDoorSteps("up", stack);
        expectSucceeded(again);
        expect(again.ran).toEqual([]);
    });
});

describe("kind stack, destroyed after a crash mid-create, on the real engine", () => {
    it("destroys what the state holds and names the half-made cluster it could not know", async () => {
        const stack = "kind";
        lab = new EngineLab({ timeScale });
        lab.configure(stack, withoutApiObjects);
        const halfMade = () => lab.fake.exists(lab.fake.cluster("spoke1"));
        const killed = await lab.frontDoorInterrupted("up", stack, { when: halfMade, presses: "killed" });
        expect(killed.code).not.toBe(0);
        expect(pendingIn(stack)).toContain("spoke1-cluster");
        // killed outright, the run could not remove its private folder (kubeconfigs with credentials)
        expect(lab.fake.leftoverTempFiles()).toEqual([expect.stringMatching(/^ocm-lab-run-\d+-/)]);
        const destroy = await lab.frontDoorSteps("destroy", stack);
        expectSucceeded(destroy);
        expect(destroy.output).toMatch(/removed the lock of a run that no longer runs/);
        expect(destroy.output).toContain(
            "kind cluster spoke1 is still on this machine: a create of it was cut short when a run stopped, so the lab's state never held it; next: kind delete cluster --name spoke1",
        );
        expect(lab.stateNames(stack)).toEqual([]);
        expectNothingLeft(stack); // the next run removed the dead run's folder too
    });
});

describe("k3d stack, interrupted, on the real engine", () => {
    it("resumes after a create cut short once and a join cut short twice", async () => {
        const stack = "k3d";
        lab = new EngineLab({ timeScale });
        lab.configure(stack, withoutApiObjects);
        const atCreate = await lab.frontDoorInterrupted("up", stack, {
            when: started(/^k3d cluster create spoke1 /),
        });
        expectInterrupted(atCreate, stack, 1, "spoke1-cluster");
        const atJoin = await lab.frontDoorInterrupted("up", stack, {
            when: started(/^clusteradm join .*spoke2/),
            presses: 2,
        });
        expectInterrupted(atJoin, stack, 2, "spoke2-join");
        expect(pendingIn(stack)).toContain("spoke2-join");
        const resumed = await lab.frontDoorSteps("up", stack);
        expectSucceeded(resumed);
        outputs.push(resumed.output);
        expectRegistered(lab, ["spoke1", "spoke2"]);
        expectMadeOnce(["hub", "spoke1", "spoke2"], "k3d");
        expectNothingLeft(stack);
    });
});

describe("kind stack with the add-on, interrupted during the chart's install, on the real engine", () => {
    it("installs afresh after a cancelled install and after a crash mid-install", async () => {
        const stack = "kind";
        lab = new EngineLab({ kubernetes: "stand-in", timeScale });
        lab.configure(stack, { ...wholeLab, imageCache: false });
        const release = () => `${lab.fake.cluster("hub")}/hub/helm/argocd.argocd-agent-addon`;
        const installing = () => lab.fake.exists(release()) && lab.fake.read(release()).trim() === "pending-install";

        // once: the provider's Cancel ends helm's wait, and atomic uninstalls what it made
        const cancelled = await lab.frontDoorInterrupted("up", stack, { when: installing });
        expectInterrupted(cancelled, stack, 1, "argocd-release");
        expect(cancelled.output).toContain("has been uninstalled due to atomic being set: context canceled");
        expect(lab.fake.exists(release())).toBe(false);

        // killed outright mid-install (a crash): helm's record stays pending-install, the state keeps
        // the pending create, and the lock of the run that died stays
        const killed = await lab.frontDoorInterrupted("up", stack, { when: installing, presses: "killed" });
        expect(killed.code).not.toBe(0);
        expect(lab.fake.read(release()).trim()).toBe("pending-install");
        // (with what the killed run printed, should it not: once, on a loaded machine, it did not)
        expect(`pending: ${pendingIn(stack).join(", ")}\n${killed.output}`).toMatch(
            /^pending: [^\n]*\bargocd-release\b/,
        );
        expect(lab.fake.leftoverTempFiles()).toEqual([expect.stringMatching(/^ocm-lab-run-\d+-/)]);

        const resumed = await lab.frontDoorSteps("up", stack);
        expectSucceeded(resumed);
        expect(resumed.output).toMatch(
            /removed the lock of a run that no longer runs \(\S+\.json\): it was stopped outright/,
        );
        expect(resumed.output).toMatch(
            /the last run was stopped while the engine was [^\n]*argocd-release \(creating\)/,
        );
        expect(resumed.output).toContain(
            "Helm release argocd/argocd-agent-addon was cut short; its pending record is removed, so the install starts over",
        );
        expect(lab.fake.read(release()).trim()).toBe("deployed");
        expectGuestbook(lab, ["spoke1", "spoke2"]);
        expectSmokePodRunning(lab, ["spoke1", "spoke2"]);
        expectNothingLeft(stack);
    });
});
