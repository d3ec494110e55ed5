/**
 * Script tests: each step, as the exact text the program registers, run by bash against fake
 * kind/k3d/clusteradm/kubectl that record their arguments and model the lab in one state folder.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { engineTimeScale, FakeLab, fakesDir } from "./harness/fakeLab";
import { caDataOf, serverOf, withServer } from "../runtimes/kubeconfig";
import {
    registrationEnv,
    writeKubeconfig,
    bringUpHub,
    clusterEnv,
    grpcHubEnv,
    grpcJoinEnv,
    grpcServerOf,
    clusterInfoEnv,
    createCluster,
    hubEnv,
    joinEnv,
    issuedTokens,
    joinSpoke,
    loadProgramSteps,
    Runtime,
    runtimeFacts,
} from "./harness/labSteps";

// every step's environment as the program makes it (labSteps.ts)
beforeAll(loadProgramSteps);

let lab: FakeLab;
beforeEach(() => {
    lab = new FakeLab();
});
/** For a test about timing: this test's lab keeps upstream's time at the engine tier's scale. */
function keepTime(scale = engineTimeScale): void {
    lab.dispose();
    lab = new FakeLab({ timeScale: scale });
}
afterEach(() => {
    // Every step writes kubeconfigs, CAs and logs to a private folder that must be gone afterwards.
    expect(lab.leftoverTempFiles()).toEqual([]);
    lab.dispose();
});

/** No step may echo a token or kubeconfig credentials except as its stdout value. */
function expectNoSecretsIn(text: string, ...secrets: string[]) {
    expect(text).not.toMatch(/client-key-data|eyJfake/);
    for (const secret of secrets) {
        expect(text).not.toContain(secret);
    }
}

describe.each(["kind", "k3d"] as Runtime[])("%s cluster steps", (runtime) => {
    it("creates a cluster with the pinned image and leaves the user's kubeconfig alone", () => {
        const result = lab.run(`${runtime}/create-cluster.sh`, clusterEnv(runtime, "hub"));
        expect(result.code).toBe(0);
        expect(result.stderr).toMatch(/ocm-lab: create hub: creating the cluster with \S+ .*waits up to 5s/);
        const [create] = lab.calls(runtime).filter((c) => c.includes("create"));
        if (runtime === "kind") {
            expect(create).toMatch(
                /^kind create cluster --name hub --image kindest\/node:v1\.31\.0 --kubeconfig \S+\/kubeconfig --wait 5s$/,
            );
        } else {
            expect(create).toContain("k3d cluster create hub --image rancher/k3s:v1.33.6-k3s1 --network ocm-lab");
            expect(create).toContain("--disable=traefik@server:\\*");
            expect(create).toContain("--tls-san=k3d-hub-server-0@server:\\*");
            expect(create).toContain("--kubeconfig-update-default=false --kubeconfig-switch-context=false");
        }
    });

    it("keeps an existing cluster on re-run instead of failing on the taken name", () => {
        lab.ok(`${runtime}/create-cluster.sh`, clusterEnv(runtime, "hub"));
        lab.clearCalls();
        const again = lab.run(`${runtime}/create-cluster.sh`, clusterEnv(runtime, "hub"));
        expect(again.code).toBe(0);
        expect(again.stderr).toContain("already exists; keeping it");
        expect(lab.calls().filter((c) => c.includes(" create"))).toEqual([]);
    });

    it("leaves a same-named cluster the lab did not make untouched, on create and on delete", () => {
        // made by hand, as `kind create cluster --name hub` or `k3d cluster create hub` makes it: on
        // the runtime's own network, not the lab's
        const byHand =
            runtime === "kind"
                ? ["create", "cluster", "--name", "hub", "--image", "kindest/node:v1.31.0", "--kubeconfig", "/dev/null"]
                : ["cluster", "create", "hub", "--image", "rancher/k3s:v1.33.6-k3s1", "--network", "k3d-hub"];
        if (runtime === "k3d") {
            byHand.push("--kubeconfig-update-default=false");
        }
        const made = spawnSync(path.join(fakesDir, runtime), byHand, { env: lab.env(), encoding: "utf8" });
        expect(made.status).toBe(0);
        lab.clearCalls();
        const create = lab.run(`${runtime}/create-cluster.sh`, clusterEnv(runtime, "hub"));
        expect(create.code).not.toBe(0);
        expect(create.stderr).toContain(
            "ocm-lab: create failed for cluster hub: a cluster named hub is on this machine, but its node",
        );
        expect(create.stderr).toMatch(/is not on the lab's network ocm-lab-\S+, so this lab did not make it/);
        expect(create.stderr).toMatch(/next: give the lab's cluster another name \(pulumi config set ocm-lab:hubName/);
        // as the state of a lab that kept it before: its delete leaves it too
        const destroy = lab.run(`${runtime}/delete-cluster.sh`, clusterEnv(runtime, "hub"));
        expect(destroy.code).not.toBe(0);
        expect(destroy.stderr).toContain(
            "ocm-lab: delete failed for cluster hub: a cluster named hub is on this machine",
        );
        expect(destroy.stderr).toMatch(
            /next: if that cluster should go, .* yourself; to keep it, .*pulumi state delete URN/,
        );
        expect(lab.calls().filter((c) => /^(kind|k3d) .*(create|delete)/.test(c))).toEqual([]);
        expect(lab.exists(lab.cluster("hub"))).toBe(true);
        expect(lab.read(`${lab.cluster("hub")}/ready`)).toBeDefined();
    });

    it("makes nothing when the runtime cannot list its clusters: that is no answer, not an empty machine", () => {
        fs.writeFileSync(path.join(lab.state, "docker-down"), "");
        const result = lab.run(`${runtime}/create-cluster.sh`, clusterEnv(runtime, "hub"));
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(
            /ocm-lab: create failed for cluster hub: (kind could not list its clusters|k3d could not look the cluster up) \(output above\), so whether one of this name exists is unknown; nothing was made/,
        );
        expect(result.stderr).toContain("then run the same command again");
        expect(lab.calls().filter((c) => / (create|delete)/.test(c))).toEqual([]);
    });

    it("names the step, the cluster and the next command when creation fails", () => {
        lab.fault(`${runtime}-create`);
        const result = lab.run(`${runtime}/create-cluster.sh`, clusterEnv(runtime, "spoke1"));
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("ocm-lab: create failed for cluster spoke1");
        expect(result.stderr).toMatch(
            new RegExp(`next: ${runtime === "kind" ? "kind delete cluster --name" : "k3d cluster delete"} spoke1`),
        );
    });

    it("prints the host kubeconfig on stdout only", () => {
        lab.ok(`${runtime}/create-cluster.sh`, clusterEnv(runtime, "spoke1"));
        const result = lab.ok(`${runtime}/kubeconfig.sh`, { CLUSTER_NAME: "spoke1" });
        expect(result.stdout).toContain(`server: https://${runtime === "kind" ? "127.0.0.1" : "0.0.0.0"}:`);
        expect(result.stdout).toContain(`current-context: ${runtimeFacts[runtime].context("spoke1")}`);
        expectNoSecretsIn(result.stderr);
    });

    it("fails the kubeconfig step clearly when the cluster is missing", () => {
        const result = lab.run(`${runtime}/kubeconfig.sh`, { CLUSTER_NAME: "spoke9" });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("ocm-lab: kubeconfig failed for cluster spoke9");
        expect(result.stderr).toContain("next: ");
    });

    it("deletes the cluster, and succeeds when it was already deleted by hand", () => {
        lab.ok(`${runtime}/create-cluster.sh`, clusterEnv(runtime, "spoke1"));
        // the private files the lab's kubernetes providers read spoke1's credentials from go with it
        const settings = path.join(lab.root, "local", "kind", "step-settings");
        const credentials = path.join(path.dirname(settings), "credentials");
        for (const cluster of ["spoke1", "spoke2"]) {
            fs.mkdirSync(path.join(credentials, cluster), { recursive: true });
            fs.writeFileSync(path.join(credentials, cluster, "client.key"), "key");
        }
        fs.writeFileSync(settings, "TIMEOUT_SECONDS=5\n");
        lab.ok(`${runtime}/delete-cluster.sh`, { ...clusterEnv(runtime, "spoke1"), OCM_LAB_SETTINGS: settings });
        expect(lab.exists(lab.cluster("spoke1"))).toBe(false);
        expect(fs.readdirSync(credentials)).toEqual(["spoke2"]);
        lab.clearCalls();
        const again = lab.run(`${runtime}/delete-cluster.sh`, clusterEnv(runtime, "spoke1"));
        expect(again.code).toBe(0);
        expect(again.stderr).toContain("already gone");
        expect(lab.calls().filter((c) => c.includes("delete"))).toEqual([]);
    });

    it("keeps a live cluster in the lab's state when Docker is down: only a definite 'no such cluster' is gone", () => {
        lab.ok(`${runtime}/create-cluster.sh`, clusterEnv(runtime, "spoke1"));
        fs.writeFileSync(path.join(lab.state, "docker-down"), "");
        const blind = lab.run(`${runtime}/delete-cluster.sh`, clusterEnv(runtime, "spoke1"));
        expect(blind.code).not.toBe(0);
        expect(blind.stderr).toContain("delete failed for cluster spoke1: Docker is not reachable");
        expect(blind.stderr).toContain("next: start Docker");
        expect(lab.exists(lab.cluster("spoke1"))).toBe(true);
    });

    it("does not take a failed lookup for a deleted cluster, even with Docker answering", () => {
        lab.ok(`${runtime}/create-cluster.sh`, clusterEnv(runtime, "spoke1"));
        // the runtime CLI cannot reach the engine although `docker info` can (another context, a socket mix-up)
        const cli = path.join(lab.root, "cli-down");
        fs.mkdirSync(cli);
        fs.writeFileSync(
            path.join(cli, runtime),
            `#!/usr/bin/env bash\ntouch "$FAKE_STATE/docker-down"\n"${fakesDir}/${runtime}" "$@"; rc=$?\nrm -f "$FAKE_STATE/docker-down"\nexit $rc\n`,
            { mode: 0o755 },
        );
        const result = lab.run(`${runtime}/delete-cluster.sh`, {
            ...clusterEnv(runtime, "spoke1"),
            PATH: `${cli}:${lab.env().PATH}`,
        });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/kind could not list its clusters|k3d could not look the cluster up/);
        expect(lab.exists(lab.cluster("spoke1"))).toBe(true);
    });
});

describe("k3d hub cluster-info", () => {
    it("writes the in-network hub address and CA before init, so init keeps it", () => {
        const kubeconfig = createCluster(lab, "k3d", "hub");
        expect(lab.exists(`${lab.cluster("hub")}/objects/kube-public/cluster-info`)).toBe(false);
        lab.ok("k3d/hub-cluster-info.sh", clusterInfoEnv(kubeconfig));
        lab.ok("init.sh", hubEnv("k3d", kubeconfig));
        const clusterInfo = lab.read(`${lab.cluster("hub")}/objects/kube-public/cluster-info`);
        expect(clusterInfo).toContain("server: https://k3d-hub-server-0:6443");
        expect(clusterInfo).toContain(`certificate-authority-data: ${clusterInfoEnv(kubeconfig).HUB_CA_DATA}`);
    });

    it("leaves a correct cluster-info alone and recreates a wrong one", () => {
        const kubeconfig = createCluster(lab, "k3d", "hub");
        lab.ok("init.sh", hubEnv("k3d", kubeconfig)); // without preparation: clusteradm writes 0.0.0.0
        expect(lab.read(`${lab.cluster("hub")}/objects/kube-public/cluster-info`)).toContain(
            "server: https://0.0.0.0:",
        );
        lab.ok("k3d/hub-cluster-info.sh", clusterInfoEnv(kubeconfig));
        expect(lab.read(`${lab.cluster("hub")}/objects/kube-public/cluster-info`)).toContain(
            "server: https://k3d-hub-server-0:6443",
        );
        expect(lab.calls("kubectl").filter((c) => c.includes("delete configmap"))).toHaveLength(1);
        lab.clearCalls();
        lab.ok("k3d/hub-cluster-info.sh", clusterInfoEnv(kubeconfig));
        expect(lab.calls("kubectl").filter((c) => /(delete|create) configmap/.test(c))).toEqual([]);
    });

    it("recreates a cluster-info whose address is right but whose CA is a rebuilt hub's old one", () => {
        const kubeconfig = createCluster(lab, "k3d", "hub");
        const staleCa = Buffer.from("-----BEGIN CERTIFICATE-----\nold hub CA\n-----END CERTIFICATE-----\n").toString(
            "base64",
        );
        lab.ok("k3d/hub-cluster-info.sh", { ...clusterInfoEnv(kubeconfig), HUB_CA_DATA: staleCa });
        expect(lab.read(`${lab.cluster("hub")}/objects/kube-public/cluster-info`)).toContain(staleCa);
        lab.ok("k3d/hub-cluster-info.sh", clusterInfoEnv(kubeconfig));
        const clusterInfo = lab.read(`${lab.cluster("hub")}/objects/kube-public/cluster-info`);
        expect(clusterInfo).toContain(`certificate-authority-data: ${clusterInfoEnv(kubeconfig).HUB_CA_DATA}`);
        expect(clusterInfo).not.toContain(staleCa);
    });
});

describe("join tokens on disk", () => {
    it("are never written in clear while init, token, join and accept run, even when join fails", () => {
        const snapshots = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-snapshots-"));
        process.env.FAKE_SNAPSHOT_DIR = snapshots;
        try {
            const hubKubeconfig = bringUpHub(lab, "kind");
            const spoke1Kubeconfig = joinSpoke(lab, "kind", hubKubeconfig, "spoke1");
            lab.ok("accept.sh", registrationEnv("kind", hubKubeconfig, spoke1Kubeconfig, "spoke1"));
            // a join that dies printing its command line with its token: the log it leaves is masked too
            const spoke2Kubeconfig = createCluster(lab, "kind", "spoke2");
            lab.fault(
                "clusteradm-join",
                "clusteradm join --hub-token @HUB_TOKEN@ --hub-apiserver x\nBearer @HUB_TOKEN@\n",
            );
            const failed = lab.run("join.sh", joinEnv("kind", hubKubeconfig, spoke2Kubeconfig, "spoke2"));
            expect(failed.code).not.toBe(0);
            expect(failed.stderr).toContain("--hub-token ***"); // the fault did print a token
        } finally {
            delete process.env.FAKE_SNAPSHOT_DIR;
        }
        const issued = issuedTokens(lab);
        expect(issued.length).toBeGreaterThanOrEqual(3); // init's own, and one per spoke
        const files = (dir: string): string[] =>
            fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
                const full = path.join(dir, e.name);
                return e.isDirectory() ? files(full) : [full];
            });
        const seen = files(snapshots);
        expect(seen.some((f) => f.endsWith("clusteradm-init.log"))).toBe(true); // the check sees the logs
        const leaking = seen.filter((f) => issued.some((t) => fs.readFileSync(f, "utf8").includes(t)));
        fs.rmSync(snapshots, { recursive: true, force: true });
        expect(leaking).toEqual([]);
    });
});

describe("masking what tools print", () => {
    // The text a failing tool might print, as each step shows it after run_quiet.
    const shown = (toolOutput: string) => {
        lab.fault("clusteradm-init", toolOutput);
        return lab.run("init.sh", hubEnv("kind", createCluster(lab, "kind", "hub"))).stderr;
    };
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl";

    it.each([
        ["a --hub-token flag", `clusteradm join --hub-token ${jwt} --hub-apiserver https://x`],
        ["a token: field", `token: ${jwt}`],
        ["a bare token after Bearer", `Authorization: Bearer ${jwt}`],
        ["a bare token alone on its line", jwt],
    ])("hides %s", (_, line) => {
        const stderr = shown(`${line}\n`);
        expect(stderr).toContain("init failed for cluster hub");
        expect(stderr).not.toContain("eyJhbGciOiJSUzI1NiJ9");
        expect(stderr).not.toContain("c2lnbmF0dXJl");
    });
});

describe("init", () => {
    it("installs the pinned bundle with an explicit kubeconfig and waits", () => {
        const kubeconfig = createCluster(lab, "kind", "hub");
        const result = lab.ok("init.sh", {
            ...hubEnv("kind", kubeconfig),
            QOS_CLASS: "ResourceRequirement",
            QOS_LIMITS: "cpu=800m,memory=800Mi",
        });
        const [init] = lab.calls("clusteradm");
        expect(init).toMatch(
            /^clusteradm init --kubeconfig \S+ --bundle-version 1\.3\.1 --resource-qos-class ResourceRequirement --resource-limits cpu=800m\\?,memory=800Mi --wait --timeout 5$/,
        );
        // clusteradm printed a join command with a token; none of it may reach the logs.
        expect(result.stdout).toBe("");
        expectNoSecretsIn(result.stderr);
        expect(result.stderr).toContain("installing the OCM hub, bundle 1.3.1 (clusteradm waits up to 5s)");
        expect(result.stderr).toContain("hub controllers are ready");
    });

    // clusteradm init --wait covers the operator and the registration controller only (clusteradm
    // v1.3.1 pkg/cmd/init/exec.go:282-309); the fakes make the others Available later, in their own time.
    const laterDeployments = [
        "cluster-manager-registration-webhook",
        "cluster-manager-work-webhook",
        "cluster-manager-placement-controller",
        "cluster-manager-addon-manager-controller",
        "cluster-manager-addon-webhook",
    ];
    it("returns only once every hub controller a later step uses is Available", () => {
        keepTime();
        const kubeconfig = createCluster(lab, "kind", "hub");
        const result = lab.run("init.sh", hubEnv("kind", kubeconfig));
        expect(result.code).toBe(0);
        // read straight after the step: each one it waited for is Available by now
        for (const deployment of ["cluster-manager-registration-controller", ...laterDeployments]) {
            const available = path.join(
                lab.objectDir("hub", "deployment", "open-cluster-management-hub", deployment),
                "conditions",
                "Available",
            );
            expect(
                `${deployment}: ${fs.existsSync(available) ? fs.readFileSync(available, "utf8").trim() : "absent"}`,
            ).toBe(`${deployment}: True`);
        }
    });

    it("names the deployment that never became ready, with the next command", () => {
        const kubeconfig = createCluster(lab, "kind", "hub");
        const result = lab.run("init.sh", {
            ...hubEnv("kind", kubeconfig),
            FAKE_STUCK_DEPLOYMENT: "cluster-manager-placement-controller",
            TIMEOUT_SECONDS: "3",
        });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain(
            "init failed for cluster hub: hub deployment cluster-manager-placement-controller was not Available within 3s",
        );
        expect(result.stderr).toContain(
            "next: kubectl --context kind-hub describe deployment cluster-manager-placement-controller -n open-cluster-management-hub",
        );
    });

    // Every hub deployment a later step relies on, beside the one init --wait covers.
    it.each(laterDeployments)("fails while %s is not Available", (deployment) => {
        const kubeconfig = createCluster(lab, "kind", "hub");
        const result = lab.run("init.sh", {
            ...hubEnv("kind", kubeconfig),
            FAKE_STUCK_DEPLOYMENT: deployment,
            TIMEOUT_SECONDS: "1",
        });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain(`hub deployment ${deployment} was not Available within 1s`);
    });

    it("fails with clusteradm's own wait when the registration controller never starts", () => {
        const kubeconfig = createCluster(lab, "kind", "hub");
        const result = lab.run("init.sh", {
            ...hubEnv("kind", kubeconfig),
            FAKE_STUCK_DEPLOYMENT: "cluster-manager-registration-controller",
            TIMEOUT_SECONDS: "1",
        });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("init failed for cluster hub: clusteradm init did not finish");
        expect(result.stderr).toContain("next: kubectl --context kind-hub get pods -n open-cluster-management");
    });

    it("shows clusteradm's output on failure with tokens masked", () => {
        const kubeconfig = createCluster(lab, "kind", "hub");
        lab.fault("clusteradm-init", "clusteradm join --hub-token eyJfake.leaked.token --hub-apiserver x\n");
        const result = lab.run("init.sh", hubEnv("kind", kubeconfig));
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("--hub-token ***");
        expect(result.stderr).toContain("init failed for cluster hub");
        expect(result.stderr).toContain("next: kubectl --context kind-hub get pods -n open-cluster-management");
        expectNoSecretsIn(result.stderr + result.stdout);
    });

    it("can run again on an initialised hub", () => {
        const kubeconfig = bringUpHub(lab, "kind");
        expect(lab.run("init.sh", hubEnv("kind", kubeconfig)).code).toBe(0);
    });
});

describe("join mints its own token", () => {
    it("mints a fresh token on the hub for every join and prints it nowhere", () => {
        const hubKubeconfig = bringUpHub(lab, "kind");
        const spokeKubeconfig = createCluster(lab, "kind", "spoke1");
        const runs = [1, 2].map(() => lab.ok("join.sh", joinEnv("kind", hubKubeconfig, spokeKubeconfig, "spoke1")));
        const mints = lab.calls("clusteradm").filter((c) => c.startsWith("clusteradm get token"));
        expect(mints).toEqual([
            expect.stringMatching(/--kubeconfig \S+ -o json$/),
            expect.stringMatching(/--kubeconfig \S+ -o json$/),
        ]);
        const used = lab.calls("clusteradm").flatMap((c) => /^clusteradm join .*--hub-token (\S+)/.exec(c)?.[1] ?? []);
        expect(used).toHaveLength(2);
        expect(used[0]).not.toBe(used[1]);
        expect(issuedTokens(lab)).toEqual(expect.arrayContaining(used));
        for (const run of runs) {
            expect(run.stdout).toBe("");
            expectNoSecretsIn(run.stderr, ...used);
        }
    });

    it("joins hours after an earlier try failed: the token is minted at join time", () => {
        const hubKubeconfig = bringUpHub(lab, "kind");
        const spokeKubeconfig = createCluster(lab, "kind", "spoke1");
        lab.fault("clusteradm-join-spoke1");
        expect(lab.run("join.sh", joinEnv("kind", hubKubeconfig, spokeKubeconfig, "spoke1")).code).not.toBe(0);
        lab.clearFault("clusteradm-join-spoke1");
        lab.advanceClock(2 * 3600);
        expect(lab.run("join.sh", joinEnv("kind", hubKubeconfig, spokeKubeconfig, "spoke1")).code).toBe(0);
    });

    it("fails before init with the spoke named and a next command", () => {
        const hubKubeconfig = createCluster(lab, "kind", "hub");
        const spokeKubeconfig = createCluster(lab, "kind", "spoke2");
        const result = lab.run("join.sh", joinEnv("kind", hubKubeconfig, spokeKubeconfig, "spoke2"));
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain(
            "ocm-lab: join failed for cluster spoke2: clusteradm could not mint a join token on hub hub",
        );
        expect(result.stderr).toContain("next: clusteradm get token --context kind-hub");
    });
});

describe.each(["kind", "k3d"] as Runtime[])("%s registration: join, accept, Available", (runtime) => {
    let hubKubeconfig: string;
    let spokeKubeconfig: string;
    beforeEach(() => {
        hubKubeconfig = bringUpHub(lab, runtime);
        spokeKubeconfig = createCluster(lab, runtime, "spoke1");
    });
    const join = (extra: Record<string, string> = {}) =>
        lab.run("join.sh", { ...joinEnv(runtime, hubKubeconfig, spokeKubeconfig, "spoke1"), ...extra });

    it("joins with the hub CA and the in-network address, and the hub sees the spoke", () => {
        const result = join();
        expect(result.code).toBe(0);
        const call = lab.calls("clusteradm").find((c) => c.startsWith("clusteradm join"))!;
        expect(call).toMatch(
            /--kubeconfig \S+ --hub-token \S+ --hub-apiserver https:\/\/(127\.0\.0\.1|0\.0\.0\.0):\d+ --ca-file \S+ --cluster-name spoke1 --force-internal-endpoint-lookup --bundle-version 1\.3\.1 --resource-qos-class Default --wait --timeout 5/,
        );
        expect(lab.read(`${lab.cluster("spoke1")}/agent/bootstrap-hub-kubeconfig`)).toContain(
            `server: ${runtimeFacts[runtime].internal("hub")}`,
        );
        expect(lab.exists(`${lab.cluster("hub")}/hub/managedclusters/spoke1`)).toBe(true);
        expect(result.stderr).toContain(`klusterlet registered against ${runtimeFacts[runtime].internal("hub")}`);
        expect(result.stderr).toContain("(clusteradm waits up to 5s for the klusterlet)");
        expectNoSecretsIn(result.stdout + result.stderr, ...issuedTokens(lab));
    });

    it("can join again (a re-run after a partial failure)", () => {
        expect(join().code).toBe(0);
        expect(join().code).toBe(0);
    });

    it("reports a token the hub refuses (here: expired on issue), naming the spoke", () => {
        const result = join({ FAKE_TOKEN_TTL: "-1" });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("ocm-lab: join failed for cluster spoke1");
        expect(result.stderr).toContain("Unauthorized");
        expect(result.stderr).toContain(
            `next: kubectl --context ${runtimeFacts[runtime].context("spoke1")} get pods -n open-cluster-management-agent`,
        );
        expectNoSecretsIn(result.stdout + result.stderr, ...issuedTokens(lab));
    });

    it("refuses a CA that is not the hub's", () => {
        const result = join({ HUB_CA_PEM: "-----BEGIN CERTIFICATE-----\nnot the hub\n-----END CERTIFICATE-----" });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("certificate signed by unknown authority");
    });

    it("accepts the spoke, waits until it is Available, and never re-runs accept once accepted", () => {
        const env = registrationEnv(runtime, hubKubeconfig, spokeKubeconfig, "spoke1");
        expect(lab.run("accept.sh", { ...env, TIMEOUT_SECONDS: "1" }).code).not.toBe(0); // nothing joined yet
        join();
        lab.clearCalls();
        const accepted = lab.ok("accept.sh", env);
        expect(accepted.stderr).toContain("accepted on hub hub; the klusterlet on");
        expect(accepted.stderr).toContain("waiting up to 5s for the klusterlet's CSR and certificate");
        expect(lab.calls("clusteradm").filter((c) => c.startsWith("clusteradm accept"))).toEqual([
            expect.stringMatching(/^clusteradm accept --kubeconfig \S+ --clusters spoke1 --wait --timeout [1-5]$/),
        ]);
        // accept ends once the klusterlet holds its certificate
        expect(lab.exists(`${lab.cluster("spoke1")}/agent/certified`)).toBe(true);
        lab.ok("wait-available.sh", env);

        // The CSR is approved (and later garbage-collected): a second clusteradm accept would hang.
        lab.clearCalls();
        const again = lab.ok("accept.sh", env);
        expect(again.stderr).toContain("already accepted");
        expect(lab.calls("clusteradm")).toEqual([]);
    });
});

// A spoke rebuilt under its old name (pulumi up --replace spoke1-cluster, a new driver or mode): the
// hub still holds its ManagedCluster, accepted, and keeps it Available on the old klusterlet's last
// lease for 5 x leaseDurationSeconds (the fakes' model of ocm v1.3.1, tests/fakes/fakelib.sh).
describe("a spoke rebuilt under its old name", () => {
    let hub: string;
    let spoke: string;
    const env = () => registrationEnv("kind", hub, spoke, "spoke1");
    const agentId = () => lab.read(`${lab.cluster("spoke1")}/agent/id`).trim();
    const available = () =>
        spawnSync(
            path.join(fakesDir, "kubectl"),
            [
                "--kubeconfig",
                writeKubeconfig(lab, hub),
                "get",
                "managedcluster",
                "spoke1",
                "-o",
                'jsonpath={.status.conditions[?(@.type=="ManagedClusterConditionAvailable")].status}',
            ],
            { env: lab.env(), encoding: "utf8" },
        ).stdout;
    /**
     * The lab with spoke1 accepted and Available, then spoke1's cluster deleted, made again and joined;
     * `slowSeconds` makes the new agent that much slower than usual (FAKE_SLOW_SECONDS).
     */
    function rebuild(slowSeconds = 0): string {
        hub = bringUpHub(lab, "kind");
        spoke = joinSpoke(lab, "kind", hub, "spoke1");
        lab.ok("accept.sh", env());
        lab.ok("wait-available.sh", env());
        const oldAgent = agentId();
        lab.ok("kind/delete-cluster.sh", clusterEnv("kind", "spoke1"));
        spoke = createCluster(lab, "kind", "spoke1");
        lab.ok("join.sh", { ...joinEnv("kind", hub, spoke, "spoke1"), FAKE_SLOW_SECONDS: String(slowSeconds) });
        return oldAgent;
    }

    it("accept waits for the new klusterlet's CSR, filed after join returned, and approves it", () => {
        // the new agent files its CSR 3 s late: join returns at once (its ManagedCluster is there)
        const oldAgent = rebuild(3);
        expect(lab.exists(`${lab.cluster("hub")}/hub/csrs/spoke1/${agentId()}`)).toBe(false);
        const accepted = lab.run("accept.sh", { ...env(), TIMEOUT_SECONDS: "20" });
        expect(accepted.code).toBe(0);
        expect(accepted.stderr).not.toContain("already accepted");
        const newAgent = agentId();
        expect(newAgent).not.toBe(oldAgent);
        expect(lab.csr("spoke1", newAgent)).toMatch(/^approved /);
        expect(lab.exists(`${lab.cluster("spoke1")}/agent/certified`)).toBe(true);
    });

    it("the Available wait does not take the old klusterlet's last lease for the new one's heartbeat", () => {
        // grace 5 x 60 s at 0.03: 9 s, longer than the rebuild takes here (checked below)
        keepTime(0.03);
        rebuild();
        // the hub still reports Available, on the old klusterlet's lease
        expect(available()).toBe("True");
        const waited = lab.run("wait-available.sh", { ...env(), TIMEOUT_SECONDS: "2" });
        expect(waited.code).not.toBe(0);
        expect(waited.stderr).toContain("spoke1 did not become Available within 2s: the hub has no heartbeat from");
        // once the new klusterlet is accepted, it heartbeats
        lab.ok("accept.sh", env());
        expect(lab.ok("wait-available.sh", env()).stderr).toContain("is heartbeating");
    });
});

describe("join catches a klusterlet pointed at an address spokes cannot reach", () => {
    it("k3d without the hub's cluster-info preparation: the 0.0.0.0 address is refused by name", () => {
        const hubKubeconfig = createCluster(lab, "k3d", "hub");
        lab.ok("init.sh", hubEnv("k3d", hubKubeconfig)); // clusteradm writes cluster-info from the 0.0.0.0 kubeconfig
        const spokeKubeconfig = createCluster(lab, "k3d", "spoke1");
        // join --wait waits for a ManagedCluster this klusterlet can never create: a short bound
        const result = lab.run("join.sh", {
            ...joinEnv("k3d", hubKubeconfig, spokeKubeconfig, "spoke1"),
            TIMEOUT_SECONDS: "1",
        });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(
            /join failed for cluster spoke1: the klusterlet points at 'https:\/\/0\.0\.0\.0:\d+', not at https:\/\/k3d-hub-server-0:6443/,
        );
        expect(result.stderr).toContain("next: kubectl --context k3d-spoke1 get secret bootstrap-hub-kubeconfig");
        // and indeed nothing registered on the hub
        expect(lab.exists(`${lab.cluster("hub")}/hub/managedclusters/spoke1`)).toBe(false);
    });
});

describe("accept and wait failures", () => {
    it("names the spoke and the next command when a spoke never becomes Available", () => {
        const hubKubeconfig = bringUpHub(lab, "kind");
        const env = registrationEnv("kind", hubKubeconfig, joinSpoke(lab, "kind", hubKubeconfig, "spoke1"), "spoke1");
        lab.ok("accept.sh", env);
        lab.fault("available-spoke1");
        const result = lab.run("wait-available.sh", { ...env, TIMEOUT_SECONDS: "1" });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain(
            "ocm-lab: wait-available failed for cluster spoke1: spoke1 did not become Available within 1s",
        );
        expect(result.stderr).toContain("next: kubectl --context kind-hub get managedcluster spoke1 -o yaml");
    });

    it("reports an accept that clusteradm could not finish", () => {
        const hubKubeconfig = bringUpHub(lab, "kind");
        // spoke3 never joined: no ManagedCluster, no CSR
        const env = registrationEnv("kind", hubKubeconfig, hubKubeconfig, "spoke3");
        const result = lab.run("accept.sh", { ...env, TIMEOUT_SECONDS: "1" });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("ocm-lab: accept failed for cluster spoke3: clusteradm accept did not finish");
        expect(result.stderr).toContain(
            "next: kubectl --context kind-hub get csr | grep spoke3; kubectl --context kind-spoke3 get pods",
        );
    });
});

describe("unregistering on delete", () => {
    it("removes the ManagedCluster from the hub, and is a no-op once the hub is gone", () => {
        const hubKubeconfig = bringUpHub(lab, "kind");
        joinSpoke(lab, "kind", hubKubeconfig, "spoke1");
        // the hub finishes the delete on its own, a moment later: the step waits for that
        lab.ok("remove-managed-cluster.sh", hubEnv("kind", hubKubeconfig, "spoke1"));
        expect(lab.exists(`${lab.cluster("hub")}/hub/managedclusters/spoke1`)).toBe(false);
        lab.ok("kind/delete-cluster.sh", clusterEnv("kind", "hub"));
        const result = lab.run("remove-managed-cluster.sh", hubEnv("kind", hubKubeconfig, "spoke1"));
        expect(result.code).toBe(0);
        expect(result.stderr).toContain("the hub is gone");
    });

    it("fails, keeping the registration, when the hub times out, Docker is down or kubectl is missing", () => {
        const hubKubeconfig = bringUpHub(lab, "kind");
        joinSpoke(lab, "kind", hubKubeconfig, "spoke1");
        const env = hubEnv("kind", hubKubeconfig, "spoke1");
        const expectKept = (result: { code: number; stderr: string }, why: RegExp) => {
            expect(result.code).not.toBe(0);
            expect(result.stderr).toMatch(why);
            expect(result.stderr).toContain("next: ");
            expect(lab.exists(`${lab.cluster("hub")}/hub/managedclusters/spoke1`)).toBe(true);
        };

        lab.fault(
            "kubectl-hub",
            "Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded)\n",
        );
        expectKept(
            lab.run("remove-managed-cluster.sh", env),
            /Client\.Timeout exceeded[\s\S]*could not remove ManagedCluster spoke1/,
        );
        lab.clearFault("kubectl-hub");

        // the hub's port refuses while Docker itself is down: the hub may well still exist
        lab.fault(
            "kubectl-hub",
            "Unable to connect to the server: dial tcp 127.0.0.1:40001: connect: connection refused\n",
        );
        fs.writeFileSync(path.join(lab.state, "docker-down"), "");
        expectKept(lab.run("remove-managed-cluster.sh", env), /could not remove ManagedCluster spoke1/);
        fs.rmSync(path.join(lab.state, "docker-down"));
        lab.clearFault("kubectl-hub");

        // a PATH with what the step needs besides kubectl (this machine's /usr/bin has a kubectl)
        const noKubectl = path.join(lab.root, "no-kubectl");
        fs.mkdirSync(noKubectl);
        fs.symlinkSync(path.join(fakesDir, "docker"), path.join(noKubectl, "docker"));
        for (const tool of ["mktemp", "rm", "cat", "grep", "sed"]) {
            const found = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
            fs.symlinkSync(found, path.join(noKubectl, tool));
        }
        const result = lab.run("remove-managed-cluster.sh", { ...env, PATH: noKubectl });
        expectKept(result, /kubectl is not on PATH/);
    });
});

describe("the hub registered as itself (hubSelfManaged)", () => {
    const mc = () => `${lab.cluster("hub")}/hub/managedclusters/local-cluster`;
    /** The hub joined and accepted as local-cluster, with its own kubeconfig, as ClusterRegistration does. */
    function joinItself(): Record<string, string> {
        const hub = bringUpHub(lab, "kind");
        lab.ok("join.sh", joinEnv("kind", hub, hub, "local-cluster"));
        const env = {
            ...registrationEnv("kind", hub, hub, "local-cluster", { context: "kind-hub", kubeconfig: hub }),
            SPOKE_CONTEXT: "kind-hub",
        };
        lab.ok("accept.sh", env);
        return env;
    }

    it("taints local-cluster NoSelect once, keeping a taint the hub had set", () => {
        const env = { ...joinItself(), TAINT_KEY: "ocm-lab/self-managed-hub" };
        // the hub's taint controller got there first
        fs.writeFileSync(
            path.join(lab.state, mc(), "taints"),
            "cluster.open-cluster-management.io/unavailable NoSelect\n",
        );
        lab.ok("taint-managed-cluster.sh", env);
        expect(lab.ok("taint-managed-cluster.sh", env).stderr).toContain(
            "already tainted ocm-lab/self-managed-hub:NoSelect",
        );
        expect(lab.read(`${mc()}/taints`)).toBe(
            "cluster.open-cluster-management.io/unavailable NoSelect\nocm-lab/self-managed-hub NoSelect\n",
        );
        // with no taint yet, the list is made
        fs.rmSync(path.join(lab.state, mc(), "taints"));
        lab.ok("taint-managed-cluster.sh", env);
        expect(lab.read(`${mc()}/taints`)).toBe("ocm-lab/self-managed-hub NoSelect\n");
    });

    it("removes the ManagedCluster while the klusterlet still runs, then unjoins it", () => {
        keepTime();
        const env = joinItself();
        lab.ok("wait-available.sh", env);
        // a ManifestWork still applied: the hub's GC deletes it and its work agent finalizes it
        const work = path.join(lab.state, lab.cluster("hub"), "hub", "manifestworks", "local-cluster", "ocm-lab-smoke");
        fs.mkdirSync(path.dirname(work), { recursive: true });
        fs.writeFileSync(work, "default/hello");
        lab.ok("wait-smoke-work.sh", {
            ...env,
            WORK_NAME: "ocm-lab-smoke",
            POD_NAME: "hello",
            POD_NAMESPACE: "default",
        });
        lab.clearCalls();
        const removed = lab.ok("remove-managed-cluster.sh", env);
        expect(removed.stderr).toContain("ManagedCluster removed from the hub");
        expect(removed.stderr).toContain("klusterlet unjoined");
        expect(lab.exists(`${lab.cluster("hub")}/agent`)).toBe(false);
        expect(lab.exists(mc())).toBe(false);
        expect(lab.exists(`${lab.cluster("hub")}/objects/pod/default/hello`)).toBe(false);
        const calls = lab.calls();
        const deleted = calls.findIndex((c) => c.includes(" delete managedcluster local-cluster"));
        expect(deleted).toBeGreaterThanOrEqual(0);
        expect(calls.findIndex((c) => c.startsWith("clusteradm unjoin "))).toBeGreaterThan(deleted);
        // a second run finds nothing to unjoin and nothing to remove
        lab.ok("remove-managed-cluster.sh", env);
    });

    it("unjoin refuses while works are applied, and says which", () => {
        const env = { ...joinItself(), TIMEOUT_SECONDS: "1" };
        const work = path.join(lab.state, lab.cluster("hub"), "hub", "manifestworks", "local-cluster", "ocm-lab-smoke");
        fs.mkdirSync(path.dirname(work), { recursive: true });
        fs.writeFileSync(work, "default/hello");
        const blocked = lab.run("unjoin.sh", env);
        expect(blocked.code).not.toBe(0);
        expect(blocked.stderr).toContain(
            "ocm-lab: unjoin failed for cluster local-cluster: AppliedManifestWorks remain on local-cluster " +
                "(appliedmanifestwork.work.open-cluster-management.io/fakehash-ocm-lab-smoke), so its klusterlet cannot be unjoined",
        );
        expect(blocked.stderr).toContain(
            "next: kubectl --context kind-hub get appliedmanifestworks; delete their ManifestWorks on the hub (namespace local-cluster)",
        );
        expect(lab.exists(`${lab.cluster("hub")}/agent`)).toBe(true);
    });

    it("fails naming the command when unjoin fails, and unjoins when run again", () => {
        const env = joinItself();
        lab.fault("clusteradm-unjoin", "Error: the server was unable to return a response in the time allotted\n");
        const result = lab.run("remove-managed-cluster.sh", env);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain(
            "ocm-lab: unjoin failed for cluster local-cluster: clusteradm unjoin did not finish",
        );
        expect(result.stderr).toContain(
            "next: clusteradm unjoin --context kind-hub --cluster-name local-cluster --purge-operator=false",
        );
        expect(lab.exists(`${lab.cluster("hub")}/agent`)).toBe(true);
        lab.clearFault("clusteradm-unjoin");
        expect(lab.ok("remove-managed-cluster.sh", env).stderr).toContain("klusterlet unjoined");
        expect(lab.exists(mc())).toBe(false);
    });
});

/** hub-reachable.sh's environment for a probe from spoke1 (kind) of `address`. */
const hubProbeEnv = (spokeKubeconfig: string, address: string) => ({
    SPOKE_NAME: "spoke1",
    SPOKE_CONTEXT: "kind-spoke1",
    SPOKE_KUBECONFIG: spokeKubeconfig,
    HUB_CONTEXT: "kind-hub",
    HUB_API_SERVER_INTERNAL: address,
    PROBE_IMAGE: "busybox:1.37.0",
    TIMEOUT_SECONDS: "5",
});

describe("runtime existing: clusters the user already has", () => {
    /** The user's hub and spoke1 (their contexts in the lab's KUBECONFIG, as connect.sh finds them) and the config naming them. */
    const userClusters = () => lab.userLab(["hub", "spoke1"]);
    const connect = (cluster: string, handed = false) =>
        lab.run("existing/connect.sh", {
            CLUSTER_NAME: cluster,
            CONTEXT: `kind-${cluster}`,
            ...(handed ? { HANDED_TO_SPOKES: "true" } : {}),
        });
    /** Both clusters connected as the connect steps do it: their kubeconfigs, and the hub address spokes reach. */
    function connected(): { hub: string; spoke: string; hubApiServer: string } {
        const { hubApiServer } = userClusters();
        const kubeconfig = (cluster: string) => {
            const result = connect(cluster);
            expect(result.code).toBe(0);
            return result.stdout;
        };
        return { hub: kubeconfig("hub"), spoke: kubeconfig("spoke1"), hubApiServer };
    }

    it("connect prints the one context's kubeconfig, once its cluster answers", () => {
        userClusters();
        const result = connect("spoke1");
        expect(result.code).toBe(0);
        expect(result.stdout).toContain("current-context: kind-spoke1");
        expect(result.stdout).not.toContain("kind-hub");
        expect(result.stderr).toMatch(
            /ocm-lab: connect spoke1: connected to https:\/\/127\.0\.0\.1:\d+ through context kind-spoke1/,
        );
        expectNoSecretsIn(result.stderr);
        expect(lab.calls("kubectl").some((c) => c.includes("get --raw /readyz"))).toBe(true);
    });

    it("connect names the cluster, the context and what to run when the context is missing or silent", () => {
        userClusters();
        const missing = connect("spoke2");
        expect(missing.code).not.toBe(0);
        expect(missing.stderr).toContain(
            "ocm-lab: connect failed for cluster spoke2: kubectl has no context kind-spoke2",
        );
        expect(missing.stderr).toContain(
            "next: kubectl config get-contexts, then pulumi config set --path 'ocm-lab:contexts.spoke2' <context>",
        );
        expect(missing.stdout).toBe("");

        lab.deleteClusterByHand("spoke1");
        const silent = connect("spoke1");
        expect(silent.code).not.toBe(0);
        expect(silent.stderr).toMatch(
            /connect failed for cluster spoke1: the cluster of context kind-spoke1 \(https:\/\/127\.0\.0\.1:\d+\) does not answer/,
        );
        expect(silent.stderr).toContain("next: kubectl --context kind-spoke1 get --raw /readyz");
        expect(silent.stdout).toBe("");
    });

    it("connect refuses a hub whose server, handed to every klusterlet, is a loopback address", () => {
        userClusters();
        const refused = connect("hub", true);
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toMatch(
            /connect failed for cluster hub: the hub's server in context kind-hub is https:\/\/127\.0\.0\.1:\d+, a loopback address/,
        );
        expect(refused.stderr).toContain("next: pulumi config set ocm-lab:hubApiServer https://");
        expect(refused.stdout).toBe("");
        // the same hub is fine when ocm-lab:hubApiServer names the address instead
        expect(connect("hub").code).toBe(0);
    });

    it("registers a spoke at the given hub address, then unjoins it and cleans the hub, leaving both clusters", () => {
        // one address that this machine and the spokes reach (in the fakes: the node's name, the host's port)
        const { hub, spoke, hubApiServer: address } = connected();
        lab.ok("init.sh", { ...hubEnv("kind", hub), HUB_CONTEXT: "kind-hub" });
        const join = {
            ...joinEnv("kind", hub, spoke, "spoke1"),
            HUB_API_SERVER: address,
            HUB_API_SERVER_INTERNAL: address,
            FORCE_INTERNAL_ENDPOINT_LOOKUP: "false",
        };
        lab.ok("join.sh", join);
        const [joinCall] = lab.calls("clusteradm").filter((c) => c.startsWith("clusteradm join "));
        expect(joinCall).toContain(`--hub-apiserver ${address}`);
        expect(joinCall).not.toContain("--force-internal-endpoint-lookup");
        const registration = registrationEnv("kind", hub, spoke, "spoke1", {
            context: "kind-spoke1",
            kubeconfig: spoke,
        });
        lab.ok("accept.sh", registration);
        lab.ok("wait-available.sh", registration);

        const unregister = {
            ...hubEnv("kind", hub, "spoke1"),
            KLUSTERLET_CONTEXT: "kind-spoke1",
            KLUSTERLET_KUBECONFIG: spoke,
            KLUSTERLET_MODE: "default",
            PURGE_OPERATOR: "true",
            LAB_OWNS_CLUSTERS: "false",
        };
        lab.clearCalls();
        lab.ok("remove-managed-cluster.sh", unregister);
        expect(lab.calls("clusteradm")).toEqual([
            expect.stringMatching(/^clusteradm unjoin --kubeconfig \S+ --cluster-name spoke1 --purge-operator=true$/),
        ]);
        expect(lab.exists(`${lab.cluster("spoke1")}/agent`)).toBe(false);
        expect(lab.exists(`${lab.cluster("hub")}/hub/managedclusters/spoke1`)).toBe(false);

        const clean = { HUB_NAME: "hub", HUB_CONTEXT: "kind-hub", HUB_KUBECONFIG: hub, TIMEOUT_SECONDS: "5" };
        expect(lab.ok("clean.sh", clean).stderr).toContain("the OCM hub is removed; the cluster stays");
        expect(lab.exists(`${lab.cluster("hub")}/hub`)).toBe(false);
        expect(lab.clusters().sort()).toEqual(["kind hub", "kind spoke1"]);
        // again: nothing left to clean
        expect(lab.ok("clean.sh", clean).stderr).toContain("no cluster manager on the hub; nothing to clean");
    });

    it("hub-reachable proves from a pod on the spoke that the hub address opens, and removes the pod", () => {
        const { hub, spoke, hubApiServer } = connected();
        const probeEnv = (address: string) => hubProbeEnv(spoke, address);
        const probe = (address: string) => lab.run("hub-reachable.sh", probeEnv(address));
        const pod = () => lab.objectDir("spoke1", "pod", "default", "ocm-lab-hub-probe");
        const port = hubApiServer.split(":").pop();

        // the hub's host-side address is this machine's loopback: the spoke's pod finds nothing there
        const refused = probe(serverOf(hub, "hub"));
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toMatch(
            /hub-reachable failed for cluster spoke1: a pod on spoke1 could not connect to the hub at https:\/\/127\.0\.0\.1:\d+, which its klusterlet would be handed/,
        );
        expect(refused.stderr).toMatch(
            /next: kubectl --context kind-spoke1 run hub-probe -n default --rm -i --restart=Never --image=busybox:1\.37\.0 -- nc -zv -w 5 127\.0\.0\.1 \d+; then set an address of the hub every spoke reaches: pulumi config set ocm-lab:hubApiServer/,
        );
        expect(fs.existsSync(pod())).toBe(false);

        // a pod left by an interrupted run is replaced; the hub's address on the shared network opens
        fs.mkdirSync(pod(), { recursive: true });
        lab.clearCalls();
        const reached = probe(hubApiServer);
        expect(reached.code).toBe(0);
        expect(reached.stderr).toContain(`a pod on spoke1 reached the hub at hub-control-plane:${port}`);
        expect(lab.calls("kubectl").find((c) => c.includes(" run "))).toMatch(
            new RegExp(
                ` run ocm-lab-hub-probe -n default --image=busybox:1\\.37\\.0 --restart=Never .*--command -- nc -z -w 5 hub-control-plane ${port}$`,
            ),
        );
        expect(fs.existsSync(pod())).toBe(false);

        // an image the spoke cannot pull: the pod stays for a look, and the next run replaces it
        lab.fault("pull-spoke1");
        const stuck = lab.run("hub-reachable.sh", {
            ...probeEnv(hubApiServer),
            TIMEOUT_SECONDS: "1",
        });
        expect(stuck.code).not.toBe(0);
        expect(stuck.stderr).toContain(
            "hub-reachable failed for cluster spoke1: the probe pod on spoke1 did not finish within 1s (its image busybox:1.37.0 may not be pullable there)",
        );
        expect(stuck.stderr).toContain("next: kubectl --context kind-spoke1 describe pod ocm-lab-hub-probe -n default");
        expect(lab.read(`${path.relative(lab.state, pod())}/phase`).trim()).toBe("Pending");
        lab.clearFault("pull-spoke1");
        expect(probe(hubApiServer).code).toBe(0);
        expect(fs.existsSync(pod())).toBe(false);
    });

    it("hub-reachable probes an IPv6 host in brackets, and port 443 where the address names no port", () => {
        const { spoke } = connected();
        const cases: [string, string, string][] = [
            ["https://[fd00::1]:6443", "fd00::1", "6443"],
            ["https://[fd00::1]", "fd00::1", "443"],
            ["https://hub.example.internal", "hub.example.internal", "443"],
            ["https://hub.example.internal:8443/", "hub.example.internal", "8443"],
        ];
        for (const [address, host, port] of cases) {
            lab.clearCalls();
            const result = lab.run("hub-reachable.sh", hubProbeEnv(spoke, address));
            const run = lab.calls("kubectl").filter((c) => c.includes(" run "));
            expect(run).toHaveLength(1);
            expect(run[0].endsWith(` --command -- nc -z -w 5 ${host} ${port}`)).toBe(true);
            // nothing of the fakes answers there: the failure gives the address as configured, and the
            // same host and port for the check by hand
            expect(result.code).not.toBe(0);
            expect(result.stderr).toContain(`a pod on spoke1 could not connect to the hub at ${address}, which`);
            expect(result.stderr).toContain(` -- nc -zv -w 5 ${host} ${port}; then set an address of the hub`);
        }
    });

    it("clean waits for the hub's ManagedClusters, and fails naming any left instead of a clean that does nothing", () => {
        const hub = bringUpHub(lab, "kind");
        lab.ok("accept.sh", registrationEnv("kind", hub, joinSpoke(lab, "kind", hub, "spoke1"), "spoke1"));
        lab.clearCalls();
        const result = lab.run("clean.sh", {
            HUB_NAME: "hub",
            HUB_CONTEXT: "kind-hub",
            HUB_KUBECONFIG: hub,
            TIMEOUT_SECONDS: "1",
        });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain(
            "ocm-lab: clean failed for cluster hub: ManagedClusters remain on the hub (managedcluster.cluster.open-cluster-management.io/spoke1)",
        );
        expect(result.stderr).toContain("next: kubectl --context kind-hub get managedclusters");
        expect(lab.calls("clusteradm")).toEqual([]);
        expect(lab.exists(`${lab.cluster("hub")}/hub`)).toBe(true);
    });

    it("never takes a user's cluster that refuses connections for one the lab deleted", () => {
        const hub = bringUpHub(lab, "kind");
        const spoke = joinSpoke(lab, "kind", hub, "spoke1");
        lab.ok("accept.sh", registrationEnv("kind", hub, spoke, "spoke1"));
        lab.deleteClusterByHand("spoke1"); // down, or out of reach: the fake answers "connection refused"
        const env = {
            ...hubEnv("kind", hub, "spoke1"),
            KLUSTERLET_CONTEXT: "kind-spoke1",
            KLUSTERLET_KUBECONFIG: spoke,
            KLUSTERLET_MODE: "default",
        };
        // a lab's own spoke that refuses connections was deleted with its klusterlet: nothing to unjoin
        expect(lab.ok("remove-managed-cluster.sh", env).stderr).toContain("nothing to unjoin");
        lab.ok("accept.sh", registrationEnv("kind", hub, joinSpoke(lab, "kind", hub, "spoke2"), "spoke2"));
        lab.deleteClusterByHand("spoke2");
        const kept = lab.run("remove-managed-cluster.sh", {
            ...env,
            SPOKE_NAME: "spoke2",
            KLUSTERLET_CONTEXT: "kind-spoke2",
            LAB_OWNS_CLUSTERS: "false",
            PURGE_OPERATOR: "true",
        });
        expect(kept.code).not.toBe(0);
        expect(kept.stderr).toContain(
            "ocm-lab: unjoin failed for cluster spoke2: could not list the klusterlets on kind-spoke2",
        );
        expect(kept.stderr).toContain(
            "next: clusteradm unjoin --context kind-spoke2 --cluster-name spoke2 --purge-operator=true",
        );
        // The step fails, so the registration stays in the lab's state and its delete runs again; the
        // ManagedCluster went first, while its klusterlet could still have helped (none here).
    });
});

describe.each(["kind", "k3d"] as Runtime[])("%s klusterlet modes", (runtime) => {
    let hubKubeconfig: string;
    let spokeKubeconfig: string;
    beforeEach(() => {
        hubKubeconfig = bringUpHub(lab, runtime);
        spokeKubeconfig = createCluster(lab, runtime, "spoke1");
    });
    const hub = () => lab.cluster("hub");
    const hostedOnHub = () => lab.hostedKlusterlets("hub");
    const agentPods = () =>
        spawnSync(
            "kubectl",
            [
                "--kubeconfig",
                writeTemp("spoke.kubeconfig", spokeKubeconfig),
                "get",
                "pods",
                "-n",
                "open-cluster-management-agent",
                "-o",
                "name",
            ],
            { env: lab.env(), encoding: "utf8" },
        ).stdout.trim();
    function writeTemp(name: string, content: string): string {
        const file = path.join(lab.root, name);
        fs.writeFileSync(file, content);
        return file;
    }
    const hostedEnv = (internal = withServer(spokeKubeconfig, runtimeFacts[runtime].internal("spoke1"), "spoke1")) => ({
        ...joinEnv(runtime, hubKubeconfig, spokeKubeconfig, "spoke1"),
        KLUSTERLET_MODE: "hosted",
        KLUSTERLET_CONTEXT: runtimeFacts[runtime].context("hub"),
        KLUSTERLET_KUBECONFIG: hubKubeconfig,
        SPOKE_INTERNAL_KUBECONFIG: internal,
    });
    /** accept and the Available wait, as for any spoke, told where its klusterlet runs. */
    const acceptAndWait = (mode: "singleton" | "hosted") => {
        const klusterlet =
            mode === "hosted"
                ? { context: runtimeFacts[runtime].context("hub"), kubeconfig: hubKubeconfig, mode }
                : { context: runtimeFacts[runtime].context("spoke1"), kubeconfig: spokeKubeconfig, mode };
        const env = registrationEnv(runtime, hubKubeconfig, spokeKubeconfig, "spoke1", klusterlet);
        if (mode === "singleton") {
            delete env.KLUSTERLET_CONTEXT; // a klusterlet on its own spoke: only the mode is said
            delete env.KLUSTERLET_KUBECONFIG;
        }
        lab.ok("accept.sh", env);
        lab.ok("wait-available.sh", env);
    };

    it("singleton: join says --singleton, one agent pod on the spoke, Available", () => {
        lab.ok("join.sh", {
            ...joinEnv(runtime, hubKubeconfig, spokeKubeconfig, "spoke1"),
            KLUSTERLET_MODE: "singleton",
        });
        const call = lab.calls("clusteradm").find((c) => c.startsWith("clusteradm join"))!;
        expect(call).toContain(" --singleton ");
        expect(call).not.toContain("--mode");
        expect(agentPods()).toMatch(/^pod\/klusterlet-agent-\S+$/);
        acceptAndWait("singleton");
    });

    it("hosted: the klusterlet runs on the hub with the spoke's in-network kubeconfig; no agent on the spoke", () => {
        const result = lab.ok("join.sh", hostedEnv());
        const call = lab.calls("clusteradm").find((c) => c.startsWith("clusteradm join"))!;
        expect(call).toMatch(/ --mode hosted --managed-cluster-kubeconfig \S+ /);
        expect(call).toContain(" --force-internal-endpoint-lookup ");
        expect(hostedOnHub()).toEqual([expect.stringMatching(/^klusterlet-hosted-\w{6}$/)]);
        expect(lab.read(`${hub()}/hosted-agents/${hostedOnHub()[0]}/bootstrap-hub-kubeconfig`)).toContain(
            `server: ${runtimeFacts[runtime].internal("hub")}`,
        );
        expect(result.stderr).toContain(
            `(hosted mode, csr registration, running on ${runtimeFacts[runtime].context("hub")})`,
        );
        expect(agentPods()).toBe("");
        acceptAndWait("hosted");
        expectNoSecretsIn(result.stdout + result.stderr, ...issuedTokens(lab));

        // a re-run keeps the one hosted klusterlet (clusteradm would add another, under a new random name)
        lab.clearCalls();
        expect(lab.ok("join.sh", hostedEnv()).stderr).toContain(`already joined: klusterlet ${hostedOnHub()[0]}`);
        expect(hostedOnHub()).toHaveLength(1);
        expect(lab.calls("clusteradm")).toEqual([]);
    });

    it("hosted: a spoke kubeconfig with the host's address never registers, and says where to look", () => {
        const result = lab.run("join.sh", { ...hostedEnv(spokeKubeconfig), TIMEOUT_SECONDS: "1" });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("ocm-lab: join failed for cluster spoke1: clusteradm join did not finish");
        expect(result.stderr).toContain(
            `next: kubectl --context ${runtimeFacts[runtime].context("hub")} get klusterlets -o wide`,
        );
    });

    it("hosted: a spoke that still runs its own klusterlet is refused", () => {
        lab.ok("join.sh", joinEnv(runtime, hubKubeconfig, spokeKubeconfig, "spoke1"));
        const result = lab.run("join.sh", hostedEnv());
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(
            /spoke1 is hosted from \S+ but runs agent pods of its own: pod\/klusterlet-registration-agent/,
        );
    });

    it("unjoin removes the hosted klusterlet from the hub and leaves the hub's own one alone", () => {
        lab.ok("join.sh", hostedEnv());
        acceptAndWait("hosted");
        // the hub registered as itself, in default mode
        lab.ok("join.sh", joinEnv(runtime, hubKubeconfig, hubKubeconfig, "local-cluster"));
        const unjoinEnv = { ...hostedEnv(), TIMEOUT_SECONDS: "1" };
        // the spoke's smoke work is still applied on the spoke: a hosted unjoin does not wait for it
        const work = path.join(lab.state, hub(), "hub", "manifestworks", "spoke1", "ocm-lab-smoke");
        fs.mkdirSync(path.dirname(work), { recursive: true });
        fs.writeFileSync(work, "default/hello");
        expect(lab.ok("unjoin.sh", unjoinEnv).stderr).toContain("klusterlet unjoined");
        expect(hostedOnHub()).toEqual([]);
        expect(lab.read(`${hub()}/agent/cluster-name`).trim()).toBe("local-cluster");
        const unjoin = lab.calls("clusteradm").find((c) => c.startsWith("clusteradm unjoin"))!;
        expect(unjoin).toMatch(/--cluster-name spoke1 --purge-operator=false$/);
        // again: nothing left to unjoin
        expect(lab.ok("unjoin.sh", unjoinEnv).stderr).toContain("nothing to unjoin");
        // the hub gone: nothing to unjoin either
        lab.ok(`${runtime}/delete-cluster.sh`, clusterEnv(runtime, "hub"));
        expect(lab.ok("unjoin.sh", unjoinEnv).stderr).toContain("is gone");
    });
});

describe.each(["kind", "k3d"] as Runtime[])("%s gRPC registration", (runtime) => {
    const server = grpcServerOf(runtime);
    const grpcHub = () => {
        const kubeconfig = createCluster(lab, runtime, "hub");
        if (runtime === "k3d") {
            lab.ok("k3d/hub-cluster-info.sh", clusterInfoEnv(kubeconfig));
        }
        lab.ok("init.sh", { ...hubEnv(runtime, kubeconfig), ...grpcHubEnv(runtime) });
        return kubeconfig;
    };
    const probeEnv = (hub: string, spoke: string) => ({
        SPOKE_NAME: "spoke1",
        SPOKE_CONTEXT: runtimeFacts[runtime].context("spoke1"),
        SPOKE_KUBECONFIG: spoke,
        HUB_CONTEXT: runtimeFacts[runtime].context("hub"),
        GRPC_SERVER: server.address,
        PROBE_IMAGE: "busybox:1.37.0",
        TIMEOUT_SECONDS: "5",
    });
    const grpcCa = () => lab.read(`${lab.cluster("hub")}/grpc-ca.pem`);

    it("init turns on the grpc driver beside csr, for the hub node's name, and serves it at the lab's NodePort", () => {
        const hub = grpcHub();
        const [init] = lab.calls("clusteradm").filter((c) => c.startsWith("clusteradm init "));
        // (calls are recorded shell-quoted: the comma comes back escaped)
        expect(init).toContain(
            `--registration-drivers csr\\,grpc --grpc-endpoint-type hostname --grpc-server ${server.host} `,
        );
        const service = lab.objectDir("hub", "service", "open-cluster-management-hub", "ocm-lab-grpc-server");
        expect(fs.readFileSync(`${service}/node-port`, "utf8").trim()).toBe(String(server.nodePort));
        expect(fs.readFileSync(`${service}/selector-app`, "utf8").trim()).toBe("cluster-manager-grpc-server");
        // to the port the server listens on, where the operator's own Service sends it (ocm v1.3.1
        // manifests/cluster-manager/hub/grpc-server/service.yaml: targetPort 8090)
        expect(fs.readFileSync(`${service}/target-port`, "utf8").trim()).toBe("8090");
        // the certificate covers the host the spokes dial
        expect(lab.read(`${lab.cluster("hub")}/hub/grpc-names`).split("\n")).toContain(server.host);

        // without a gRPC spoke, a re-run asks for csr alone and takes the NodePort away
        lab.clearCalls();
        lab.ok("init.sh", hubEnv(runtime, hub));
        const [again] = lab.calls("clusteradm").filter((c) => c.startsWith("clusteradm init "));
        expect(again).not.toContain("grpc");
        expect(fs.existsSync(service)).toBe(false);
        expect(lab.exists(`${lab.cluster("hub")}/hub/grpc-names`)).toBe(false);
    });

    it("init names the gRPC server when it never becomes Available", () => {
        const kubeconfig = createCluster(lab, runtime, "hub");
        if (runtime === "k3d") {
            lab.ok("k3d/hub-cluster-info.sh", clusterInfoEnv(kubeconfig));
        }
        const result = lab.run("init.sh", {
            ...hubEnv(runtime, kubeconfig),
            ...grpcHubEnv(runtime),
            FAKE_STUCK_DEPLOYMENT: "cluster-manager-grpc-server",
            TIMEOUT_SECONDS: "2",
        });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain(
            "init failed for cluster hub: the hub's gRPC server (deployment cluster-manager-grpc-server) was not Available within 2s",
        );
        expect(result.stderr).toContain(
            `next: kubectl --context ${runtimeFacts[runtime].context("hub")} describe deployment cluster-manager-grpc-server -n open-cluster-management-hub`,
        );
    });

    it("a spoke proves it reaches the gRPC server from a pod before it joins; without the server it cannot", () => {
        const hub = createCluster(lab, runtime, "hub");
        const spoke = createCluster(lab, runtime, "spoke1");
        if (runtime === "k3d") {
            lab.ok("k3d/hub-cluster-info.sh", clusterInfoEnv(hub));
        }
        lab.ok("init.sh", hubEnv(runtime, hub)); // csr only: nothing serves the port
        const refused = lab.run("hub-reachable.sh", probeEnv(hub, spoke));
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toContain(
            `hub-reachable failed for cluster spoke1: a pod on spoke1 could not connect to the hub's gRPC server at ${server.address}, which its klusterlet would be handed`,
        );
        expect(refused.stderr).toContain(
            `get deploy,svc -n open-cluster-management-hub | grep grpc-server (runtime existing: expose it and set ocm-lab:hubGrpcServer <host>:<port>)`,
        );
        lab.ok("init.sh", { ...hubEnv(runtime, hub), ...grpcHubEnv(runtime) });
        const reached = lab.ok("hub-reachable.sh", probeEnv(hub, spoke));
        expect(reached.stderr).toContain(`a pod on spoke1 reached the hub's gRPC server at ${server.address}`);
        expect(lab.calls("kubectl").find((c) => c.includes(" run "))).toMatch(
            new RegExp(`--command -- nc -z -w 5 ${server.host} ${server.nodePort}$`),
        );
    });

    it("join hands the klusterlet the gRPC server and its CA as a file; accept and Available follow as for csr", () => {
        const hub = grpcHub();
        const spoke = createCluster(lab, runtime, "spoke1");
        lab.clearCalls();
        const joined = lab.ok("join.sh", { ...joinEnv(runtime, hub, spoke, "spoke1"), ...grpcJoinEnv(runtime) });
        const [join] = lab.calls("clusteradm").filter((c) => c.startsWith("clusteradm join "));
        expect(join).toMatch(
            new RegExp(`--registration-auth grpc --grpc-server ${server.address} --grpc-ca-file \\S+/grpc-ca\\.crt `),
        );
        // the CA travels as a file, never on the command line or in the step's output
        const caBody = grpcCa().split("\n")[1];
        expect(lab.calls().join("\n")).not.toContain(caBody);
        expect(joined.stderr).not.toContain(caBody);
        expect(joined.stderr).toContain(`registration grpc via ${server.address}`);
        expectNoSecretsIn(joined.stderr);
        const agent = `${lab.cluster("spoke1")}/agent`;
        expect(lab.read(`${agent}/registration`).trim()).toBe("grpc");
        expect(lab.read(`${agent}/grpc-config`)).toContain(`url: ${server.address}`);

        const env = registrationEnv(runtime, hub, spoke, "spoke1");
        lab.ok("accept.sh", env);
        lab.ok("wait-available.sh", env);
    });

    /** A hosted gRPC klusterlet for spoke1, on the hub. */
    const hostedGrpcEnv = (hub: string, spoke: string) => ({
        ...joinEnv(runtime, hub, spoke, "spoke1"),
        ...grpcJoinEnv(runtime),
        KLUSTERLET_MODE: "hosted",
        KLUSTERLET_CONTEXT: runtimeFacts[runtime].context("hub"),
        KLUSTERLET_KUBECONFIG: hub,
        SPOKE_INTERNAL_KUBECONFIG: withServer(spoke, runtimeFacts[runtime].internal("spoke1"), "spoke1"),
    });

    it("join fails when the klusterlet's gRPC config names another server than the one spokes reach", () => {
        const hub = grpcHub();
        const spoke = createCluster(lab, runtime, "spoke1");
        const env = hostedGrpcEnv(hub, spoke);
        lab.ok("join.sh", env);
        // a re-run finds the hosted klusterlet joined and only reads its addresses back
        lab.clearCalls();
        const result = lab.run("join.sh", { ...env, GRPC_SERVER: "grpc.elsewhere.example:443" });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain(
            `join failed for cluster spoke1: the klusterlet registers through '${server.address}', not through grpc.elsewhere.example:443`,
        );
        expect(result.stderr).toContain(
            `next: kubectl --context ${runtimeFacts[runtime].context("hub")} get klusterlet klusterlet -o jsonpath=`,
        );
        expect(lab.calls("clusteradm")).toEqual([]);
    });

    it("join reads back a bracketed IPv6 gRPC address, which the klusterlet's YAML config quotes", () => {
        const hub = grpcHub();
        const spoke = createCluster(lab, runtime, "spoke1");
        const address = "[fd00::1]:8090";
        const env = { ...hostedGrpcEnv(hub, spoke), GRPC_SERVER: address, TIMEOUT_SECONDS: "1" };
        // nothing of the fakes answers at fd00::1, so the klusterlet never registers: join says so, not
        // that the klusterlet was handed another address
        const first = lab.run("join.sh", env);
        expect(first.code).not.toBe(0);
        expect(first.stderr).toContain("join failed for cluster spoke1: clusteradm join did not finish");
        expect(first.stderr).not.toContain("registers through");
        const [klusterlet] = lab.hostedKlusterlets("hub");
        expect(lab.read(`${lab.cluster("hub")}/hosted-agents/${klusterlet}/grpc-config`)).toContain(
            `url: '${address}'`,
        );
        // the re-run finds it joined, and its address the one it was handed
        expect(lab.ok("join.sh", env).stderr).toContain(`registration via ${address}`);
    });

    it("a join handed another gRPC server than a certified klusterlet holds is refused before anything changes", () => {
        const hub = grpcHub();
        const spoke = createCluster(lab, runtime, "spoke1");
        const join = { ...joinEnv(runtime, hub, spoke, "spoke1"), ...grpcJoinEnv(runtime) };
        lab.ok("join.sh", join);
        const env = registrationEnv(runtime, hub, spoke, "spoke1");
        lab.ok("accept.sh", env);
        lab.ok("wait-available.sh", env);
        // the same server again (a re-run after a later step failed) joins as before
        lab.ok("join.sh", join);
        // another one (ocm-lab:hubGrpcServer changed on existing): the agent, certified, would go on
        // dialling the old one whatever its bootstrap secret says
        const moved = "grpc.moved.example:443";
        lab.clearCalls();
        const refused = lab.run("join.sh", { ...join, GRPC_SERVER: moved });
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toContain(
            `join failed for cluster spoke1: the klusterlet of spoke1 registered through the hub's gRPC server at ${server.address} and keeps that address and its CA in its hub-kubeconfig-secret; joining again would not move it to ${moved}`,
        );
        expect(refused.stderr).toContain(
            "next: register spoke1 anew: remove it from ocm-lab:spokes and run up (its klusterlet is unjoined), then add it back and run up again",
        );
        expect(lab.calls("clusteradm")).toEqual([]);
        expect(lab.read(`${lab.cluster("spoke1")}/agent/grpc-config`)).toContain(`url: ${server.address}`);
    });

    it("a klusterlet given a CA that did not sign the gRPC server's certificate never files a CSR: accept says so", () => {
        const hub = grpcHub();
        const spoke = createCluster(lab, runtime, "spoke1");
        // the CA the hub publishes is not the one its server's certificate chains to (rotated under it)
        const published = path.join(
            lab.objectDir("hub", "configmap", "open-cluster-management-hub", "ca-bundle-configmap"),
            "data",
            "ca-bundle.crt",
        );
        fs.writeFileSync(published, lab.read(`${lab.cluster("hub")}/ca.pem`));
        // join --wait waits for the ManagedCluster the klusterlet would create through the server
        const join = lab.run("join.sh", {
            ...joinEnv(runtime, hub, spoke, "spoke1"),
            ...grpcJoinEnv(runtime),
            TIMEOUT_SECONDS: "1",
        });
        expect(join.code).not.toBe(0);
        expect(join.stderr).toContain("join failed for cluster spoke1: clusteradm join did not finish");
        expect(join.stderr).toContain("timed out waiting for ManagedCluster spoke1");
        expect(lab.exists(`${lab.cluster("hub")}/hub/csrs/spoke1`)).toBe(false);
        const accept = lab.run("accept.sh", {
            ...registrationEnv(runtime, hub, spoke, "spoke1"),
            TIMEOUT_SECONDS: "1",
        });
        expect(accept.code).not.toBe(0);
        expect(accept.stderr).toContain("accept failed for cluster spoke1: clusteradm accept did not finish");
    });

    it("a gRPC server certificate that does not name the host the spokes dial leaves the klusterlet unregistered", () => {
        const hub = createCluster(lab, runtime, "hub");
        if (runtime === "k3d") {
            lab.ok("k3d/hub-cluster-info.sh", clusterInfoEnv(hub));
        }
        lab.ok("init.sh", {
            ...hubEnv(runtime, hub),
            ...grpcHubEnv(runtime),
            GRPC_SERVER_HOST: "grpc.elsewhere.example",
        });
        const spoke = createCluster(lab, runtime, "spoke1");
        const join = lab.run("join.sh", {
            ...joinEnv(runtime, hub, spoke, "spoke1"),
            ...grpcJoinEnv(runtime),
            TIMEOUT_SECONDS: "1",
        });
        expect(join.code).not.toBe(0);
        expect(join.stderr).toContain("timed out waiting for ManagedCluster spoke1");
        expect(lab.exists(`${lab.cluster("hub")}/hub/csrs/spoke1`)).toBe(false);
    });

    it("init waits until the gRPC server's certificate names a new host, not only until the server runs", () => {
        const hub = createCluster(lab, runtime, "hub");
        if (runtime === "k3d") {
            lab.ok("k3d/hub-cluster-info.sh", clusterInfoEnv(hub));
        }
        lab.ok("init.sh", { ...hubEnv(runtime, hub), ...grpcHubEnv(runtime), GRPC_SERVER_HOST: "grpc.one.example" });
        expect(lab.read(`${lab.cluster("hub")}/hub/grpc-names`)).toContain("grpc.one.example");
        // the server runs already; this time the operator is slow to issue the new certificate
        const again = lab.run("init.sh", {
            ...hubEnv(runtime, hub),
            ...grpcHubEnv(runtime),
            GRPC_SERVER_HOST: "grpc.two.example",
            FAKE_SLOW_SECONDS: "2",
        });
        expect(again.code).toBe(0);
        expect(again.stderr).toContain("waiting for the gRPC server's certificate for grpc.two.example");
        expect(lab.read(`${lab.cluster("hub")}/hub/grpc-names`).split("\n")).toContain("grpc.two.example");
    });
});

describe("the fake clusteradm refuses the gRPC calls clusteradm v1.3.1 refuses", () => {
    const clusteradm = (...args: string[]) =>
        spawnSync(path.join(fakesDir, "clusteradm"), args, { env: lab.env(), encoding: "utf8" });

    it("init: an unknown driver, grpc without a server, an unknown endpoint type", () => {
        const hub = createCluster(lab, "kind", "hub");
        const file = path.join(lab.root, "hub.kubeconfig");
        fs.writeFileSync(file, hub);
        const init = (...flags: string[]) =>
            clusteradm("init", "--kubeconfig", file, "--bundle-version", "1.3.1", ...flags);
        expect(init("--registration-drivers", "csr,tls").stderr).toContain(
            "only csr,awsirsa and grpc are valid drivers",
        );
        expect(init("--registration-drivers", "csr,grpc").stderr).toContain(
            "grpc server should not be empty if the grpc endpoint type is hostname",
        );
        expect(
            init("--registration-drivers", "csr,grpc", "--grpc-server", "h", "--grpc-endpoint-type", "route").stderr,
        ).toContain("unknown grpc endpoint type route");
    });

    it("join: grpc without a server, an unknown auth type, an empty CA file", () => {
        const hub = bringUpHub(lab, "kind");
        const spoke = createCluster(lab, "kind", "spoke1");
        const files = Object.fromEntries(
            Object.entries({ hub, spoke, ca: pemOfHub(hub), empty: "" }).map(([name, text]) => {
                const file = path.join(lab.root, name);
                fs.writeFileSync(file, text);
                return [name, file];
            }),
        );
        const token = JSON.parse(clusteradm("get", "token", "--kubeconfig", files.hub, "-o", "json").stdout)[
            "hub-token"
        ];
        const join = (...flags: string[]) =>
            clusteradm(
                "join",
                "--kubeconfig",
                files.spoke,
                "--hub-token",
                token,
                "--hub-apiserver",
                serverOf(hub, "hub"),
                "--ca-file",
                files.ca,
                "--cluster-name",
                "spoke1",
                "--bundle-version",
                "1.3.1",
                ...flags,
            );
        expect(join("--registration-auth", "grpc").stderr).toContain(
            "grpc-server is required when registration-auth type is grpc",
        );
        expect(join("--registration-auth", "tls").stderr).toContain("invalid registration-Auth type");
        expect(
            join(
                "--registration-auth",
                "grpc",
                "--grpc-server",
                "hub-control-plane:30090",
                "--grpc-ca-file",
                files.empty,
            ).stderr,
        ).toContain(`--grpc-ca-file "${files.empty}" is empty`);
    });
});

/** The hub's CA as join's --ca-file holds it. */
function pemOfHub(hubKubeconfig: string): string {
    return Buffer.from(caDataOf(hubKubeconfig, "hub"), "base64").toString("utf8");
}
