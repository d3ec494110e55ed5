/**
 * The add-on's waits against the fake kubectl: they succeed when the objects are ready, tolerate
 * objects that do not exist yet, and on timeout name the cluster that lags and what to run next.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { FakeLab } from "./harness/fakeLab";
import {
    createCluster,
    hubEnv,
    joinEnv,
    loadProgramSteps,
    programEnv,
    registrationEnv,
    writeKubeconfig,
} from "./harness/labSteps";
import { applicationSetFields } from "./engine/plugins/kubernetes";
import { guestbookApplicationSet, KubeObject } from "../components/argoObjects";
import { versions } from "../versions";

let lab: FakeLab;
let hubKubeconfig: string;
let spokeKubeconfig: string;
beforeAll(loadProgramSteps);
beforeEach(() => {
    lab = new FakeLab();
    hubKubeconfig = createCluster(lab, "kind", "hub");
    spokeKubeconfig = createCluster(lab, "kind", "spoke1");
});
afterEach(() => {
    expect(lab.leftoverTempFiles()).toEqual([]);
    lab.dispose();
});

const ready = { ServerDiscovered: "True", ClustersImported: "True", AddonConfigured: "True" };
// each wait's environment as the program gives its Command (labSteps.ts)
const gitopsEnv = () => programEnv("kind", "argocd-gitops-ready", { HUB_KUBECONFIG: hubKubeconfig });
const guestbookEnv = () => programEnv("kind", "spoke1-guestbook-available", { SPOKE_KUBECONFIG: spokeKubeconfig });
const passwordEnv = () => programEnv("kind", "argocd-password-seeded", { HUB_KUBECONFIG: hubKubeconfig });

describe("waiting for the GitOpsCluster", () => {
    it("succeeds once all three conditions are True, without waiting for Argo CD's default project", () => {
        lab.putObject("hub", "gitopscluster", "argocd", "gitops-cluster", { conditions: ready });
        const result = lab.run("argocd/wait-gitops-ready.sh", gitopsEnv());
        expect(result.code).toBe(0);
        expect(result.stderr).toContain("GitOpsCluster ready");
        expect(lab.calls("kubectl").filter((c) => c.includes("appproject"))).toEqual([]);
    });

    it("waits through objects that do not exist yet", () => {
        lab.putObject("hub", "gitopscluster", "argocd", "gitops-cluster", { conditions: ready, pendingPolls: 2 });
        const result = lab.run("argocd/wait-gitops-ready.sh", gitopsEnv());
        expect(result.code).toBe(0);
        expect(result.stderr).toContain("waiting for GitOpsCluster gitops-cluster condition ServerDiscovered");
        expect(lab.calls("kubectl").filter((c) => c.includes("gitopscluster"))).toHaveLength(5);
    });

    it("names the condition that never became True, with the next command", () => {
        lab.putObject("hub", "gitopscluster", "argocd", "gitops-cluster", {
            conditions: { ...ready, ClustersImported: "False" },
        });
        const result = lab.run("argocd/wait-gitops-ready.sh", {
            ...gitopsEnv(),
            TIMEOUT_SECONDS: "1",
        });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain(
            "ocm-lab: argocd-ready failed for cluster hub: GitOpsCluster gitops-cluster has no ClustersImported=True within 1s",
        );
        expect(result.stderr).toContain(
            "next: kubectl --context kind-hub get gitopscluster gitops-cluster -n argocd -o yaml",
        );
    });
});

describe("waiting for the add-on on a spoke", () => {
    const env = () => programEnv("kind", "spoke1-addon-available", { HUB_KUBECONFIG: hubKubeconfig });

    it("succeeds when ManagedClusterAddOn argocd-agent-addon is Available in the spoke's namespace", () => {
        lab.putObject("hub", "managedclusteraddon", "spoke1", "argocd-agent-addon", {
            conditions: { Available: "True" },
            pendingPolls: 1,
        });
        expect(lab.run("argocd/wait-addon-available.sh", env()).code).toBe(0);
    });

    it("names the spoke that lags", () => {
        lab.putObject("hub", "managedclusteraddon", "spoke2", "argocd-agent-addon", {
            conditions: { Available: "True" },
        });
        const result = lab.run("argocd/wait-addon-available.sh", { ...env(), TIMEOUT_SECONDS: "1" });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("the argocd-agent add-on did not become Available on spoke1 within 1s");
        expect(result.stderr).toContain(
            "next: kubectl --context kind-hub get managedclusteraddon argocd-agent-addon -n spoke1 -o yaml",
        );
    });
});

describe("waiting for guestbook on a spoke", () => {
    it("succeeds when the guestbook Deployment is Available on that spoke (not on the hub)", () => {
        lab.putObject("hub", "deployment", "guestbook", "guestbook-ui", { conditions: { Available: "True" } });
        lab.putObject("spoke1", "deployment", "guestbook", "guestbook-ui", {
            conditions: { Available: "True" },
            pendingPolls: 2,
        });
        const result = lab.run("argocd/wait-guestbook.sh", guestbookEnv());
        expect(result.code).toBe(0);
        expect(result.stderr).toContain("waiting for deployment guestbook-ui on spoke1");
    });

    it("times out naming the spoke, with where to look on hub and spoke", () => {
        lab.putObject("hub", "deployment", "guestbook", "guestbook-ui", { conditions: { Available: "True" } });
        lab.putObject("spoke1", "deployment", "guestbook", "guestbook-ui", { conditions: { Available: "False" } });
        const result = lab.run("argocd/wait-guestbook.sh", { ...guestbookEnv(), TIMEOUT_SECONDS: "1" });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain(
            "ocm-lab: guestbook failed for cluster spoke1: guestbook did not become Available on spoke1 within 1s",
        );
        expect(result.stderr).toContain(
            "next: kubectl --context kind-hub get applications -A | grep spoke1; kubectl --context kind-spoke1 get all -n guestbook",
        );
    });
});

describe("making the operator take the lab's admin password", () => {
    const password = "lab-Adm1n-pw";
    const stored = (name: string) =>
        Buffer.from(
            lab.read(`${lab.cluster("hub")}/objects/secret/argocd/${name}/data/admin.password`),
            "base64",
        ).toString();

    it("clears argocd-secret's old hash, waits for the operator to hash argocd-cluster's password, prints nothing", () => {
        // a running Argo CD whose operator hashed an older password; the lab has since applied a new one
        lab.markHub("addon-installed");
        lab.putObject("hub", "secret", "argocd", "argocd-cluster", {
            data: { "admin.password": Buffer.from(password).toString("base64") },
        });
        lab.putObject("hub", "secret", "argocd", "argocd-secret", {
            data: { "admin.password": Buffer.from("bcrypt:old-password").toString("base64") },
            pendingPolls: 1,
        });
        const result = lab.run("argocd/seed-admin-password.sh", passwordEnv());
        expect(result.code).toBe(0);
        expect(stored("argocd-secret")).toBe(`bcrypt:${password}`);
        expect(result.stdout).toBe("");
        expect(result.stderr).not.toContain(password);
        expect(lab.calls("kubectl").filter((c) => c.includes(" patch "))).toHaveLength(1);
    });

    it("fails clearly when the operator never makes argocd-secret", () => {
        const result = lab.run("argocd/seed-admin-password.sh", {
            ...passwordEnv(),
            TIMEOUT_SECONDS: "1",
        });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain(
            "ocm-lab: argocd-password failed for cluster hub: the Argo CD operator made no argocd-secret within 1s",
        );
        expect(result.stderr).toContain("next: kubectl --context kind-hub get argocd,secrets -n argocd");
    });
});

describe("the fake Argo CD, on which the engine tier's guestbook rests", () => {
    const source = {
        appRepoUrl: versions.guestbookRepo,
        appPath: versions.guestbookPath,
        appRevision: versions.guestbookRevision,
    };
    /** The ApplicationSet, recorded on the hub as the kubernetes stand-in records it. */
    const apply = (object: KubeObject) => {
        const folder = path.join(
            lab.state,
            lab.cluster("hub"),
            "hub",
            "applicationsets",
            "argocd",
            object.metadata.name,
        );
        fs.rmSync(folder, { recursive: true, force: true });
        fs.mkdirSync(folder, { recursive: true });
        for (const [field, value] of Object.entries(applicationSetFields(object))) {
            fs.writeFileSync(path.join(folder, field), value);
        }
        fs.writeFileSync(path.join(folder, "at"), "0");
    };
    /** The hub's Applications as `npm run status` reads them: name, destination, sync and health. */
    const applications = () => {
        const listed = spawnSync(
            path.join(__dirname, "fakes", "kubectl"),
            [
                "--kubeconfig",
                writeKubeconfig(lab, hubKubeconfig),
                "get",
                "applications.argoproj.io",
                "-A",
                "-o",
                "json",
            ],
            { env: lab.env(), encoding: "utf8" },
        );
        expect(listed.status).toBe(0);
        return (JSON.parse(listed.stdout).items as any[]).map(
            (a) =>
                `${a.metadata.name} -> ${a.spec.destination.name}: ${a.status.sync.status}/${a.status.health.status}`,
        );
    };
    const guestbook = () => `${lab.cluster("spoke1")}/objects/deployment/guestbook/guestbook-ui`;
    beforeEach(() => {
        // spoke1 registered and accepted, the chart installed (the fakes' time runs at scale 0 here)
        lab.ok("init.sh", hubEnv("kind", hubKubeconfig));
        lab.ok("join.sh", joinEnv("kind", hubKubeconfig, spokeKubeconfig, "spoke1"));
        lab.ok("accept.sh", registrationEnv("kind", hubKubeconfig, spokeKubeconfig, "spoke1"));
        lab.markHub("addon-installed");
    });

    it("syncs the app the ApplicationSet names to the cluster its placement generator selects", () => {
        apply(guestbookApplicationSet(source));
        expect(applications()).toEqual(["guestbook-spoke1 -> spoke1: Synced/Healthy"]);
        expect(lab.read(`${guestbook()}/source`)).toBe(`${source.appRepoUrl} guestbook ${source.appRevision}`);
    });

    it("delivers nothing for another generator, a path its Git server does not hold, or another destination", () => {
        apply(guestbookApplicationSet({ ...source, appPath: "helm-guestbook-missing" }));
        expect(applications()).toEqual(["guestbook-spoke1 -> spoke1: OutOfSync/Missing"]);
        expect(lab.exists(guestbook())).toBe(false);

        // another generator: the Application it made goes, and none comes
        const other = guestbookApplicationSet(source) as any;
        other.spec.generators[0].clusterDecisionResource.labelSelector.matchLabels[
            "cluster.open-cluster-management.io/placement"
        ] = "all-clusters";
        apply(other);
        expect(applications()).toEqual([]);

        const elsewhere = guestbookApplicationSet(source) as any;
        elsewhere.spec.template.spec.destination.name = "in-cluster";
        apply(elsewhere);
        expect(applications()).toEqual(["guestbook-spoke1 -> in-cluster: OutOfSync/Missing"]);
        expect(lab.exists(guestbook())).toBe(false);
    });
});
