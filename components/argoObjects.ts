/**
 * The Argo CD objects the lab creates, built from @kubernetes-models/argo-cd and validated against
 * Argo CD's schema here, so a wrong field fails `pulumi preview` and the tests, not a cluster.
 */
import { AppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import { ApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet";

/** Where the add-on chart installs Argo CD on the hub. */
export const argocdNamespace = "argocd";
/** Objects the chart creates that the program refers to; it never creates them itself. */
export const chartObjects = {
    placement: "placement",
    placementGeneratorConfigMap: "ocm-placement-generator",
    serverService: "argocd-server",
} as const;

/** A Kubernetes object as plain data: what the builders below return once validated. */
export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string };
    [field: string]: unknown;
}

export interface GuestbookSource {
    appRepoUrl: string;
    appPath: string;
    appRevision: string;
}

/**
 * The secret the Argo CD operator reads the admin password from, named `<ArgoCD CR>-cluster`: the
 * chart's CR is `argocd` in `argocd`. Labels as the operator's documentation shows them.
 */
export function operatorAdminSecret() {
    return {
        metadata: {
            name: "argocd-cluster",
            namespace: argocdNamespace,
            labels: { "app.kubernetes.io/name": "argocd-cluster", "app.kubernetes.io/part-of": "argocd" },
        },
        type: "Opaque",
    };
}

/** The namespace the app lands in on every spoke. */
export const guestbookNamespace = "guestbook";

/**
 * Argo CD's own `default` project, opened to every source, destination and source namespace so the
 * generated Applications are admitted. Applied, not patched: Argo CD normally creates it first, but
 * upstream's e2e and examples create-or-update it, so the lab does not depend on who is first.
 */
export function defaultProject(): KubeObject {
    const project = new AppProject({
        metadata: { name: "default", namespace: argocdNamespace },
        spec: {
            sourceRepos: ["*"],
            sourceNamespaces: ["*"],
            destinations: [
                { server: "*", namespace: "*" },
                { name: "*", namespace: "*" },
            ],
            clusterResourceWhitelist: [{ group: "*", kind: "*" }],
        },
    });
    project.validate();
    return project.toJSON() as KubeObject;
}

/**
 * One Application per cluster the add-on's Placement selects, through OCM's placement generator:
 * every spoke (and the hub, if it ever joins itself) gets the app in its `guestbook` namespace.
 */
export function guestbookApplicationSet(source: GuestbookSource): KubeObject {
    const appSet = new ApplicationSet({
        metadata: { name: "guestbook", namespace: argocdNamespace },
        spec: {
            generators: [
                {
                    clusterDecisionResource: {
                        configMapRef: chartObjects.placementGeneratorConfigMap,
                        labelSelector: {
                            matchLabels: { "cluster.open-cluster-management.io/placement": chartObjects.placement },
                        },
                        requeueAfterSeconds: 30,
                    },
                },
            ],
            template: {
                metadata: { name: "guestbook-{{name}}" },
                spec: {
                    project: "default",
                    source: { repoURL: source.appRepoUrl, path: source.appPath, targetRevision: source.appRevision },
                    destination: { name: "{{name}}", namespace: guestbookNamespace },
                    syncPolicy: {
                        automated: { prune: true, selfHeal: true },
                        syncOptions: ["CreateNamespace=true"],
                    },
                },
            },
        },
    });
    appSet.validate();
    return appSet.toJSON() as KubeObject;
}
