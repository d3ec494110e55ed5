/** The program: a hub and N spokes, registered with OCM, with the Argo CD add-on; read top to bottom for the flow. */
import * as pulumi from "@pulumi/pulumi";
import { ArgoAgentAddon, ClusterRegistration, HubCluster, ImageCache, SpokeCluster } from "./components";
import { labSettings, parseLabConfig, selfManagedClusterName } from "./config";
import { runtimeFor } from "./runtimes";
import { createLabNetwork } from "./runtimes/network";
import { writeStepSettings } from "./scripts/settings";
import { versions } from "./versions";

// Config: every ocm-lab: key, read once and checked (unknown keys too) before anything is created.
const lab = parseLabConfig(
    labSettings(pulumi.runtime.allConfig()),
    (message) => new pulumi.RunError(message), // the engine prints a RunError's message alone, no stack
);

// How long each step may wait: read by the steps from a file, so a new bound re-runs nothing.
if (!pulumi.runtime.isDryRun()) {
    writeStepSettings(pulumi.getStack(), lab);
}

// Network and image cache, then hub and spokes in parallel: no cluster waits for another. Clusters
// the user already has (runtime existing) need neither: the lab only connects to them.
const runtime = runtimeFor(lab);
const network = runtime.ownsClusters ? createLabNetwork(pulumi.getStack()) : undefined;
const imageCache =
    network && lab.imageCache
        ? new ImageCache("image-cache", { labName: pulumi.getStack(), network, image: versions.registryMirror })
        : undefined;
const clusterSpec = { nodeImage: lab.nodeImage, network, imageCache };
const ocmSettings = {
    bundleVersion: lab.clusteradmBundleVersion,
    resourceQos: lab.resourceQos,
};

// clusteradm init on the hub, then each spoke: token → join → accept → Available, independently.
// With a gRPC spoke the hub serves its gRPC server too, where the runtime says the spokes reach it.
const grpcSpoke = lab.spokeNames.some((spokeName) => lab.registrations[spokeName] === "grpc");
const grpcServer = grpcSpoke ? runtime.hubGrpcServer(lab.hubName) : undefined;
const hub = new HubCluster(lab.hubName, { runtime, ...clusterSpec, ...ocmSettings, grpcServer });
const spokes = lab.spokeNames.map(
    (spokeName) =>
        new SpokeCluster(spokeName, {
            runtime,
            ...clusterSpec,
            klusterletMode: lab.klusterletModes[spokeName],
            registration: lab.registrations[spokeName],
            grpcServer: grpcServer?.address,
        }),
);
const registrations = spokes.map(
    (spoke) =>
        new ClusterRegistration(spoke.clusterName, {
            hub,
            spoke,
            ...ocmSettings,
            klusterletMode: lab.klusterletModes[spoke.clusterName],
            registration: lab.registrations[spoke.clusterName],
            smokeWork: lab.smokeWork,
        }),
);
// hubSelfManaged: the hub joins itself as local-cluster, with its own context, like any spoke.
const hubItself = lab.hubSelfManaged
    ? new ClusterRegistration(selfManagedClusterName, {
          hub,
          spoke: {
              clusterName: selfManagedClusterName,
              context: hub.context,
              kubeconfig: hub.kubeconfig,
              cluster: hub.cluster,
              ownedCluster: hub.ownedCluster,
              apiServerInternal: hub.apiServerInternal,
          },
          hubItself: true,
          ...ocmSettings,
          smokeWork: lab.smokeWork,
      })
    : undefined;

// GitOps: Argo CD and the agent add-on on the hub once every spoke is Available, guestbook to each.
const argocd = lab.argocd.enabled
    ? new ArgoAgentAddon("argocd", {
          hub,
          spokes,
          registrations: hubItself ? [...registrations, hubItself] : registrations,
          ...lab.argocd,
          chartRepo: versions.argocdAgentAddonRepo,
      })
    : undefined;

// Outputs: what a person needs to reach the lab; null where a feature is off (undefined would warn).
const clusters = [hub, ...spokes];
export const runtimeName = lab.runtime;
export const hubName = hub.clusterName;
export const spokeNames = registrations.map((r) => r.spokeName);
/** The hub's own ManagedCluster name when it manages itself (npm run status checks it then). */
export const selfManagedCluster = hubItself?.spokeName ?? null;
/** Where each spoke's klusterlet runs: default, singleton (on the spoke) or hosted (on the hub). */
export const klusterletModes = lab.klusterletModes;
/** How each spoke's klusterlet registers: csr (the hub's API server) or grpc (its gRPC server). */
export const registrationDrivers = lab.registrations;
/** Where gRPC klusterlets reach the hub's gRPC server, when a spoke registers with grpc. */
export const hubGrpcServer = grpcServer?.address ?? null;
/** Whether each spoke runs the smoke ManifestWork (npm run status checks it then). */
export const smokeWork = lab.smokeWork;
/** The registries each cluster pulls through a mirror of, and the mirrors' containers. */
export const imageMirrors = imageCache?.mirrors.map((m) => ({ registry: m.registry, container: m.host })) ?? null;
export const contexts = Object.fromEntries(clusters.map((c) => [c.clusterName, c.context]));
export const exportKubeconfigCommands = Object.fromEntries(
    clusters.map((c) => [c.clusterName, runtime.exportKubeconfigCommand(c.clusterName)]),
);
export const hubKubeconfig = hub.kubeconfig;
export const argocdUi = argocd?.uiCommand ?? null;
export const argocdAdminPassword = argocd?.adminPassword ?? null;
export const guestbookCommands = argocd?.appCommands ?? null;
