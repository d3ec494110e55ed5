import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import { KlusterletMode, RegistrationDriver } from "../config";
import { ClusterRuntime, ImageCacheRef, SharedNetwork } from "../runtimes";
import { createClusterAccess } from "./clusterAccess";

export interface SpokeClusterArgs {
    /** kind, k3d or existing; must be the hub's runtime. */
    runtime: ClusterRuntime;
    /** The lab's network, which every cluster joins (none for existing). */
    network?: SharedNetwork;
    /** The image cache's mirrors, when imageCache is on. */
    imageCache?: ImageCacheRef;
    /** Node image for the runtime, pinned (see versions.ts). */
    nodeImage: string;
    /**
     * Where its klusterlet will run. A klusterlet on the spoke can only be unjoined once its works
     * are gone, so a new mode makes the spoke anew; the default adds nothing, so labs made before
     * modes existed keep their spokes.
     */
    klusterletMode?: KlusterletMode;
    /**
     * How its klusterlet will register. clusteradm has no way to move a klusterlet from one driver to
     * the other, and the old driver's hub credentials stay in the agent's namespace, so a new driver
     * makes the spoke anew, as a new mode does; csr adds nothing, so labs made before drivers keep
     * their spokes.
     */
    registration?: RegistrationDriver;
    /**
     * With grpc, where the hub's gRPC server is (host:port). A registered gRPC klusterlet keeps the
     * address it was first handed whatever a later join says (scripts/join.sh), so on kind and k3d a
     * new address makes the spoke anew too. (existing makes no cluster: join refuses it there.)
     */
    grpcServer?: string;
}

/** One spoke cluster, not yet registered: ClusterRegistration joins it to the hub. */
export class SpokeCluster extends pulumi.ComponentResource {
    /** Host-view kubeconfig (secret). */
    readonly kubeconfig: pulumi.Output<string>;
    readonly provider: k8s.Provider;
    readonly context: string;
    /** The cluster's name in the runtime and, for a spoke, its ManagedCluster name. */
    readonly clusterName: string;
    /** The step that makes (or connects to) the cluster; replaced when it must be made anew. */
    readonly cluster: command.local.Command;
    /** The same step when the lab made the cluster (kind, k3d); undefined for existing. */
    readonly ownedCluster?: command.local.Command;
    /** The API server URL other clusters on the lab's network reach (a hosted klusterlet on the hub). */
    readonly apiServerInternal: pulumi.Input<string>;

    constructor(name: string, args: SpokeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ocm-lab:index:SpokeCluster", name, {}, opts);

        const mode = args.klusterletMode ?? "default";
        const driver = args.registration ?? "csr";
        const recreateWhen = [
            ...(mode === "default" ? [] : [`klusterlet-mode=${mode}`]),
            ...(driver === "csr" ? [] : [`registration=${driver}`]),
            ...(driver === "grpc" && args.grpcServer ? [`grpc-server=${args.grpcServer}`] : []),
        ];
        const access = createClusterAccess(args.runtime, name, { ...args, recreateWhen }, this);
        this.kubeconfig = access.kubeconfig;
        this.provider = access.provider;
        this.context = access.context;
        this.clusterName = name;
        this.cluster = access.cluster;
        this.ownedCluster = access.ownedCluster;
        this.apiServerInternal = args.runtime.apiServerInternal(name, this.kubeconfig);

        this.registerOutputs({ kubeconfig: this.kubeconfig });
    }
}
