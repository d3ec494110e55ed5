/**
 * The engine tier, first part: the lab's life through its front door on the real Pulumi engine
 * (see engineLab.ts for what is real and what stands in). These runs keep Argo CD, the smoke work
 * and the image cache off: each needs an API server for its objects or an upstream registry, which
 * the fakes do not serve to the real kubernetes provider.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { fakesDir } from "../harness/fakeLab";
import { EngineLab, expectFailed, expectSucceeded, requireEngineTier, withoutApiObjects } from "./engineLab";

requireEngineTier();

let lab: EngineLab;
afterEach(() => lab?.dispose());

/** The steps of the default lab that run on a first up, per runtime. */
function firstUpSteps(stack: "kind" | "k3d"): string[] {
    const cluster = (name: string) => [`${name}-cluster`, `${name}-kubeconfig`];
    return [
        ...cluster("hub"),
        ...(stack === "k3d" ? ["hub-cluster-info"] : []),
        "hub-init",
        ...["spoke1", "spoke2"].flatMap((s) => [...cluster(s), `${s}-join`, `${s}-accept`, `${s}-available`]),
    ].sort();
}

describe.each(["kind", "k3d"] as const)("%s stack on the real engine", (stack) => {
    it("previews without running a step, comes up, changes nothing on a second up, and destroys to nothing", async () => {
        lab = new EngineLab();
        lab.configure(stack, withoutApiObjects);

        // As after an earlier up, the stack's folder is there: a step that ran would add its line to
        // steps.jsonl in it (lib.sh writes the line only where the folder exists).
        fs.mkdirSync(path.join(lab.project, ".ocm-lab", stack), { recursive: true });
        const preview = await lab.frontDoor("preview", stack);
        expectSucceeded(preview);
        // a preview calls no fake tool at all (the front door's preflight is for up and destroy), and
        // every step calls at least one
        expect(lab.fake.calls()).toEqual([]);
        expect(lab.stepsRun(stack)).toEqual([]);
        expect(lab.fake.clusters()).toEqual([]);
        expect(preview.output).toMatch(/\+ +command:local:Command +hub-init +create/);

        const up = await lab.frontDoor("up", stack);
        expectSucceeded(up);
        expect(lab.stepsRun(stack).sort()).toEqual(firstUpSteps(stack));
        expect(lab.fake.clusters().sort()).toEqual([`${stack} hub`, `${stack} spoke1`, `${stack} spoke2`]);
        for (const spoke of ["spoke1", "spoke2"]) {
            const managed = `${lab.fake.cluster("hub")}/hub/managedclusters/${spoke}`;
            expect(lab.fake.read(`${managed}/accepted`).trim()).toBe("true");
        }
        // The lab's network is on the real Docker engine, made by the docker stand-in before any cluster.
        expect(lab.fake.exists(`networks/ocm-lab-${stack}`)).toBe(false); // no runtime had to make it
        expect(up.output).toMatch(/ocm-lab: up took .*; \d+ step\(s\) ran\n {2}at most \d+ step\(s\) at once/);
        expect(up.output).not.toMatch(/Undefined value/);

        const again = await lab.frontDoor("up", stack);
        expectSucceeded(again);
        expect(lab.stepsRun(stack).sort()).toEqual(firstUpSteps(stack)); // no step ran again

        const destroy = await lab.frontDoor("destroy", stack);
        expectSucceeded(destroy);
        expect(lab.fake.clusters()).toEqual([]);
        expect(lab.stateNames(stack)).toEqual([]);
        // every run kept its temporary files (the kubernetes provider leaves kubeconfigs) in its own folder, now gone
        expect(lab.fake.leftoverTempFiles()).toEqual([]);
    });

    it("keeps kubeconfigs and join material out of the state's plain text and out of every line it prints", async () => {
        lab = new EngineLab();
        lab.configure(stack, withoutApiObjects);
        const up = await lab.frontDoor("up", stack);
        expectSucceeded(up);
        const exported = lab.pulumi(["stack", "export", "--stack", stack]).stdout;
        const secrets = ["hub", "spoke1", "spoke2"].flatMap((cluster) => {
            const dir = path.join(lab.fake.state, lab.fake.cluster(cluster));
            const b64 = (file: string) => fs.readFileSync(path.join(dir, file)).toString("base64");
            return [b64("client.key"), b64("client.pem"), fs.readFileSync(path.join(dir, "client.key"), "utf8")];
        });
        expect(exported).toContain("ciphertext");
        for (const secret of secrets) {
            // the export is JSON: a multi-line PEM in it has its newlines escaped, so look for it so
            const inExport = JSON.stringify(secret).slice(1, -1);
            expect(exported).not.toContain(inExport.slice(0, 80));
            expect(up.output).not.toContain(secret.slice(0, 60));
        }
        expect(`${exported}${up.output}`).not.toMatch(/client-key-data|eyJfake|hub-token/);
    });
});

// A join is one script on either runtime: on the kind stack only, for CI's time (dayTwo.test.ts shows the
// same carrying on past a failed create and kubeconfig on both stacks).
describe("kind stack, a failed join, on the real engine", () => {
    const stack = "kind";
    it("lets every other spoke finish when one spoke's join fails, and resumes only what is left", async () => {
        lab = new EngineLab();
        lab.configure(stack, withoutApiObjects);
        lab.fake.fault("clusteradm-join-spoke1");
        const failed = await lab.frontDoor("up", stack);
        expectFailed(failed);
        // spoke2 depends on nothing of spoke1's: it joined, was accepted and became Available
        expect(lab.stepsRun(stack)).toEqual(
            expect.arrayContaining(["spoke2-join", "spoke2-accept", "spoke2-available"]),
        );
        expect(lab.stepsRun(stack)).not.toContain("spoke1-accept");
        expect(failed.output).toMatch(/ocm-lab: up failed at 1 step\(s\)[^\n]*\n {2}- spoke1-join: .*\n {4}next: /);

        lab.fake.clearFault("clusteradm-join-spoke1");
        const before = lab.stepsRun(stack).length;
        const resumed = await lab.frontDoor("up", stack);
        expectSucceeded(resumed);
        expect(lab.stepsRun(stack).slice(before).sort()).toEqual(["spoke1-accept", "spoke1-available", "spoke1-join"]);
    });
});

describe("preflight on the real front door: clusters of the lab's names that it did not make", () => {
    it("refuses a kind and a k3d cluster of its names, each runtime's own, and a k3d listing that fails; nothing is made", async () => {
        lab = new EngineLab();
        lab.configure("kind", withoutApiObjects);
        lab.configure("k3d", withoutApiObjects);
        // a user's own clusters, made by hand before the labs: a kind spoke2, and a k3d hub on a network of its own
        const byHand = (tool: "kind" | "k3d", args: string[]) => {
            const made = spawnSync(path.join(fakesDir, tool), args, { env: lab.env(), encoding: "utf8" });
            expect({ tool, code: made.status, stderr: made.stderr }).toMatchObject({ tool, code: 0 });
        };
        const kubeconfig = path.join(lab.fake.root, "spoke2.kubeconfig");
        byHand("kind", [
            "create",
            "cluster",
            "--name",
            "spoke2",
            "--image",
            "kindest/node:v1.31.0",
            "--kubeconfig",
            kubeconfig,
        ]);
        const k3dHub = ["cluster", "create", "hub", "--image", "rancher/k3s:v1.33.6-k3s1", "--network", "k3d-hub"];
        byHand("k3d", [...k3dHub, "--kubeconfig-update-default=false"]);
        const byHandOnly = ["k3d hub", "kind spoke2"];
        lab.fake.clearCalls();

        const cases = [
            {
                stack: "kind",
                problem:
                    "a kind cluster named spoke2 exists and this stack did not create it: kind delete cluster --name spoke2, or give the lab's another name: pulumi config set --path 'ocm-lab:spokes[N]' <name> -s kind",
            },
            {
                stack: "k3d",
                problem:
                    "a k3d cluster named hub exists and this stack did not create it: k3d cluster delete hub, or give the lab's another name: pulumi config set ocm-lab:hubName <name> -s k3d",
            },
        ];
        for (const { stack, problem } of cases) {
            const up = await lab.frontDoor("up", stack);
            expectFailed(up);
            expect(up.output).toContain(
                `ocm-lab: preflight found 1 problem(s); nothing was created:\n  - ${problem}\n`,
            );
            expect(up.output).not.toMatch(/Previewing|Updating/); // the engine never started
            expect(lab.stateNames(stack)).toEqual([]);
        }

        // a k3d listing that fails tells nothing of the machine: preflight stops instead of passing
        lab.fake.fault("k3d-list");
        const blind = await lab.frontDoor("up", "k3d");
        expectFailed(blind);
        expect(blind.output).toContain(
            "ocm-lab: preflight found 1 problem(s); nothing was created:\n  - could not list the k3d clusters on this machine " +
                "(k3d cluster list -o json failed: injected fault: k3d list), so preflight cannot tell whether a cluster " +
                "of this lab's names is someone else's: run k3d cluster list -o json to see why, then npm run up -- k3d\n",
        );
        expect(lab.stateNames("k3d")).toEqual([]);

        // nothing was made: no create was called, the clusters are the user's alone, no lab network exists
        expect(lab.fake.calls().filter((c) => /^(kind create|k3d cluster create)/.test(c))).toEqual([]);
        expect(lab.fake.clusters().sort()).toEqual(byHandOnly);
        for (const network of ["ocm-lab-kind", "ocm-lab-k3d"]) {
            expect(spawnSync("docker", ["network", "inspect", network]).status).not.toBe(0);
        }
    });
});

describe("a bad config on the real engine", () => {
    it("stops the program with one clean message that names the fix, and no stack trace", async () => {
        lab = new EngineLab();
        lab.configure("kind", { ...withoutApiObjects, spokes: ["spoke1", "spoke1"] });
        const preview = await lab.programOnly("preview", "kind");
        expectFailed(preview);
        // The SDK's inline language server reports a program's error twice (its uncaught-error handler
        // and the run's result: @pulumi/pulumi automation/server.js); a RunError keeps both to the message.
        expect(preview.output).toMatch(/error: ocm-lab: the stack configuration has 1 problem\(s\)/);
        expect(preview.output).toMatch(/ocm-lab:spokes\[1\] is "spoke1", which appears earlier/);
        expect(preview.output).not.toMatch(/Unhandled exception|ConfigError|\n\s+at \S+ \(/);
        // The front door reads the same config first and says the same, before the engine starts.
        const frontDoor = await lab.frontDoor("up", "kind");
        expectFailed(frontDoor);
        expect(frontDoor.output.match(/the stack configuration has 1 problem\(s\); nothing was created/g)).toHaveLength(
            1,
        );
        expect(frontDoor.output).not.toMatch(/Previewing|Updating/); // the engine never started
        expect(lab.fake.clusters()).toEqual([]);
    });
});

describe("a wide lab on the real engine", () => {
    it("creates all eleven clusters of a ten-spoke lab at once, past the engine's default of CPU×4 operations", async () => {
        lab = new EngineLab();
        const spokes = Array.from({ length: 10 }, (_, i) => `spoke${i + 1}`);
        lab.configure("k3d", { ...withoutApiObjects, spokes });
        lab.fake.userEnv.FAKE_CREATE_SECONDS = "3"; // long enough that every create overlaps every other
        const up = await lab.frontDoor("up", "k3d");
        expectSucceeded(up);
        const runs = path.join(lab.project, ".ocm-lab", "k3d", "runs");
        const record = JSON.parse(fs.readFileSync(path.join(runs, fs.readdirSync(runs)[0]), "utf8"));
        const creates = record.steps.filter((s: { step: string }) => s.step.endsWith("-cluster"));
        expect(creates).toHaveLength(11);
        // every create had started before the first one ended
        const firstEnd = Math.min(...creates.map((s: { end: number }) => s.end));
        expect(creates.every((s: { start: number }) => s.start < firstEnd)).toBe(true);
        expect(record.maxConcurrentOperations).toBeGreaterThanOrEqual(11);
        expect(up.output).toMatch(/at most (1[1-9]|[2-9]\d) step\(s\) at once/);
    });
});
