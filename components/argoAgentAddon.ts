import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    argocdNamespace,
    chartObjects,
    defaultProject,
    GuestbookSource,
    guestbookApplicationSet,
    guestbookNamespace,
    KubeObject,
} from "./argoObjects";
import { ClusterRegistration } from "./clusterRegistration";
import { HubCluster } from "./hubCluster";
import { SpokeCluster } from "./spokeCluster";
import { step } from "../scripts/step";

export interface ArgoAgentAddonArgs extends GuestbookSource {
    /** The hub; the chart, the Argo CD objects and the add-on all live there. */
    hub: HubCluster;
    /** Spokes that receive the agent and the app; each must have a registration in `registrations`. */
    spokes: SpokeCluster[];
    /** Every spoke's registration: the add-on installs only after all of them are Available. */
    registrations: ClusterRegistration[];
    /** argocd-agent-addon chart version (see versions.ts). */
    chartVersion: string;
    /** Chart repository URL. */
    chartRepo: string;
    /** Upper bound for the chart's Helm install, in seconds. */
    installTimeoutSeconds: number;
}

/**
 * The argocd-agent OCM add-on: the chart on the hub (Argo CD with the agent's principal, the add-on
 * registration, a Placement over all spokes), then the guestbook app to every spoke through an
 * ApplicationSet on OCM's placement generator, with bounded waits that prove each step.
 *
 * Everything here lives inside the hub or a spoke, so it is `deletedWith` that cluster: destroying
 * the lab skips it, and only turning the add-on off on a running lab deletes it one by one.
 */
export class ArgoAgentAddon extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;
    /** The Argo CD admin password (secret). */
    readonly adminPassword: pulumi.Output<string>;
    /** How to open the Argo CD UI from this machine. */
    readonly uiCommand: string;
    /** Per spoke, the command that shows the delivered app. */
    readonly appCommands: Record<string, string>;

    constructor(name: string, args: ArgoAgentAddonArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ocm-lab:index:ArgoAgentAddon", name, {}, opts);
        const { hub } = args;
        const onHub = { parent: this, provider: hub.provider, deletedWith: hub.cluster };
        const hubEnvironment = {
            HUB_NAME: hub.clusterName,
            HUB_CONTEXT: hub.context,
            HUB_KUBECONFIG: hub.kubeconfig,
        };

        // Installed through Helm, not `clusteradm install hub-addon` (which ignores --context, takes no
        // values and fails on re-run), and never applied client-side: its CRDs are 3.9 MB.
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "argocd-agent-addon",
                chart: "argocd-agent-addon",
                version: args.chartVersion,
                repositoryOpts: { repo: args.chartRepo },
                namespace: argocdNamespace,
                createNamespace: true,
                // kind and k3d have no LoadBalancer; with NodePort the principal is advertised at the hub
                // node's address, which agents reach over the clusters' shared network.
                values: { principalServiceType: "NodePort" },
                timeout: args.installTimeoutSeconds,
            },
            { ...onHub, dependsOn: args.registrations.flatMap((r) => [r.accepted, r.available]) },
        );

        const gitopsReady = step(
            `${name}-gitops-ready`,
            { script: "argocd/wait-gitops-ready.sh", environment: hubEnvironment },
            { parent: this, dependsOn: [this.release], deletedWith: hub.cluster },
        );

        // `default` is Argo CD's: create it or take over the fields the lab sets, whichever is needed.
        // Since @pulumi/kubernetes 4.29 a create of an existing object fails unless the provider
        // upserts; only this object gets such a provider, so nothing else can adopt by accident.
        const upsertOnHub = new k8s.Provider(
            `${name}-project-provider`,
            { kubeconfig: hub.kubeconfig, upsertExistingObjects: true },
            { parent: this },
        );
        const project = new k8s.apiextensions.CustomResource(
            `${name}-default-project`,
            withForcedApply(defaultProject()),
            // Turning the add-on off leaves Argo CD's own project to Argo CD.
            { ...onHub, provider: upsertOnHub, retainOnDelete: true, dependsOn: [gitopsReady] },
        );
        const applicationSet = new k8s.apiextensions.CustomResource(
            `${name}-guestbook`,
            guestbookApplicationSet(args),
            { ...onHub, dependsOn: [gitopsReady, project] },
        );

        const registered = new Set(args.registrations.map((r) => r.spokeName));
        for (const spoke of args.spokes) {
            if (!registered.has(spoke.clusterName)) {
                throw new Error(`ArgoAgentAddon: spoke ${spoke.clusterName} has no registration`);
            }
            const addonAvailable = step(
                `${spoke.clusterName}-addon-available`,
                {
                    script: "argocd/wait-addon-available.sh",
                    // the cluster id: a rebuilt spoke needs the agent again, so this wait runs again
                    environment: {
                        ...hubEnvironment,
                        SPOKE_NAME: spoke.clusterName,
                        SPOKE_CLUSTER_ID: spoke.cluster.id,
                    },
                },
                { parent: this, dependsOn: [this.release], deletedWith: hub.cluster },
            );
            step(
                `${spoke.clusterName}-guestbook-available`,
                {
                    script: "argocd/wait-guestbook.sh",
                    environment: {
                        SPOKE_NAME: spoke.clusterName,
                        SPOKE_CONTEXT: spoke.context,
                        SPOKE_KUBECONFIG: spoke.kubeconfig,
                        HUB_CONTEXT: hub.context,
                    },
                },
                { parent: this, dependsOn: [applicationSet, addonAvailable], deletedWith: spoke.cluster },
            );
        }

        const password = step(
            `${name}-admin-password`,
            { script: "argocd/admin-password.sh", environment: hubEnvironment, secretStdout: true },
            { parent: this, dependsOn: [gitopsReady], deletedWith: hub.cluster },
        );
        this.adminPassword = pulumi.secret(password.stdout);
        this.uiCommand =
            `kubectl --context ${hub.context} -n ${argocdNamespace} port-forward svc/${chartObjects.serverService} 8080:443` +
            `   # then open https://localhost:8080 as admin`;
        this.appCommands = Object.fromEntries(
            args.spokes.map((s) => [
                s.clusterName,
                `kubectl --context ${s.context} -n ${guestbookNamespace} get deploy,svc,pods`,
            ]),
        );

        this.registerOutputs({ adminPassword: this.adminPassword, uiCommand: this.uiCommand });
    }
}

/** Server-side apply takes over fields another manager (Argo CD) set on an object it created. */
function withForcedApply(object: KubeObject): k8s.apiextensions.CustomResourceArgs {
    return { ...object, metadata: { ...object.metadata, annotations: { "pulumi.com/patchForce": "true" } } };
}
