/**
 * The OCM objects the lab declares through the kubernetes provider, typed here: no maintained npm
 * package types the OCM APIs. Written from the CRDs of open-cluster-management.io/api at
 * `versions.ocmApi` (the release clusteradm `versions.clusteradm` is built against, so the one the
 * hub serves); tests/ocmObjects.test.ts validates every object built here against those CRDs'
 * schemas, so a wrong field fails the tests, not a cluster.
 */
import { KubeObject } from "./argoObjects";
import { versions } from "../versions";

/** work.open-cluster-management.io/v1 ManifestWork, the fields the lab sets. */
export interface ManifestWork extends KubeObject {
    apiVersion: "work.open-cluster-management.io/v1";
    kind: "ManifestWork";
    /** The namespace is the ManagedCluster's name on the hub: that is what selects the cluster. */
    metadata: { name: string; namespace: string; labels?: Record<string, string> };
    spec: {
        workload: { manifests: KubeObject[] };
        deleteOption?: { propagationPolicy: "Foreground" | "Orphan" | "SelectivelyOrphan" };
    };
}

export function manifestWork(
    name: string,
    clusterName: string,
    manifests: KubeObject[],
    labels?: Record<string, string>,
): ManifestWork {
    return {
        apiVersion: "work.open-cluster-management.io/v1",
        kind: "ManifestWork",
        metadata: { name, namespace: clusterName, ...(labels ? { labels } : {}) },
        // Foreground (the default, said here): deleting the work deletes what it made on the spoke first.
        spec: { workload: { manifests }, deleteOption: { propagationPolicy: "Foreground" } },
    };
}

/** The smoke work's names: on the hub, in each spoke's namespace; on the spoke, the Pod it makes. */
export const smokeWorkNames = { work: "ocm-lab-smoke", pod: "hello", podNamespace: "default" } as const;

/**
 * The register page's first ManifestWork (shared/reference/ocm-install-and-register.txt, `mw-01`):
 * one busybox Pod, `hello` in `default`, that prints a line and stays up. The image is pinned; the
 * loop keeps the Pod Running for as long as the lab lives (the page's `sleep 3600` ends after an hour).
 */
export function smokeWork(clusterName: string): ManifestWork {
    const pod: KubeObject = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: smokeWorkNames.pod, namespace: smokeWorkNames.podNamespace },
        spec: {
            containers: [
                {
                    name: "hello",
                    image: versions.smokeImage,
                    command: ["sh", "-c", 'echo "Hello, Kubernetes!" && while true; do sleep 3600; done'],
                },
            ],
            restartPolicy: "OnFailure",
        },
    };
    return manifestWork(smokeWorkNames.work, clusterName, [pod], { "app.kubernetes.io/part-of": "ocm-lab" });
}
