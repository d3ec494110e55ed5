/**
 * The engine tier on the plain path: the Pulumi CLI's own commands typed in the project folder, as
 * README.md's "With the Pulumi CLI" gives them (`pulumi preview -s kind --diff`, `pulumi up -s kind
 * --yes`, `pulumi stack output -s kind`, `pulumi destroy -s kind --yes`), with no PULUMI_BACKEND_URL:
 * the state is where Pulumi.yaml says. The CLI runs the program through the nodejs language host it
 * finds on PATH (the stand-in, plugins/nodejsLanguage.ts), with the real kubernetes provider, and
 * nothing of the front door's: no preflight, no private TMPDIR. The front door (`npm run …`) then
 * carries on from the same state, and the other way round.
 */
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import * as yaml from "js-yaml";
import {
    EngineLab,
    expectFailed,
    expectSucceeded,
    FrontDoorResult,
    requireEngineTier,
    withoutApiObjects,
} from "./engineLab";
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

/** A line of each fake cluster's private key, to look for in files. */
const keysOf = (clusters: string[]) =>
    clusters.map(
        (c) =>
            lab.fake
                .read(`${lab.fake.cluster(c)}/client.key`)
                .trim()
                .split("\n")[1],
    );

/** The CLI ran the program through a nodejs language host: the stand-in, as it says of any plugin on PATH. */
function expectThroughLanguageHost(result: FrontDoorResult): void {
    expect(result.output).toMatch(/using pulumi-language-nodejs from \$PATH/);
}

describe("pulumi up -s kind typed by hand, on a machine with a kind cluster named hub that is not the lab's", () => {
    it("refuses that cluster, touching nothing, and leaves no credentials in TMPDIR on up, preview and destroy", async () => {
        const stack = "kind";
        lab = new EngineLab({ backend: "project" });
        lab.configure(stack, withoutApiObjects);
        // a user's own kind cluster named hub, made by hand on kind's own network
        const byHand = spawnSync(
            path.join(fakesDir, "kind"),
            ["create", "cluster", "--name", "hub", "--image", "kindest/node:v1.31.0", "--kubeconfig", "/dev/null"],
            { env: lab.env(), encoding: "utf8" },
        );
        expect(byHand.status).toBe(0);
        lab.fake.clearCalls();
        // README's way without the front door: a passphrase of one's own, and the stack made by hand
        fs.mkdirSync(lab.backend, { mode: 0o700 });
        fs.writeFileSync(path.join(lab.backend, "passphrase"), "typed by hand\n", { mode: 0o600 });
        expectSucceeded(await lab.typed("stack", "select", "--create", stack));

        const refused = await lab.typed("up", "-s", stack, "--yes");
        expectFailed(refused);
        expectThroughLanguageHost(refused);
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
        expectSucceeded(await lab.typed("destroy", "-s", stack, "--yes"));
        expect(lab.fake.clusters()).toEqual(["kind hub"]);
        expect(lab.stateNames(stack)).toEqual([]);

        // with the user's hub gone, the lab comes up whole
        spawnSync(path.join(fakesDir, "kind"), ["delete", "cluster", "--name", "hub"], { env: lab.env() });
        expectSucceeded(await lab.typed("up", "-s", stack, "--yes"));
        expectRegistered(lab, ["spoke1", "spoke2"]);
        const keys = keysOf(["hub", "spoke1", "spoke2"]);
        // the real provider left a copy of each kubeconfig it was given in TMPDIR: none holds a key
        const copies = fs.readdirSync(lab.fake.tmp).filter((name) => name.startsWith("kubeconfig"));
        expect(copies.length).toBeGreaterThanOrEqual(3);
        expect(credentialsIn(lab.fake.tmp, keys)).toEqual([]);
        expectSucceeded(await lab.typed("preview", "-s", stack));
        expect(credentialsIn(lab.fake.tmp, keys)).toEqual([]);
        const credentials = path.join(lab.project, ".ocm-lab", stack, "credentials");
        expect(fs.readdirSync(credentials).sort()).toEqual(["hub", "spoke1", "spoke2"]);

        expectSucceeded(await lab.typed("destroy", "-s", stack, "--yes"));
        expect(credentialsIn(lab.fake.tmp, keys)).toEqual([]);
        expect(fs.readdirSync(credentials)).toEqual([]); // each cluster's delete took its credentials
        expect(lab.fake.clusters()).toEqual([]);
    });
});

describe("README's plain path on kind, then the front door on the same state, and the other way round", () => {
    it("previews, brings up, shows and destroys the lab as typed; npm run finds the same stack each time", async () => {
        const stack = "kind";
        lab = new EngineLab({ backend: "project" });
        lab.configure(stack, withoutApiObjects);
        const tracked = (file: string) => fs.readFileSync(path.join(lab.project, file), "utf8");
        const before = Object.fromEntries(["Pulumi.yaml", "Pulumi.kind.yaml"].map((f) => [f, tracked(f)]));

        // once: the tools, the stack, its passphrase (the file README.md exports, made now), the checks
        const preflight = await lab.frontDoor("preflight", stack);
        expectSucceeded(preflight);
        expect(fs.statSync(path.join(lab.backend, "passphrase")).mode & 0o777).toBe(0o600);
        lab.fake.clearCalls(); // preflight's own listing

        const preview = await lab.typed("preview", "-s", stack, "--diff");
        expectSucceeded(preview);
        expectThroughLanguageHost(preview);
        expect(preview.output).toMatch(/\+ command:local:Command: \(create\)[\s\S]*hub-cluster/);
        expect(lab.fake.calls().filter((c) => /^(kind|clusteradm) /.test(c))).toEqual([]); // preview runs no step

        expectSucceeded(await lab.typed("up", "-s", stack, "--yes"));
        expectRegistered(lab, ["spoke1", "spoke2"]);
        const outputs = await lab.typed("stack", "output", "-s", stack);
        expectSucceeded(outputs);
        expect(outputs.output).toMatch(/hubKubeconfig\s+\[secret\]/);
        expect(outputs.output).toMatch(/runtimeName\s+kind/);
        expect(outputs.output).not.toMatch(/client-key|PRIVATE KEY/);

        // the front door carries on: status reads the lab, up has nothing to do, destroy takes it all
        const status = await lab.frontDoor("status", stack);
        expectSucceeded(status);
        expect(status.output).toMatch(/spoke1\b.*\bTrue/);
        const again = await lab.frontDoorSteps("up", stack);
        expectSucceeded(again);
        expect(again.ran).toEqual([]);
        expectSucceeded(await lab.frontDoor("destroy", stack));
        expect(lab.fake.clusters()).toEqual([]);
        expect(lab.stateNames(stack)).toEqual([]);

        // the other way round: the front door brings it up, the CLI finds it whole and destroys it
        expectSucceeded(await lab.frontDoor("up", stack));
        const unchanged = await lab.typed("preview", "-s", stack, "--expect-no-changes");
        expectSucceeded(unchanged);
        expectSucceeded(await lab.typed("destroy", "-s", stack, "--yes"));
        expect(lab.fake.clusters()).toEqual([]);

        // tracked files: the project file as it was; the stack file's settings as they were (the CLI
        // writes its values as strings), with the passphrase's salt added
        expect(tracked("Pulumi.yaml")).toBe(before["Pulumi.yaml"]);
        const settings = (text: string) => yaml.load(text) as { config: Record<string, unknown> };
        const after = settings(tracked("Pulumi.kind.yaml"));
        expect(Object.keys(after).sort()).toEqual(["config", "encryptionsalt"]);
        expect(after.config).toEqual(
            Object.fromEntries(
                Object.entries(settings(before["Pulumi.kind.yaml"]).config).map(([k, v]) => [
                    k,
                    typeof v === "object" ? v : String(v),
                ]),
            ),
        );
    });
});

describe("pulumi up -s k3d typed by hand", () => {
    it("brings the k3d lab up and destroys it", async () => {
        const stack = "k3d";
        lab = new EngineLab({ backend: "project" });
        lab.configure(stack, withoutApiObjects);
        expectSucceeded(await lab.frontDoor("preflight", stack));
        const up = await lab.typed("up", "-s", stack, "--yes");
        expectSucceeded(up);
        expectThroughLanguageHost(up);
        expectRegistered(lab, ["spoke1", "spoke2"], "k3d");
        expectSucceeded(await lab.typed("destroy", "-s", stack, "--yes"));
        expect(lab.fake.clusters()).toEqual([]);
        expect(lab.stateNames(stack)).toEqual([]);
    });
});

describe("the state the typed commands find", () => {
    it("is the project's own only because Pulumi.yaml names it: without, the CLI asks for a login", async () => {
        lab = new EngineLab({ backend: "project" });
        const stackFile = path.join(lab.project, "Pulumi.kind.yaml");
        const asCommitted = fs.readFileSync(stackFile, "utf8");
        expectSucceeded(await lab.frontDoor("preflight", "kind"));
        // the one change a run makes to a tracked file: the salt of the passphrase, in the stack's file
        const now = fs.readFileSync(stackFile, "utf8");
        expect(now.startsWith(asCommitted) ? now.slice(asCommitted.length) : now).toMatch(/^encryptionsalt: v1:\S+\n$/);
        const listed = await lab.typed("stack", "ls");
        expectSucceeded(listed);
        expect(listed.output).toMatch(/^kind\b/m);
        // the same folder, its Pulumi.yaml without the backend
        const file = path.join(lab.project, "Pulumi.yaml");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/^backend:\n {2}url: .*\n/m, ""));
        expect(fs.readFileSync(file, "utf8")).not.toContain("backend:");
        const lost = await lab.typed("stack", "ls");
        expectFailed(lost);
        expect(lost.output).toMatch(/PULUMI_ACCESS_TOKEN must be set for login|pulumi login/);
    });
});
