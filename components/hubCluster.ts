import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import { ResourceQos } from "../config";
import { ClusterRuntime, GrpcServer, ImageCacheRef, SharedNetwork } from "../runtimes";
import { createClusterAccess } from "./clusterAccess";
import { caDataOf, serverOf } from "../runtimes/kubeconfig";
import { step } from "../scripts/step";

export interface HubClusterArgs {
    /** kind, k3d or existing; decides how the cluster is made (or found) and addressed. */
    runtime: ClusterRuntime;
    /** The lab's network, which every cluster joins (none for existing). */
    network?: SharedNetwork;
    /** The image cache's mirrors, when imageCache is on. */
    imageCache?: ImageCacheRef;
    /** Node image for the runtime, pinned (see versions.ts). */
    nodeImage: string;
    /** OCM release clusteradm installs (`--bundle-version`). */
    bundleVersion: string;
    /** Resource settings for the hub's OCM controllers. */
    resourceQos: ResourceQos;
    /**
     * When a spoke registers with grpc: where the spokes reach the hub's gRPC server. init then turns
     * on the grpc driver beside csr and serves it there; without it the hub has csr alone.
     */
    grpcServer?: GrpcServer;
}

/**
 * The OCM hub: a cluster with the cluster manager installed by `clusteradm init` and its
 * controllers ready, so spokes can join and be accepted.
 */
export class HubCluster extends pulumi.ComponentResource {
    /** Host-view kubeconfig (secret). */
    readonly kubeconfig: pulumi.Output<string>;
    /** The same, its credentials in private files: what a kubernetes provider for the hub is given. */
    readonly providerKubeconfig: pulumi.Output<string>;
    readonly provider: k8s.Provider;
    /** base64 PEM of the hub CA, passed to join as --ca-file. */
    readonly caData: pulumi.Output<string>;
    /** The hub API server as the host reaches it. */
    readonly apiServer: pulumi.Output<string>;
    /** The hub API server as other clusters reach it; klusterlets must point here. */
    readonly apiServerInternal: pulumi.Input<string>;
    readonly context: string;
    /** The cluster's name in the runtime and, for a spoke, its ManagedCluster name. */
    readonly clusterName: string;
    /** The step that makes (or, for existing, connects to) the cluster; a new one means a new hub. */
    readonly cluster: command.local.Command;
    /**
     * The same step when the lab made the cluster: objects inside the hub are `deletedWith` it. For
     * existing, undefined: each of them is removed on its own, and the cluster stays.
     */
    readonly ownedCluster?: command.local.Command;
    /** Done when the cluster manager and the controllers registration uses are ready. */
    readonly initialized: command.local.Command;
    /** Where gRPC klusterlets reach the hub's gRPC server, when a spoke registers with grpc. */
    readonly grpcServer?: GrpcServer;

    constructor(name: string, args: HubClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ocm-lab:index:HubCluster", name, {}, opts);

        const access = createClusterAccess(args.runtime, name, args, this);
        this.kubeconfig = access.kubeconfig;
        this.providerKubeconfig = access.providerKubeconfig;
        this.provider = access.provider;
        this.context = access.context;
        this.clusterName = name;
        this.cluster = access.cluster;
        this.ownedCluster = access.ownedCluster;
        this.caData = this.kubeconfig.apply((kc) => caDataOf(kc, name));
        this.apiServer = pulumi.unsecret(this.kubeconfig.apply((kc) => serverOf(kc, name)));
        this.apiServerInternal = args.runtime.apiServerInternal(name, this.kubeconfig);
        this.grpcServer = args.grpcServer;

        const prepared = args.runtime.prepareHub(
            { hubName: name, kubeconfig: this.kubeconfig, caData: this.caData },
            this,
        );
        this.initialized = step(
            `${name}-init`,
            {
                script: "init.sh",
                // A hub the lab did not make stays: destroy takes the cluster manager off it again.
                deleteScript: access.ownedCluster ? undefined : "clean.sh",
                environment: {
                    HUB_NAME: name,
                    HUB_CONTEXT: this.context,
                    HUB_KUBECONFIG: this.kubeconfig,
                    BUNDLE_VERSION: args.bundleVersion,
                    ...qosEnvironment(args.resourceQos),
                    ...grpcEnvironment(args.grpcServer),
                },
            },
            { parent: this, dependsOn: [access.cluster, ...prepared] },
        );

        this.registerOutputs({
            kubeconfig: this.kubeconfig,
            caData: this.caData,
            apiServer: this.apiServer,
            apiServerInternal: this.apiServerInternal,
        });
    }
}

/** The QOS_* environment the init and join steps turn into clusteradm's resource flags. */
export function qosEnvironment(qos: ResourceQos): Record<string, string> {
    const pairs = (amounts: Record<string, string>) =>
        Object.entries(amounts)
            .map(([resource, amount]) => `${resource}=${amount}`)
            .join(",");
    return { QOS_CLASS: qos.qosClass, QOS_LIMITS: pairs(qos.limits), QOS_REQUESTS: pairs(qos.requests) };
}

/**
 * The GRPC_* environment of init: the host the gRPC server's certificate must cover and, on kind and
 * k3d, the NodePort the lab serves it at. Nothing without a gRPC spoke, so a lab without one keeps
 * the inputs it had before the driver existed.
 */
function grpcEnvironment(server: GrpcServer | undefined): Record<string, string> {
    if (!server) {
        return {};
    }
    return {
        GRPC_SERVER_HOST: server.host,
        ...(server.nodePort === undefined ? {} : { GRPC_NODE_PORT: String(server.nodePort) }),
    };
}
