import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import { KlusterletMode, RegistrationDriver, ResourceQos } from "../config";
import { HubCluster, qosEnvironment } from "./hubCluster";
import { pemOf, withServer } from "../runtimes/kubeconfig";
import { smokeWork, smokeWorkNames } from "./ocmObjects";
import { step } from "../scripts/step";
import { versions } from "../versions";

/** What registration needs of the cluster that joins: a SpokeCluster, or the hub registering itself. */
export interface JoiningCluster {
    /** Its ManagedCluster name on the hub. */
    clusterName: string;
    /** The kubectl context of the cluster the klusterlet runs in, for messages. */
    context: string;
    /** Host-view kubeconfig of that cluster (secret). */
    kubeconfig: pulumi.Output<string>;
    /** The step that makes or connects to that cluster: a new cluster (a new id) registers again. */
    cluster: command.local.Command;
    /** The same step when the lab made the cluster; undefined when it is the user's (runtime existing). */
    ownedCluster?: command.local.Command;
    /** Its API server as the lab's other clusters reach it (a hosted klusterlet on the hub). */
    apiServerInternal: pulumi.Input<string>;
}

/**
 * The NoSelect taint a self-managed hub's ManagedCluster carries: a Placement selects it only if it
 * tolerates this key, and the add-on chart's Placement tolerates only unreachable and unavailable
 * (argocd-agent-addon 0.28.1, templates/gitopscluster/placement.yaml). Argo CD's principal and the
 * agent would both live in the hub's argocd namespace, so the add-on stays on the spokes.
 */
export const selfManagedTaintKey = "ocm-lab/self-managed-hub";

export interface ClusterRegistrationArgs {
    /** The initialised hub the spoke joins. */
    hub: HubCluster;
    /** The cluster to register; its name becomes the ManagedCluster name. */
    spoke: JoiningCluster;
    /**
     * The joining cluster is the hub itself (config hubSelfManaged): its ManagedCluster is tainted out
     * of every Placement that does not tolerate selfManagedTaintKey, and removing the registration
     * unjoins the klusterlet first, since the cluster lives on.
     */
    hubItself?: boolean;
    /** OCM release of the klusterlet (`--bundle-version`); keep it equal to the hub's. */
    bundleVersion: string;
    /** Resource settings for the klusterlet. */
    resourceQos: ResourceQos;
    /** Where the klusterlet runs: on the spoke (default, singleton) or on the hub (hosted). */
    klusterletMode?: KlusterletMode;
    /** How the klusterlet registers: csr (the hub's API server) or grpc (the hub's gRPC server). */
    registration?: RegistrationDriver;
    /** Deliver the smoke ManifestWork once the spoke is Available, and wait until its Pod runs. */
    smokeWork: boolean;
}

/**
 * Registers one spoke with the hub, in the OCM handshake's order: a join token minted on the hub and
 * `clusteradm join` on the spoke (one step, so the token is always fresh), `clusteradm accept` on the
 * hub, then a bounded wait until the hub sees the spoke Available. Deleting it removes the
 * ManagedCluster from the hub.
 */
export class ClusterRegistration extends pulumi.ComponentResource {
    /** The ManagedCluster's name on the hub. */
    readonly spokeName: string;
    readonly joined: command.local.Command;
    readonly accepted: command.local.Command;
    /** Done when ManagedClusterConditionAvailable is True on the hub. */
    readonly available: command.local.Command;
    /** Done when the smoke ManifestWork's Pod runs on the spoke (when config smokeWork is on). */
    readonly smokeReady?: command.local.Command;
    /** The steps a Placement over the lab must wait for: Available, and for the hub itself its taint. */
    readonly placementReady: command.local.Command[];

    constructor(name: string, args: ClusterRegistrationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ocm-lab:index:ClusterRegistration", name, {}, opts);
        const { hub, spoke } = args;
        const spokeName = (this.spokeName = spoke.clusterName);
        const hubEnvironment = {
            HUB_NAME: hub.clusterName,
            HUB_CONTEXT: hub.context,
            HUB_KUBECONFIG: hub.kubeconfig,
            SPOKE_NAME: spokeName,
            // The command provider gives every create a new id: a rebuilt spoke (pulumi up --replace
            // <spoke>-cluster) changes it, so accept and the Available wait run again for the new
            // klusterlet instead of trusting what the hub says about the old one.
            SPOKE_CLUSTER_ID: spoke.cluster.id,
        };
        const mode = args.klusterletMode ?? "default";
        const hosted = mode === "hosted";
        // A klusterlet that outlives the registration is unjoined by the steps that end it, which are
        // told where it runs: on the hub (a hosted spoke's, or the hub's own), or on a spoke the lab
        // did not make (runtime existing; there it is alone on its cluster, so its operator goes too,
        // and a cluster that does not answer is never taken for one the lab deleted).
        const klusterletOnHub = hosted || args.hubItself;
        const klusterletOutlives: Record<string, pulumi.Input<string>> = klusterletOnHub
            ? { KLUSTERLET_CONTEXT: hub.context, KLUSTERLET_KUBECONFIG: hub.kubeconfig, KLUSTERLET_MODE: mode }
            : !spoke.ownedCluster
              ? { KLUSTERLET_CONTEXT: spoke.context, KLUSTERLET_KUBECONFIG: spoke.kubeconfig, KLUSTERLET_MODE: mode }
              : {};
        const clustersKept: Record<string, string> = hub.ownedCluster
            ? {}
            : { LAB_OWNS_CLUSTERS: "false", PURGE_OPERATOR: "true" };
        // A hosted klusterlet reaches the spoke by its in-network address, as the register page's kind
        // note says (`kind get kubeconfig --internal`); clusteradm does not contact the spoke with it
        // (with --force-internal-endpoint-lookup it skips that check: clusteradm v1.3.1
        // pkg/cmd/join/preflight/checks.go).
        const hostedEnvironment: Record<string, pulumi.Input<string>> = hosted
            ? {
                  SPOKE_INTERNAL_KUBECONFIG: pulumi.secret(
                      pulumi
                          .all([spoke.kubeconfig, spoke.apiServerInternal])
                          .apply(([kc, server]) => withServer(kc, server, spokeName)),
                  ),
              }
            : {};
        // kind and k3d: join reaches the hub as the host does and looks up the in-network address in
        // its cluster-info. existing: the one address every cluster reaches is given as it is; the
        // hub's cluster-info may say nothing of it (clusteradm v1.3.1 join/exec.go
        // createClientcmdapiv1Config).
        const hubAddress: Record<string, pulumi.Input<string>> = hub.ownedCluster
            ? { HUB_API_SERVER: hub.apiServer }
            : { HUB_API_SERVER: hub.apiServerInternal, FORCE_INTERNAL_ENDPOINT_LOOKUP: "false" };
        // grpc: join hands the klusterlet the hub's gRPC server and the CA that signed its certificate,
        // which join.sh reads from the hub (clusteradm v1.3.1 join --registration-auth grpc
        // --grpc-server --grpc-ca-file). csr adds nothing, so a csr spoke's join keeps its inputs.
        const grpcServer = args.registration === "grpc" ? hub.grpcServer?.address : undefined;
        if (args.registration === "grpc" && grpcServer === undefined) {
            throw new Error(
                `ocm-lab: ${spokeName} registers with grpc but the hub serves no gRPC server (a bug in index.ts)`,
            );
        }
        const grpcEnvironment: Record<string, string> = grpcServer
            ? { REGISTRATION_AUTH: "grpc", GRPC_SERVER: grpcServer }
            : {};
        const joinEnvironment = {
            ...hubEnvironment,
            SPOKE_CONTEXT: spoke.context,
            SPOKE_KUBECONFIG: spoke.kubeconfig,
            ...hubAddress,
            HUB_CA_PEM: hub.caData.apply(pemOf),
            HUB_API_SERVER_INTERNAL: hub.apiServerInternal,
            BUNDLE_VERSION: args.bundleVersion,
            KLUSTERLET_MODE: mode,
            ...(klusterletOnHub ? klusterletOutlives : {}),
            ...hostedEnvironment,
            ...grpcEnvironment,
            ...qosEnvironment(args.resourceQos),
        };

        // Before a klusterlet is handed an address, a pod on the cluster where it will run proves it
        // opens a connection there: a klusterlet that cannot would join and then wait forever for a
        // certificate. A spoke of the user's (runtime existing) checks the hub's API server, beside init
        // (the lab's own clusters share a network made for that, and the hub's own klusterlet is on the
        // hub); a gRPC spoke checks the hub's gRPC server, which exists once init has run. (A hosted
        // klusterlet runs on the hub, which shares the spoke's network: the spoke's view is the same.)
        const probes: Record<string, pulumi.Input<string>> = {
            ...(!spoke.ownedCluster && !args.hubItself ? { HUB_API_SERVER_INTERNAL: hub.apiServerInternal } : {}),
            ...(grpcServer ? { GRPC_SERVER: grpcServer } : {}),
        };
        const reachable =
            Object.keys(probes).length > 0
                ? [
                      step(
                          `${name}-hub-reachable`,
                          {
                              script: "hub-reachable.sh",
                              environment: {
                                  SPOKE_NAME: spokeName,
                                  SPOKE_CONTEXT: spoke.context,
                                  SPOKE_KUBECONFIG: spoke.kubeconfig,
                                  HUB_CONTEXT: hub.context,
                                  ...probes,
                                  PROBE_IMAGE: versions.smokeImage,
                              },
                          },
                          { parent: this, dependsOn: grpcServer ? [spoke.cluster, hub.initialized] : [spoke.cluster] },
                      ),
                  ]
                : [];
        // join mints its own token on the hub moments before it joins: a clusteradm token lives an
        // hour, and a stored one would be stale for a spoke added a day later or a join retried after
        // a failure (which stores nothing). The token never reaches Pulumi's state.
        //
        // A hosted klusterlet lives on the hub, so it outlives the spoke: deleting the join unjoins it
        // there. It holds the spoke's credentials, so a rebuilt spoke needs a new one; with the
        // cluster's id in its triggers, the engine deletes the join before it deletes the cluster
        // (a dependent the replacement would replace: pulumi pkg/resource/deploy/step_generator.go
        // calculateDependentReplacements), so the hosted klusterlet is unjoined while its spoke still
        // answers, never against the new cluster behind the same address. A new mode replaces the
        // join too (and, by the spoke's triggers, the spoke); default keeps the join as it was.
        this.joined = step(
            `${name}-join`,
            {
                script: "join.sh",
                deleteScript: hosted ? "unjoin.sh" : undefined,
                environment: joinEnvironment,
                triggers: mode === "default" ? undefined : hosted ? [mode, spoke.cluster.id] : [mode],
            },
            {
                parent: this,
                dependsOn: [spoke.cluster, hub.initialized, ...reachable],
                deletedWith: hosted ? hub.ownedCluster : undefined,
            },
        );
        // A spoke dropped from config goes with its cluster, klusterlet and all; a klusterlet that
        // outlives it is unjoined before the ManagedCluster is removed, or it would register again.
        // accept and the Available wait look at the klusterlet itself: its hub certificate, and when it
        // got it. It runs on the spoke, or where KLUSTERLET_KUBECONFIG says.
        const klusterletEnvironment = {
            SPOKE_CONTEXT: spoke.context,
            SPOKE_KUBECONFIG: spoke.kubeconfig,
            KLUSTERLET_MODE: mode,
            ...klusterletOutlives,
        };
        this.accepted = step(
            `${name}-accept`,
            {
                script: "accept.sh",
                deleteScript: "remove-managed-cluster.sh",
                environment: { ...hubEnvironment, ...klusterletEnvironment, ...clustersKept },
            },
            // Removing the ManagedCluster matters only while the hub lives on: a spoke dropped from
            // config, or any destroy of a hub the lab did not make.
            { parent: this, dependsOn: [this.joined], deletedWith: hub.ownedCluster },
        );
        this.available = step(
            `${name}-available`,
            { script: "wait-available.sh", environment: { ...hubEnvironment, ...klusterletEnvironment } },
            { parent: this, dependsOn: [this.accepted] },
        );
        this.placementReady = [this.available];
        if (args.hubItself) {
            this.placementReady.push(
                step(
                    `${name}-no-select-taint`,
                    {
                        script: "taint-managed-cluster.sh",
                        environment: { ...hubEnvironment, TAINT_KEY: selfManagedTaintKey },
                    },
                    { parent: this, dependsOn: [this.accepted], deletedWith: hub.ownedCluster },
                ),
            );
        }

        if (args.smokeWork) {
            // The register page's first check that the hub manages the spoke: a ManifestWork in the
            // spoke's namespace whose Pod the spoke's work agent starts. Removing the spoke (or the
            // option) deletes it before the ManagedCluster goes (it depends on the Available wait,
            // which depends on accept); a whole lab going away takes it with the hub.
            const work = new k8s.apiextensions.CustomResource(`${name}-smoke-work`, smokeWork(spokeName), {
                parent: this,
                provider: hub.provider,
                dependsOn: [this.available],
                deletedWith: hub.ownedCluster,
            });
            this.smokeReady = step(
                `${name}-smoke-ready`,
                {
                    script: "wait-smoke-work.sh",
                    environment: {
                        ...hubEnvironment,
                        SPOKE_CONTEXT: spoke.context,
                        SPOKE_KUBECONFIG: spoke.kubeconfig,
                        WORK_NAME: smokeWorkNames.work,
                        POD_NAME: smokeWorkNames.pod,
                        POD_NAMESPACE: smokeWorkNames.podNamespace,
                    },
                },
                { parent: this, dependsOn: [work] },
            );
        }

        this.registerOutputs({});
    }
}
