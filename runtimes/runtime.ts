import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { RuntimeName } from "../config";
import { RegistryMirror } from "./mirrors";

/** What a cluster needs to be created: the same for hub and spokes. */
export interface ClusterSpec {
    nodeImage: string;
    /** The lab's network (createLabNetwork): every cluster is made on it; none for runtime existing. */
    network?: SharedNetwork;
    /** The image cache's mirrors, running before any cluster is made; absent with imageCache off. */
    imageCache?: ImageCacheRef;
    /** What else of this one cluster needs it made anew when it changes (a spoke's klusterlet mode). */
    recreateWhen?: pulumi.Input<string>[];
}

/** A docker network every cluster of the lab joins, so spokes reach the hub's API server by name. */
export interface SharedNetwork {
    name: pulumi.Output<string>;
    resource: pulumi.Resource;
}

/** What a cluster needs of the image cache: where the mirrors answer, and what makes them run. */
export interface ImageCacheRef {
    mirrors: RegistryMirror[];
    /** The mirror containers; a cluster is created only after all of them. */
    ready: pulumi.Resource[];
}

export interface ClusterSteps {
    /**
     * Creates the cluster; deleting it deletes the cluster (and tolerates one deleted by hand). For
     * runtime existing, the step that reads its context, and deleting it deletes nothing.
     */
    cluster: command.local.Command;
    /** Prints the host's kubeconfig; stdout is a secret. Replaced whenever the cluster is. */
    kubeconfig: command.local.Command;
}

/**
 * Everything kind and k3d do differently, behind one interface. Components call these and never
 * look at the runtime's name.
 */
export interface ClusterRuntime {
    readonly name: RuntimeName;
    /**
     * Whether the lab makes and deletes its clusters (kind, k3d). When it does, what lives inside a
     * cluster goes with it at destroy; when it does not (existing), every such object is removed one
     * by one and the clusters stay.
     */
    readonly ownsClusters: boolean;
    createCluster(clusterName: string, spec: ClusterSpec, parent: pulumi.Resource): ClusterSteps;
    /** The kubectl context name the runtime's CLI gives the cluster. */
    contextName(clusterName: string): string;
    /** The command that merges the cluster's context into ~/.kube/config (the lab leaves it alone). */
    exportKubeconfigCommand(clusterName: string): string;
    /**
     * The API server URL the lab's other clusters reach; it is in the API server's cert. kind and k3d
     * know it from the name; existing reads it from the cluster's kubeconfig (or the hub's config).
     */
    apiServerInternal(clusterName: string, kubeconfig: pulumi.Output<string>): pulumi.Input<string>;
    /**
     * Work on the hub that must finish before `clusteradm init`; returns what init depends on.
     * kind: nothing; k3d: kube-public/cluster-info with the in-network address.
     */
    prepareHub(hub: HubPreparation, parent: pulumi.Resource): pulumi.Resource[];
    /**
     * Where the spokes reach the hub's gRPC server, once a spoke registers with grpc. kind and k3d:
     * a NodePort on the hub's node (grpcNodePort), by the node's name on the lab's network. existing:
     * the address the user gives (ocm-lab:hubGrpcServer), or undefined when none is.
     */
    hubGrpcServer(hubName: string): GrpcServer | undefined;
}

/** The hub's gRPC server as the spokes reach it. */
export interface GrpcServer {
    /** The host its serving certificate must cover (`clusteradm init --grpc-server`). */
    host: string;
    /** host:port, handed to every gRPC klusterlet (`clusteradm join --grpc-server`). */
    address: string;
    /** kind and k3d: the NodePort the lab puts in front of the operator's Service; none for existing. */
    nodePort?: number;
}

/**
 * The NodePort at which kind and k3d serve the hub's gRPC server on the lab's network. The operator
 * makes the Service cluster-manager-grpc-server ClusterIP on 8090 for `--grpc-endpoint-type
 * hostname`, or LoadBalancer on 443 for `loadBalancer` (ocm v1.3.1
 * manifests/cluster-manager/hub/grpc-server/service.yaml). A ClusterIP is not reachable from other
 * clusters, and kind has no load balancer; k3d's ServiceLB would claim the node's port 443, the
 * collision that keeps traefik off (scripts/k3d/create-cluster.sh), and the operator issues the
 * serving certificate only once the LoadBalancer has an ingress address
 * (pkg/operator/helpers/helpers.go GRPCServerHostNames). So both runtimes use hostname, with the
 * node's name as host (which the certificate then covers) and a NodePort of the lab's beside the
 * operator's Service: one path, the same on either runtime. A fixed port in the NodePort range keeps
 * the address, and every gRPC join that holds it, the same from one up to the next.
 *
 * The port is in the static band of the default range 30000-32767, where the API server hands out a
 * random NodePort (the Argo CD principal's, say) only once the rest of the range is full, so no other
 * Service of the lab takes it first (KEP-3668, GA in Kubernetes 1.29: kubernetes/enhancements
 * keps/sig-network/3668-reserved-service-nodeport-range/README.md, "Band Offset"). The band is the
 * range's first min(max(16, size/32), 128) ports: 2768/32 = 86, so 30000-30085 (kubernetes
 * pkg/registry/core/service/portallocator/allocator.go calculateRangeOffset; a random port is taken
 * above that offset first: pkg/registry/core/service/allocator/bitmap.go randomScanStrategyWithOffset).
 */
export const grpcNodePort = 30080;

/** kind and k3d: the hub's gRPC server at its node's name on the lab's network. */
export function nodePortGrpcServer(nodeName: string): GrpcServer {
    return { host: nodeName, address: `${nodeName}:${grpcNodePort}`, nodePort: grpcNodePort };
}

export interface HubPreparation {
    hubName: string;
    kubeconfig: pulumi.Output<string>;
    /** base64 PEM of the hub's cluster CA, as in its kubeconfig. */
    caData: pulumi.Output<string>;
}
