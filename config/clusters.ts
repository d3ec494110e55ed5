/** Runtime and clusters: what makes the lab's clusters, their names and their node images. */
import type { RawLabConfig } from ".";
import { versions } from "../versions";
import { show } from "./values";

/** kind and k3d make the lab's clusters; `existing` registers clusters the user already has (their contexts). */
export type RuntimeName = "kind" | "k3d" | "existing";
export const runtimeNames: readonly RuntimeName[] = ["kind", "k3d", "existing"];

/**
 * Cluster names become DNS-1123 labels in three places: the ManagedCluster name, the spoke's
 * namespace on the hub, and the node container's host name. The longest suffix a runtime adds is
 * kind's "-control-plane" (14 characters); a label may hold 63, which leaves 49 for the name.
 */
export const maxClusterNameLength = 49;
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** `argocd` is the add-on's own namespace on the hub, so a spoke of that name would collide with it. */
const reservedSpokeNames = ["argocd"];

export const clusterDefaults = {
    hubName: "hub",
    spokes: ["spoke1", "spoke2"],
    kindNodeImage: versions.kindNodeImage,
    k3dNodeImage: versions.k3dNodeImage,
    imageCache: true,
};

/** The runtime, when it is one this lab knows. */
export function parseRuntime(raw: RawLabConfig, problems: string[]): RuntimeName | undefined {
    const runtime = raw.runtime;
    if (typeof runtime !== "string" || !(runtimeNames as readonly string[]).includes(runtime)) {
        problems.push(
            `ocm-lab:runtime is ${runtime === undefined ? "not set" : show(runtime)}; it must be one of ` +
                `${runtimeNames.join(", ")}. Example: pulumi config set ocm-lab:runtime kind ` +
                `(or select a stack that sets it: pulumi up -s kind).`,
        );
        return undefined;
    }
    return runtime as RuntimeName;
}

/** The hub's name as given (checked), and the spokes' names that are valid, unique and free. */
export function parseClusterNames(raw: RawLabConfig, problems: string[]): { hubName: unknown; spokeNames: string[] } {
    const hubName = raw.hubName ?? clusterDefaults.hubName;
    checkClusterName("ocm-lab:hubName", hubName, "hub", problems);

    const spokes = raw.spokes ?? clusterDefaults.spokes;
    const spokeNames: string[] = [];
    if (!Array.isArray(spokes)) {
        problems.push(
            `ocm-lab:spokes is ${show(spokes)}; it must be a list of cluster names. ` +
                `Example: pulumi config set --path 'ocm-lab:spokes[0]' spoke1`,
        );
    } else if (spokes.length === 0) {
        problems.push(
            `ocm-lab:spokes is an empty list; the lab needs at least one spoke. ` +
                `Example: pulumi config set --path 'ocm-lab:spokes[0]' spoke1`,
        );
    } else {
        spokes.forEach((spoke, i) => {
            const key = `ocm-lab:spokes[${i}]`;
            if (!checkClusterName(key, spoke, `spoke${i + 1}`, problems)) {
                return;
            }
            if (reservedSpokeNames.includes(spoke)) {
                problems.push(
                    `${key} is ${show(spoke)}, which is the Argo CD add-on's namespace on the hub; ` +
                        `choose another name. Example: spoke${i + 1}`,
                );
            } else if (spoke === hubName) {
                problems.push(
                    `${key} is ${show(spoke)}, the same as ocm-lab:hubName; a spoke needs its own name. ` +
                        `Example: spoke${i + 1}`,
                );
            } else if (spokeNames.includes(spoke)) {
                problems.push(
                    `${key} is ${show(spoke)}, which appears earlier in ocm-lab:spokes; names must be unique. ` +
                        `Example: spoke${i + 1}`,
                );
            }
            spokeNames.push(spoke);
        });
    }
    return { hubName, spokeNames };
}

/**
 * An image reference as Docker parses it, which is what kind and k3d hand the node image to (kind
 * v0.24.0 passes it to `docker run` and its quick start pins node images by digest,
 * site/content/docs/user/quick-start.md; k3d v5.8.3 rewrites only "latest", "stable" and "+<channel>",
 * pkg/config/transform.go TransformSimpleToClusterConfig): `[registry[:port]/]path[:tag][@digest]`,
 * after the grammar of github.com/distribution/reference (regexp.go). The groups are the tag and the
 * digest.
 */
const imageReference = (() => {
    const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])`;
    const domain = `${host}(?::[0-9]+)?`;
    const name = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
    const tag = "[\\w][\\w.-]{0,127}";
    const digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    return new RegExp(`^${name}(?::(${tag}))?(?:@(${digest}))?$`);
})();

/**
 * The node image of the stack's runtime, pinned: by a tag other than latest, or by a digest (with or
 * without a tag), from any registry, one with a port too; "" for existing, which makes no cluster.
 */
export function parseNodeImage(raw: RawLabConfig, runtime: RuntimeName | undefined, problems: string[]): string {
    const existing = runtime === "existing";
    const imageKey = runtime === "k3d" ? "k3dNodeImage" : "kindNodeImage";
    const nodeImage = existing ? "" : (raw[imageKey] ?? clusterDefaults[imageKey]);
    if (existing) {
        return "";
    }
    const example = clusterDefaults[imageKey];
    const byDigest = `${example.replace(/:[^:/]*$/, "")}@sha256:<64 hex digits>`;
    const match = typeof nodeImage === "string" ? imageReference.exec(nodeImage) : null;
    if (!match) {
        problems.push(
            `ocm-lab:${imageKey} is ${show(nodeImage)}, which is not an image reference; write it as ` +
                `[registry[:port]/]name:tag or name[:tag]@sha256:<digest>, in lowercase, without spaces. ` +
                `Example: ${example} (or pinned by digest: ${byDigest})`,
        );
    } else if (match[2] === undefined && (match[1] === undefined || match[1] === "latest")) {
        problems.push(
            `ocm-lab:${imageKey} is ${show(nodeImage)}; it must be an image with a pinned tag (not latest) or a ` +
                `digest${/^[^/]*:[0-9]+\/[^:]*$/.test(nodeImage as string) ? " (the number after the first ':' is the registry's port, not a tag)" : ""}. ` +
                `Example: ${example} (or pinned by digest: ${byDigest})`,
        );
    }
    return nodeImage as string;
}

function checkClusterName(key: string, value: unknown, example: string, problems: string[]): value is string {
    if (typeof value === "string" && value.length <= maxClusterNameLength && dns1123Label.test(value)) {
        return true;
    }
    problems.push(
        `${key} is ${show(value)}; a cluster name must be a DNS-1123 label of at most ${maxClusterNameLength} ` +
            `characters (lowercase letters, digits and '-', starting and ending with a letter or digit). ` +
            `Example: ${example}`,
    );
    return false;
}
