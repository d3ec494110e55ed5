/**
 * The argocd-agent add-on in the graph: installed after every spoke is Available, Argo objects
 * after Argo CD is ready, delivery proven per spoke, and all of it gone when the add-on is off.
 */
import { AppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import { ApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet";
import { guestbookApplicationSet } from "../components/argoObjects";
import { failedRun, resource, upstream, waitsFor } from "./harness/graph";
import { isSecretValue, ProgramRun, reveal, runProgram } from "./harness/program";
import { versions } from "../versions";

const release = (run: ProgramRun) => resource(run, "argocd-release", "kubernetes:helm.sh/v3:Release");
const appSet = (run: ProgramRun) => resource(run, "argocd-guestbook", "kubernetes:argoproj.io/v1alpha1:ApplicationSet");
const defaultProject = (run: ProgramRun) =>
    resource(run, "argocd-default-project", "kubernetes:argoproj.io/v1alpha1:AppProject");

describe.each(["kind", "k3d"])("the %s stack with the add-on (default)", (stack) => {
    let run: ProgramRun;
    beforeAll(async () => {
        run = await runProgram({ stack, config: { spokes: ["spoke1", "spoke2", "spoke3"] } });
    });

    it("installs the chart on the hub only after every spoke is accepted and Available", () => {
        const direct = release(run).dependencies;
        for (const spoke of ["spoke1", "spoke2", "spoke3"]) {
            expect(direct).toContain(resource(run, `${spoke}-accept`).urn);
            expect(direct).toContain(resource(run, `${spoke}-available`).urn);
        }
        expect(release(run).provider).toContain("hub-provider");
    });

    it("installs chart argocd-agent-addon 0.28.1 into argocd with a NodePort principal", () => {
        expect(release(run).inputs).toMatchObject({
            chart: "argocd-agent-addon",
            version: "0.28.1",
            repositoryOpts: { repo: "https://open-cluster-management.io/helm-charts" },
            namespace: "argocd",
            createNamespace: true,
            values: { principalServiceType: "NodePort" },
        });
    });

    it("waits for readiness after the chart, and creates the Argo objects only after Argo CD is ready", () => {
        expect(waitsFor(run, "argocd-gitops-ready", "argocd-release")).toBe(true);
        for (const spoke of ["spoke1", "spoke2", "spoke3"]) {
            expect(waitsFor(run, `${spoke}-addon-available`, "argocd-release")).toBe(true);
        }
        const gitopsReady = resource(run, "argocd-gitops-ready").urn;
        expect(upstream(run, defaultProject(run))).toContain(gitopsReady);
        expect(upstream(run, appSet(run))).toContain(gitopsReady);
        expect(upstream(run, appSet(run))).toContain(defaultProject(run).urn);
        expect(waitsFor(run, "argocd-password-seeded", "argocd-gitops-ready")).toBe(true);
    });

    it("proves delivery per spoke after the ApplicationSet and that spoke's agent, independently of the others", () => {
        for (const spoke of ["spoke1", "spoke2", "spoke3"]) {
            const wait = resource(run, `${spoke}-guestbook-available`);
            const before = upstream(run, wait);
            expect(before).toContain(appSet(run).urn);
            expect(before).toContain(resource(run, `${spoke}-addon-available`).urn);
            for (const other of ["spoke1", "spoke2", "spoke3"].filter((s) => s !== spoke)) {
                expect(before).not.toContain(resource(run, `${other}-addon-available`).urn);
            }
            expect(isSecretValue(wait.inputs.environment)).toBe(true); // holds the spoke kubeconfig
            expect(wait.inputs.environment.value.SPOKE_NAME).toBe(spoke);
        }
    });

    it("applies the default AppProject whether or not Argo CD made it first, and leaves it on delete", () => {
        const project = defaultProject(run);
        const provider = resource(run, "argocd-project-provider", "pulumi:providers:kubernetes");
        expect(project.provider.startsWith(`${provider.urn}::`)).toBe(true);
        expect(provider.inputs.upsertExistingObjects).toBe("true"); // provider inputs travel as strings
        // a new admin password updates argocd-cluster in place, rather than deleting it first
        expect(provider.inputs.enableSecretMutable).toBe("true");
        expect(project.retainOnDelete).toBe(true);
        // every other object on the hub goes through the hub's ordinary provider
        expect(
            resource(run, "hub-provider", "pulumi:providers:kubernetes").inputs.upsertExistingObjects,
        ).toBeUndefined();
        expect(appSet(run).provider.startsWith(`${provider.urn}::`)).toBe(false);
        const patch = project.inputs;
        expect(patch.metadata).toEqual({
            name: "default",
            namespace: "argocd",
            annotations: { "pulumi.com/patchForce": "true" },
        });
        expect(patch.spec.sourceRepos).toEqual(["*"]);
        expect(patch.spec.sourceNamespaces).toEqual(["*"]);
        expect(patch.spec.destinations).toContainEqual({ server: "*", namespace: "*" });
        expect(() => new AppProject({ ...patch, metadata: { name: "default" } } as any).validate()).not.toThrow();
    });

    it("generates one guestbook Application per placed cluster through OCM's placement generator", () => {
        const body = appSet(run).inputs;
        expect(body.metadata).toEqual({ name: "guestbook", namespace: "argocd" });
        expect(body.spec.generators).toEqual([
            {
                clusterDecisionResource: {
                    configMapRef: "ocm-placement-generator",
                    labelSelector: { matchLabels: { "cluster.open-cluster-management.io/placement": "placement" } },
                    requeueAfterSeconds: 30,
                },
            },
        ]);
        expect(body.spec.template.spec).toMatchObject({
            project: "default",
            source: { repoURL: "https://github.com/argoproj/argocd-example-apps.git", path: "guestbook" },
            destination: { name: "{{name}}", namespace: "guestbook" },
            syncPolicy: { syncOptions: ["CreateNamespace=true"] },
        });
        expect(() => new ApplicationSet(body as any).validate()).not.toThrow();
    });

    it("skips deleting in-cluster objects when their cluster is destroyed with them", () => {
        const hubCluster = resource(run, "hub-cluster").urn;
        for (const r of [release(run), defaultProject(run), appSet(run), resource(run, "argocd-gitops-ready")]) {
            expect(r.deletedWith).toBe(hubCluster);
        }
        expect(resource(run, "spoke2-guestbook-available").deletedWith).toBe(resource(run, "spoke2-cluster").urn);
        // Nothing of the add-on runs a delete script that could hang on a finalizer.
        const addonSteps = run.resources.filter(
            (r) => r.parent.includes("ArgoAgentAddon") && r.type === "command:local:Command",
        );
        expect(addonSteps.length).toBeGreaterThan(0);
        for (const step of addonSteps) {
            expect(step.inputs.delete).toBeUndefined();
        }
    });

    it("generates the admin password, applies it for the operator before the chart, and keeps it secret", () => {
        const password = resource(run, "argocd-admin-password", "random:index/randomPassword:RandomPassword");
        expect(password.inputs).toMatchObject({ length: 24, special: false });
        // the operator's cluster secret for the chart's ArgoCD CR (argocd/argocd), holding that password
        const secret = resource(run, "argocd-cluster-secret", "kubernetes:core/v1:Secret");
        expect(secret.inputs.metadata).toMatchObject({ name: "argocd-cluster", namespace: "argocd" });
        expect(isSecretValue(secret.inputs.stringData)).toBe(true);
        expect(reveal(secret.inputs.stringData)["admin.password"]).toBe("argocd-admin-password-value");
        expect(secret.provider).toContain("argocd-project-provider"); // taken over if the operator made one
        expect(upstream(run, release(run))).toContain(secret.urn); // there before the ArgoCD CR
        // the step that makes the operator hash it again runs when the password changes, never sees it in clear
        const seeded = resource(run, "argocd-password-seeded");
        expect(upstream(run, seeded)).toContain(secret.urn);
        const digest = reveal(seeded.inputs.environment).ADMIN_PASSWORD_SHA256;
        expect(digest).toMatch(/^[0-9a-f]{64}$/);
        expect(JSON.stringify(reveal(seeded.inputs.environment))).not.toContain("argocd-admin-password-value");
        expect(run.secretOutputs).toContain("argocdAdminPassword");
        expect(run.outputs.argocdAdminPassword).toBe("argocd-admin-password-value");
        expect(run.outputs.argocdUi).toContain(
            `kubectl --context ${stack}-hub -n argocd port-forward svc/argocd-server 8080:443`,
        );
        expect(run.outputs.guestbookCommands).toEqual({
            spoke1: `kubectl --context ${stack}-spoke1 -n guestbook get deploy,svc,pods`,
            spoke2: `kubectl --context ${stack}-spoke2 -n guestbook get deploy,svc,pods`,
            spoke3: `kubectl --context ${stack}-spoke3 -n guestbook get deploy,svc,pods`,
        });
    });
});

describe("turning the add-on off", () => {
    it.each(["kind", "k3d"])(
        "%s: argocd.enabled=false removes exactly the add-on's resources and changes nothing else",
        async (stack) => {
            const on = await runProgram({ stack });
            const off = await runProgram({ stack, config: { argocd: { enabled: false } } });
            const offByUrn = new Map(off.resources.map((r) => [r.urn, r]));
            const removed = on.resources
                .filter((r) => !offByUrn.has(r.urn))
                .map((r) => r.name)
                .sort();
            expect(removed).toEqual(
                [
                    "argocd",
                    "argocd-release",
                    "argocd-gitops-ready",
                    "argocd-default-project",
                    "argocd-project-provider",
                    "argocd-guestbook",
                    "argocd-admin-password",
                    "argocd-namespace",
                    "argocd-cluster-secret",
                    "argocd-password-seeded",
                    "spoke1-addon-available",
                    "spoke2-addon-available",
                    "spoke1-guestbook-available",
                    "spoke2-guestbook-available",
                ].sort(),
            );
            expect(off.resources.every((r) => on.resources.some((x) => x.urn === r.urn))).toBe(true);
            for (const r of off.resources) {
                expect(r.inputs).toEqual(on.resources.find((x) => x.urn === r.urn)!.inputs);
            }
            expect(off.outputs.argocdUi).toBeNull();
            expect(off.outputs.argocdAdminPassword).toBeNull();
        },
    );
});

describe("add-on configuration", () => {
    it("bounds the chart install by its own 10 minutes, apart from the steps' waits", async () => {
        const byDefault = await runProgram({ stack: "kind", config: { timeoutSeconds: 120 } });
        expect(release(byDefault).inputs.timeout).toBe(600);
        const longer = await runProgram({ stack: "kind", config: { argocd: { installTimeoutSeconds: 1200 } } });
        expect(release(longer).inputs.timeout).toBe(1200);
        await expect(runProgram({ stack: "kind", config: { argocd: { installTimeoutSeconds: 5 } } })).rejects.toThrow(
            /ocm-lab:argocd\.installTimeoutSeconds is 5; it must be a whole number of seconds, at least 60/,
        );
    });

    it("delivers the guestbook from the commit pinned in versions.ts unless told otherwise", async () => {
        const run = await runProgram({ stack: "k3d" });
        const source = appSet(run).inputs.spec.template.spec.source;
        expect(source.targetRevision).toBe(versions.guestbookRevision);
        expect(source.targetRevision).toMatch(/^[0-9a-f]{40}$/); // a commit, not a branch that moves
    });

    it("passes chart version and app source overrides to the Release and the ApplicationSet", async () => {
        const run = await runProgram({
            stack: "kind",
            config: {
                argocd: {
                    chartVersion: "0.29.0",
                    appRepoUrl: "https://example.com/apps.git",
                    appPath: "apps/guestbook",
                    appRevision: "v1.2.3",
                },
            },
        });
        expect(release(run).inputs.version).toBe("0.29.0");
        expect(appSet(run).inputs.spec.template.spec.source).toEqual({
            repoURL: "https://example.com/apps.git",
            path: "apps/guestbook",
            targetRevision: "v1.2.3",
        });
    });

    const bad: [string, unknown, RegExp][] = [
        ["enabled that is not a boolean", { enabled: "yes" }, /ocm-lab:argocd\.enabled is "yes".*true or false/],
        ["a bad chart version", { chartVersion: "latest" }, /ocm-lab:argocd\.chartVersion is "latest".*0\.28\.1/],
        [
            "a repository that is not https",
            { appRepoUrl: "git@github.com:x/y.git" },
            /ocm-lab:argocd\.appRepoUrl.*https Git URL/,
        ],
        ["an unknown setting", { enable: false }, /ocm-lab:argocd\.enable is not a setting/],
        ["a value that is not a map", "off", /ocm-lab:argocd is "off"; it must be a map/],
    ];
    it.each(bad)("rejects %s before creating anything", async (_, argocd, message) => {
        const { error, registered } = await failedRun({ stack: "kind", config: { argocd } });
        expect(error.message).toMatch(message);
        expect(registered).toEqual([]);
    });

    it("refuses to build an ApplicationSet that Argo CD's schema rejects", () => {
        expect(() =>
            guestbookApplicationSet({ appRepoUrl: 42 as unknown as string, appPath: "guestbook", appRevision: "HEAD" }),
        ).toThrow(/repoURL must be string/);
    });
});
