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

/** The node image of the stack's runtime, with a pinned tag; "" for existing, which makes no cluster. */
export function parseNodeImage(raw: RawLabConfig, runtime: RuntimeName | undefined, problems: string[]): string {
    const existing = runtime === "existing";
    const imageKey = runtime === "k3d" ? "k3dNodeImage" : "kindNodeImage";
    const nodeImage = existing ? "" : (raw[imageKey] ?? clusterDefaults[imageKey]);
    if (
        !existing &&
        (typeof nodeImage !== "string" ||
            !/^[^\s:]+(:[A-Za-z0-9_][A-Za-z0-9_.-]*)$/.test(nodeImage) ||
            nodeImage.endsWith(":latest"))
    ) {
        problems.push(
            `ocm-lab:${imageKey} is ${show(nodeImage)}; it must be an image with a pinned tag (not :latest). ` +
                `Example: ${clusterDefaults[imageKey]}`,
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
