/**
 * The engine tier on the plain path: the program run as `pulumi up|preview|destroy -s <stack>` runs
 * it, without the front door (no preflight, no private TMPDIR), on the real engine with the real
 * kubernetes provider. What the front door adds must not be what keeps a user's cluster or
 * credentials safe: the steps and the program do that on every path.
 */
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { EngineLab, expectFailed, expectSucceeded, requireEngineTier, withoutApiObjects } from "./engineLab";
import { expectRegistered } from "./labWorld";
import { fakesDir } from "../harness/fakeLab";

requireEngineTier();

let lab: EngineLab;
afterEach(() => lab?.dispose());

/** The files in the lab's TMPDIR that hold a private key or a token of any of its clusters. */
function credentialsIn(dir: string, keys: string[]): string[] {
    return fs.readdirSync(dir).filter((name) => {
        const file = path.join(dir, name);
        if (!fs.statSync(file).isFile()) {
            return false;
        }
        const text = fs.readFileSync(file, "utf8");
        return /client-key-data|PRIVATE KEY|\btoken:/.test(text) || keys.some((key) => text.includes(key));
    });
}

describe("the kind stack run without the front door, on the real engine and the real kubernetes provider", () => {
    it("refuses a same-named cluster it did not make, touching nothing; leaves no credentials in TMPDIR", async () => {
        const stack = "kind";
        lab = new EngineLab();
        lab.configure(stack, withoutApiObjects);
        // a user's own kind cluster named hub, made by hand on kind's own network
        const byHand = spawnSync(
            path.join(fakesDir, "kind"),
            ["create", "cluster", "--name", "hub", "--image", "kindest/node:v1.31.0", "--kubeconfig", "/dev/null"],
            { env: lab.env(), encoding: "utf8" },
        );
        expect(byHand.status).toBe(0);
        lab.fake.clearCalls();

        const refused = await lab.programOnly("up", stack);
        expectFailed(refused);
        expect(refused.output).toContain(
            "ocm-lab: create failed for cluster hub: a cluster named hub is on this machine, but its node hub-control-plane " +
                "is not on the lab's network ocm-lab-kind, so this lab did not make it; it was left untouched",
        );
        // nothing ran on it, and nothing deleted it: not init, not a delete, not a create
        expect(lab.fake.calls().filter((c) => /^clusteradm|^kind (create|delete) cluster --name hub /.test(c))).toEqual(
            [],
        );
        expect(lab.fake.exists(`${lab.fake.cluster("hub")}/ready`)).toBe(true);
        expect(lab.stateNames(stack)).not.toContain("hub-cluster");
        // the spokes, which are the lab's own, went ahead; destroy takes them and leaves the user's hub
        const destroyed = await lab.programOnly("destroy", stack);
        expectSucceeded(destroyed);
        expect(lab.fake.clusters()).toEqual(["kind hub"]);
        expect(lab.stateNames(stack)).toEqual([]);

        // with the user's hub gone, the lab comes up whole
        spawnSync(path.join(fakesDir, "kind"), ["delete", "cluster", "--name", "hub"], { env: lab.env() });
        const up = await lab.programOnly("up", stack);
        expectSucceeded(up);
        expectRegistered(lab, ["spoke1", "spoke2"]);
        const keys = ["hub", "spoke1", "spoke2"].map(
            (c) =>
                lab.fake
                    .read(`${lab.fake.cluster(c)}/client.key`)
                    .trim()
                    .split("\n")[1],
        );
        // the real provider left a copy of each kubeconfig it was given in TMPDIR: none holds a key
        const copies = fs.readdirSync(lab.fake.tmp).filter((name) => name.startsWith("kubeconfig"));
        expect(copies.length).toBeGreaterThanOrEqual(3);
        expect(credentialsIn(lab.fake.tmp, keys)).toEqual([]);
        const preview = await lab.programOnly("preview", stack);
        expectSucceeded(preview);
        expect(credentialsIn(lab.fake.tmp, keys)).toEqual([]);
        const credentials = path.join(lab.project, ".ocm-lab", stack, "credentials");
        expect(fs.readdirSync(credentials).sort()).toEqual(["hub", "spoke1", "spoke2"]);

        const destroy = await lab.programOnly("destroy", stack);
        expectSucceeded(destroy);
        expect(credentialsIn(lab.fake.tmp, keys)).toEqual([]);
        expect(fs.readdirSync(credentials)).toEqual([]); // each cluster's delete took its credentials
        expect(lab.fake.clusters()).toEqual([]);
    });
});
