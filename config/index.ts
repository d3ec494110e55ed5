/**
 * The lab's configuration: read once in index.ts, validated here, passed down as typed values.
 * Validation is pure so that bad input fails before any resource exists and is testable alone.
 */
import { versions } from "../versions";

/** kind and k3d make the lab's clusters; `existing` registers clusters the user already has (their contexts). */
export type RuntimeName = "kind" | "k3d" | "existing";
export const runtimeNames: readonly RuntimeName[] = ["kind", "k3d", "existing"];

/**
 * Where a spoke's klusterlet runs (the register page): `default`, on the spoke; `singleton`, on the
 * spoke with registration and work in one pod (`clusteradm join --singleton`); `hosted`, on the hub
 * as hosting cluster (`--mode hosted`), leaving no agent on the spoke.
 */
export type KlusterletMode = "default" | "singleton" | "hosted";
export const klusterletModeNames: readonly KlusterletMode[] = ["default", "singleton", "hosted"];

export type ResourceQosClass = "Default" | "BestEffort" | "ResourceRequirement";
const qosClasses: readonly ResourceQosClass[] = ["Default", "BestEffort", "ResourceRequirement"];

/** Resource settings for the OCM agents, passed to `clusteradm init` and `clusteradm join`. */
export interface ResourceQos {
    qosClass: ResourceQosClass;
    /** e.g. `{ cpu: "500m", memory: "512Mi" }`; only with qosClass ResourceRequirement. */
    limits: Record<string, string>;
    requests: Record<string, string>;
}

/** The argocd-agent add-on and the sample app it delivers to every spoke. */
export interface ArgoCdConfig {
    enabled: boolean;
    chartVersion: string;
    /** Bound on the chart's Helm install, in seconds; apart from timeoutSeconds, which bounds each step's wait. */
    installTimeoutSeconds: number;
    appRepoUrl: string;
    appPath: string;
    appRevision: string;
}

export interface LabConfig {
    runtime: RuntimeName;
    hubName: string;
    spokeNames: string[];
    /** Node image for the stack's runtime ("" for existing, which makes no cluster). */
    nodeImage: string;
    /** runtime existing: the kubectl context of the hub and of each spoke, by cluster name; else empty. */
    contexts: Record<string, string>;
    /**
     * runtime existing: the hub's API server as the spokes and this machine reach it, when it is not
     * the server of the hub's context; join hands it to every klusterlet.
     */
    hubApiServer?: string;
    clusteradmBundleVersion: string;
    resourceQos: ResourceQos;
    /** Upper bound for every wait (init, join, accept, Available), in seconds. */
    timeoutSeconds: number;
    /** A ManifestWork per spoke whose Pod must run: proof the hub manages the spoke, without Argo CD. */
    smokeWork: boolean;
    /** Pull-through registry mirrors for every cluster, whose cache outlives the lab. */
    imageCache: boolean;
    /** The hub also registers itself, as the ManagedCluster `local-cluster`. */
    hubSelfManaged: boolean;
    /** Each spoke's klusterlet mode, by spoke name (a self-managed hub's is always default). */
    klusterletModes: Record<string, KlusterletMode>;
    argocd: ArgoCdConfig;
}

/**
 * Values as `pulumi.Config.get` returns them: anything may be missing or of the wrong shape, and
 * lists, maps and numbers arrive as JSON text (or already decoded, from tests).
 */
export interface RawLabConfig {
    runtime?: unknown;
    hubName?: unknown;
    spokes?: unknown;
    kindNodeImage?: unknown;
    k3dNodeImage?: unknown;
    clusteradmBundleVersion?: unknown;
    resourceQosClass?: unknown;
    resourceLimits?: unknown;
    resourceRequests?: unknown;
    timeoutSeconds?: unknown;
    smokeWork?: unknown;
    imageCache?: unknown;
    hubSelfManaged?: unknown;
    klusterletMode?: unknown;
    klusterletModes?: unknown;
    contexts?: unknown;
    hubApiServer?: unknown;
    argocd?: unknown;
}

/** Every key the program reads in the `ocm-lab:` namespace; any other key there is a mistake. */
export const configKeys: readonly (keyof RawLabConfig)[] = [
    "runtime",
    "hubName",
    "spokes",
    "kindNodeImage",
    "k3dNodeImage",
    "clusteradmBundleVersion",
    "resourceQosClass",
    "resourceLimits",
    "resourceRequests",
    "timeoutSeconds",
    "smokeWork",
    "imageCache",
    "hubSelfManaged",
    "klusterletMode",
    "klusterletModes",
    "contexts",
    "hubApiServer",
    "argocd",
];

export const configDefaults = {
    hubName: "hub",
    spokes: ["spoke1", "spoke2"],
    kindNodeImage: versions.kindNodeImage,
    k3dNodeImage: versions.k3dNodeImage,
    clusteradmBundleVersion: versions.ocmBundle,
    resourceQosClass: "Default" as ResourceQosClass,
    timeoutSeconds: 300,
    smokeWork: true,
    imageCache: true,
    hubSelfManaged: false,
    klusterletMode: "default" as KlusterletMode,
    argocd: {
        enabled: true,
        chartVersion: versions.argocdAgentAddonChart,
        // Argo CD, its operator and the add-on's images arrive with the chart; upstream's own e2e for
        // this chart allows them 10 minutes, longer than any single step needs.
        installTimeoutSeconds: 600,
        appRepoUrl: versions.guestbookRepo,
        appPath: versions.guestbookPath,
        appRevision: versions.guestbookRevision,
    } as ArgoCdConfig,
};

/**
 * Cluster names become DNS-1123 labels in three places: the ManagedCluster name, the spoke's
 * namespace on the hub, and the node container's host name. The longest suffix a runtime adds is
 * kind's "-control-plane" (14 characters); a label may hold 63, which leaves 49 for the name.
 */
export const maxClusterNameLength = 49;
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** `argocd` is the add-on's own namespace on the hub, so a spoke of that name would collide with it. */
const reservedSpokeNames = ["argocd"];
/**
 * The ManagedCluster name a self-managed hub registers under: the register page's own name for it
 * (shared/reference/ocm-install-and-register.txt, "Common name for hub as klusterlet").
 */
export const selfManagedClusterName = "local-cluster";
const quantity = /^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/;

export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(
            `ocm-lab: the stack configuration has ${problems.length} problem(s); nothing was created.\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

const show = (value: unknown) => JSON.stringify(value);

/**
 * Returns a checked LabConfig or throws one error that lists every problem found: a ConfigError, or
 * what `asError` makes of its message (the program's RunError).
 */
export function parseLabConfig(input: RawLabConfig, asError?: (message: string) => Error): LabConfig {
    try {
        return checkedLabConfig(input);
    } catch (error) {
        throw error instanceof ConfigError && asError ? asError(error.message) : error;
    }
}

function checkedLabConfig(input: RawLabConfig): LabConfig {
    const problems: string[] = [];
    // A typo (ocm-lab:spoke) would otherwise be ignored and the lab built with defaults.
    for (const key of Object.keys(input).filter((k) => !(configKeys as readonly string[]).includes(k))) {
        const nearest = nearestOf(key, configKeys);
        problems.push(
            `ocm-lab:${key} is not a setting of this lab; did you mean ocm-lab:${nearest}? ` +
                `Next: pulumi config rm ocm-lab:${key} (then set ocm-lab:${nearest} if that was meant).`,
        );
    }
    const raw: RawLabConfig = {
        ...input,
        spokes: decodeJson(input.spokes),
        resourceLimits: decodeJson(input.resourceLimits),
        resourceRequests: decodeJson(input.resourceRequests),
        timeoutSeconds: decodeJson(input.timeoutSeconds),
        smokeWork: decodeJson(input.smokeWork),
        imageCache: decodeJson(input.imageCache),
        hubSelfManaged: decodeJson(input.hubSelfManaged),
        klusterletModes: decodeJson(input.klusterletModes),
        contexts: decodeJson(input.contexts),
        argocd: decodeJson(input.argocd),
    };

    const runtime = raw.runtime;
    if (typeof runtime !== "string" || !(runtimeNames as readonly string[]).includes(runtime)) {
        problems.push(
            `ocm-lab:runtime is ${runtime === undefined ? "not set" : show(runtime)}; it must be one of ` +
                `${runtimeNames.join(", ")}. Example: pulumi config set ocm-lab:runtime kind ` +
                `(or select a stack that sets it: pulumi up -s kind).`,
        );
    }

    const hubName = raw.hubName ?? configDefaults.hubName;
    checkClusterName("ocm-lab:hubName", hubName, "hub", problems);

    const spokes = raw.spokes ?? configDefaults.spokes;
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

    const existing = runtime === "existing";
    const imageKey = runtime === "k3d" ? "k3dNodeImage" : "kindNodeImage";
    const nodeImage = existing ? "" : (raw[imageKey] ?? configDefaults[imageKey]);
    if (
        !existing &&
        (typeof nodeImage !== "string" ||
            !/^[^\s:]+(:[A-Za-z0-9_][A-Za-z0-9_.-]*)$/.test(nodeImage) ||
            nodeImage.endsWith(":latest"))
    ) {
        problems.push(
            `ocm-lab:${imageKey} is ${show(nodeImage)}; it must be an image with a pinned tag (not :latest). ` +
                `Example: ${configDefaults[imageKey]}`,
        );
    }

    const bundleVersion = raw.clusteradmBundleVersion ?? configDefaults.clusteradmBundleVersion;
    if (typeof bundleVersion !== "string" || !/^\d+\.\d+\.\d+$/.test(bundleVersion)) {
        problems.push(
            `ocm-lab:clusteradmBundleVersion is ${show(bundleVersion)}; it must be an OCM release number. ` +
                `Example: ${configDefaults.clusteradmBundleVersion}`,
        );
    }

    const resourceQos = parseQos(raw, problems);

    const timeoutSeconds = raw.timeoutSeconds ?? configDefaults.timeoutSeconds;
    if (typeof timeoutSeconds !== "number" || !Number.isInteger(timeoutSeconds) || timeoutSeconds < 30) {
        problems.push(
            `ocm-lab:timeoutSeconds is ${show(timeoutSeconds)}; it must be a whole number of seconds, at least 30. ` +
                `Example: ${configDefaults.timeoutSeconds}`,
        );
    }

    const smokeWork = parseSwitch(raw, "smokeWork", problems);
    const imageCache = parseSwitch(raw, "imageCache", problems);
    const hubSelfManaged = parseSwitch(raw, "hubSelfManaged", problems);
    if (hubSelfManaged) {
        spokeNames.forEach((spoke, i) => {
            if (spoke === selfManagedClusterName) {
                problems.push(
                    `ocm-lab:spokes[${i}] is ${show(spoke)}, the ManagedCluster name the hub registers itself under ` +
                        `with ocm-lab:hubSelfManaged true; choose another name. Example: spoke${i + 1}`,
                );
            }
        });
    }

    const klusterletModes = parseKlusterletModes(raw, spokeNames, problems);
    const { contexts, hubApiServer } = parseExisting(raw, existing, hubName, spokeNames, klusterletModes, problems);

    const argocd = parseArgoCd(raw.argocd, problems);

    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return {
        runtime: runtime as RuntimeName,
        hubName: hubName as string,
        spokeNames,
        nodeImage: nodeImage as string,
        contexts,
        hubApiServer,
        clusteradmBundleVersion: bundleVersion as string,
        resourceQos,
        timeoutSeconds: timeoutSeconds as number,
        smokeWork,
        // Clusters the lab does not make pull as they always have: the cache is for kind and k3d.
        imageCache: imageCache && !existing,
        hubSelfManaged,
        klusterletModes,
        argocd,
    };
}

/** A true/false option: its value, or its default with a problem noted when it is anything else. */
function parseSwitch(
    raw: RawLabConfig,
    key: "smokeWork" | "imageCache" | "hubSelfManaged",
    problems: string[],
): boolean {
    const value = raw[key] ?? configDefaults[key];
    if (typeof value !== "boolean") {
        problems.push(
            `ocm-lab:${key} is ${show(value)}; it must be true or false. ` +
                `Example: pulumi config set ocm-lab:${key} false`,
        );
        return configDefaults[key];
    }
    return value;
}

/**
 * Each spoke's klusterlet mode: ocm-lab:klusterletMode for all, ocm-lab:klusterletModes (a map of
 * spoke name to mode) for some. A self-managed hub's klusterlet always runs in default mode: hosted
 * would make the hub host itself, and a mode change would mean rebuilding the hub.
 */
function parseKlusterletModes(raw: RawLabConfig, spokes: string[], problems: string[]): Record<string, KlusterletMode> {
    const isMode = (v: unknown): v is KlusterletMode =>
        typeof v === "string" && (klusterletModeNames as readonly string[]).includes(v);
    const labWide = raw.klusterletMode ?? configDefaults.klusterletMode;
    if (!isMode(labWide)) {
        problems.push(
            `ocm-lab:klusterletMode is ${show(labWide)}; it must be one of ${klusterletModeNames.join(", ")}. ` +
                `Example: pulumi config set ocm-lab:klusterletMode singleton`,
        );
    }
    const fallback: KlusterletMode = isMode(labWide) ? labWide : configDefaults.klusterletMode;
    const modes: Record<string, KlusterletMode> = Object.fromEntries(spokes.map((n) => [n, fallback]));
    const given = raw.klusterletModes;
    if (given === undefined) {
        return modes;
    }
    const example = `pulumi config set --path 'ocm-lab:klusterletModes.${spokes[0] ?? "spoke1"}' hosted`;
    if (typeof given !== "object" || given === null || Array.isArray(given)) {
        problems.push(
            `ocm-lab:klusterletModes is ${show(given)}; it must be a map of spoke name to mode. Example: ${example}`,
        );
        return modes;
    }
    for (const [name, mode] of Object.entries(given)) {
        const key = `ocm-lab:klusterletModes.${name}`;
        if (name === selfManagedClusterName) {
            problems.push(
                `${key} is set, but the hub's own klusterlet always runs in default mode; ` +
                    `next: pulumi config rm --path '${key}'`,
            );
        } else if (!spokes.includes(name)) {
            problems.push(
                `${key} names no spoke of this lab; the spokes are ${spokes.join(", ")}` +
                    (spokes.length > 0 ? `; did you mean ocm-lab:klusterletModes.${nearestOf(name, spokes)}?` : "."),
            );
        } else if (!isMode(mode)) {
            problems.push(
                `${key} is ${show(mode)}; it must be one of ${klusterletModeNames.join(", ")}. Example: ${example}`,
            );
        } else {
            modes[name] = mode;
        }
    }
    return modes;
}

/**
 * runtime existing: a context for the hub and for every spoke (ocm-lab:contexts), each cluster its
 * own (entries for other names are kept for later and not read); optionally the hub address to hand
 * to klusterlets (ocm-lab:hubApiServer), never a loopback one, which a spoke would take for itself
 * (the register page's warning). Hosted mode is refused:
 * the hub would need its own way to reach each spoke, which a context does not say. Other runtimes
 * make their clusters and refuse both keys, so a stack cannot look as if it registered them.
 */
function parseExisting(
    raw: RawLabConfig,
    existing: boolean,
    hubName: unknown,
    spokes: string[],
    modes: Record<string, KlusterletMode>,
    problems: string[],
): { contexts: Record<string, string>; hubApiServer?: string } {
    if (!existing) {
        for (const key of ["contexts", "hubApiServer"] as const) {
            if (raw[key] !== undefined) {
                problems.push(
                    `ocm-lab:${key} is set, but only runtime existing reads it (this stack's runtime is ${show(raw.runtime)}); ` +
                        `next: pulumi config rm ocm-lab:${key}, or pulumi config set ocm-lab:runtime existing`,
                );
            }
        }
        return { contexts: {} };
    }
    const names = typeof hubName === "string" ? [hubName, ...spokes] : spokes;
    const example = (name: string) => `pulumi config set --path 'ocm-lab:contexts.${name}' <kubectl context>`;
    const given = raw.contexts;
    const contexts: Record<string, string> = {};
    if (typeof given !== "object" || given === null || Array.isArray(given)) {
        problems.push(
            `ocm-lab:contexts is ${given === undefined ? "not set" : show(given)}; runtime existing needs a map of ` +
                `cluster name to kubectl context, for the hub and every spoke (kubectl config get-contexts lists yours). ` +
                `Example: ${example(names[0] ?? "hub")}`,
        );
    } else {
        // Entries for clusters the lab does not have are left alone: a spoke dropped from ocm-lab:spokes
        // may keep its context, to come back later. A missing one names the nearest of them.
        for (const name of names.filter((n) => n in given)) {
            const context = (given as Record<string, unknown>)[name];
            if (typeof context !== "string" || !/^\S+$/.test(context)) {
                problems.push(
                    `ocm-lab:contexts.${name} is ${show(context)}; it must be a kubectl context name. Example: ${example(name)}`,
                );
            } else {
                contexts[name] = context;
            }
        }
        const others = Object.keys(given).filter((k) => !names.includes(k));
        for (const name of names.filter((n) => !(n in given))) {
            const nearest = others.length > 0 ? ` (is ocm-lab:contexts.${nearestOf(name, others)} meant for it?)` : "";
            problems.push(`ocm-lab:contexts has no entry for ${name}${nearest}; next: ${example(name)}`);
        }
        const seen = new Map<string, string>();
        for (const [name, context] of Object.entries(contexts)) {
            const other = seen.get(context);
            if (other !== undefined) {
                problems.push(
                    `ocm-lab:contexts gives ${other} and ${name} the same context ${show(context)}; ` +
                        `each cluster of the lab must be its own. Next: ${example(name)}`,
                );
            }
            seen.set(context, name);
        }
    }
    for (const [spoke, mode] of Object.entries(modes)) {
        if (mode === "hosted") {
            problems.push(
                `the klusterlet mode of ${spoke} is hosted, which runtime existing does not offer (the hub would need ` +
                    `its own address for ${spoke}); next: pulumi config set --path 'ocm-lab:klusterletModes.${spoke}' default ` +
                    `(or pulumi config set ocm-lab:klusterletMode default)`,
            );
        }
    }
    const hubApiServer = raw.hubApiServer;
    if (hubApiServer !== undefined) {
        if (typeof hubApiServer !== "string" || !/^https:\/\/[^\s/]+\/?$/.test(hubApiServer)) {
            problems.push(
                `ocm-lab:hubApiServer is ${show(hubApiServer)}; it must be the hub's API server URL. ` +
                    `Example: pulumi config set ocm-lab:hubApiServer https://hub.example.internal:6443`,
            );
        } else if (isLoopbackUrl(hubApiServer)) {
            problems.push(loopbackProblem("ocm-lab:hubApiServer", hubApiServer));
        } else {
            return { contexts, hubApiServer: hubApiServer.replace(/\/$/, "") };
        }
    }
    return { contexts };
}

/** A URL whose host is this machine itself: a klusterlet elsewhere would reach its own cluster, or nothing. */
export function isLoopbackUrl(url: string): boolean {
    const host = /^[a-z]+:\/\/(\[[^\]]*\]|[^:/]*)/i.exec(url)?.[1]?.toLowerCase() ?? "";
    return host === "localhost" || host === "0.0.0.0" || host === "[::1]" || /^127\./.test(host);
}

/** What to say when the hub address a spoke would be handed is a loopback one. */
export function loopbackProblem(what: string, url: string): string {
    return (
        `${what} is ${url}, a loopback address: a spoke's klusterlet would look for the hub on its own machine ` +
        `(the register page's warning about 127.0.0.1). Next: pulumi config set ocm-lab:hubApiServer ` +
        `https://<an address of the hub every spoke and this machine reach>:<port>`
    );
}

function parseArgoCd(value: unknown, problems: string[]): ArgoCdConfig {
    const defaults = configDefaults.argocd;
    if (value === undefined) {
        return { ...defaults };
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.push(
            `ocm-lab:argocd is ${show(value)}; it must be a map. Example: pulumi config set --path ocm-lab:argocd.enabled false`,
        );
        return { ...defaults };
    }
    const given = value as Record<string, unknown>;
    const known = Object.keys(defaults);
    for (const key of Object.keys(given).filter((k) => !known.includes(k))) {
        problems.push(
            `ocm-lab:argocd.${key} is not a setting; did you mean ocm-lab:argocd.${nearestOf(key, known)}? ` +
                `The settings are ${known.join(", ")}.`,
        );
    }
    const argocd = { ...defaults, ...given } as Record<string, unknown>;
    const check = (key: string, ok: (v: unknown) => boolean, what: string, example: string) => {
        if (!ok(argocd[key])) {
            problems.push(
                `ocm-lab:argocd.${key} is ${show(argocd[key])}; it must be ${what}. ` +
                    `Example: pulumi config set --path ocm-lab:argocd.${key} ${example}`,
            );
        }
    };
    const text = (pattern: RegExp) => (v: unknown) => typeof v === "string" && pattern.test(v);
    check("enabled", (v) => typeof v === "boolean", "true or false", "false");
    check("chartVersion", text(/^\d+\.\d+\.\d+$/), "a chart release number", defaults.chartVersion);
    check(
        "installTimeoutSeconds",
        (v) => typeof v === "number" && Number.isInteger(v) && v >= 60,
        "a whole number of seconds, at least 60",
        String(defaults.installTimeoutSeconds),
    );
    check("appRepoUrl", text(/^https:\/\/\S+$/), "an https Git URL", defaults.appRepoUrl);
    check("appPath", text(/^[^\s/][^\s]*$/), "a path inside the repository", defaults.appPath);
    check("appRevision", text(/^\S+$/), "a branch, tag or commit", defaults.appRevision);
    return argocd as unknown as ArgoCdConfig;
}

/** The candidate closest to `key` by edit distance (ignoring case): what a typo most likely meant. */
export function nearestOf(key: string, candidates: readonly string[]): string {
    const distance = (a: string, b: string) => {
        const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
        for (let i = 1; i <= a.length; i++) {
            let diagonal = previous[0];
            previous[0] = i;
            for (let j = 1; j <= b.length; j++) {
                const above = previous[j];
                previous[j] = Math.min(above + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return previous[b.length];
    };
    const lower = key.toLowerCase();
    return candidates.reduce((best, c) =>
        distance(lower, c.toLowerCase()) < distance(lower, best.toLowerCase()) ? c : best,
    );
}

/** JSON text becomes its value; anything else (not JSON, or not text) stays as it is, to be reported. */
function decodeJson(value: unknown): unknown {
    if (typeof value !== "string") {
        return value;
    }
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
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

function parseQos(raw: RawLabConfig, problems: string[]): ResourceQos {
    const qosClass = raw.resourceQosClass ?? configDefaults.resourceQosClass;
    if (typeof qosClass !== "string" || !(qosClasses as readonly string[]).includes(qosClass)) {
        problems.push(
            `ocm-lab:resourceQosClass is ${show(qosClass)}; it must be one of ${qosClasses.join(", ")}. ` +
                `Example: ResourceRequirement`,
        );
    }
    const limits = parseQuantities("ocm-lab:resourceLimits", raw.resourceLimits, problems);
    const requests = parseQuantities("ocm-lab:resourceRequests", raw.resourceRequests, problems);
    const hasAmounts = Object.keys(limits).length + Object.keys(requests).length > 0;
    // The two checks below are clusteradm v1.3.1's own (pkg/helpers/resourcerequirement), which it
    // makes only mid-init or mid-join: here they fail before anything exists.
    if (!hasAmounts && qosClass === "ResourceRequirement") {
        problems.push(
            `ocm-lab:resourceQosClass is "ResourceRequirement" but neither ocm-lab:resourceLimits nor ` +
                `ocm-lab:resourceRequests is set; clusteradm refuses that. ` +
                `Example: pulumi config set --path 'ocm-lab:resourceRequests.memory' 128Mi`,
        );
    }
    for (const [resource, limit] of Object.entries(limits)) {
        const request = requests[resource];
        if (request !== undefined && quantityValue(request) > quantityValue(limit)) {
            problems.push(
                `ocm-lab:resourceRequests.${resource} is ${show(request)}, more than ocm-lab:resourceLimits.${resource} ` +
                    `${show(limit)}; a request must not exceed its limit. ` +
                    `Example: pulumi config set --path 'ocm-lab:resourceRequests.${resource}' ${limit}`,
            );
        }
    }
    if (hasAmounts && qosClass !== "ResourceRequirement") {
        problems.push(
            `ocm-lab:resourceLimits/resourceRequests are set but ocm-lab:resourceQosClass is ${show(qosClass)}; ` +
                `clusteradm applies them only with ResourceRequirement. ` +
                `Example: pulumi config set ocm-lab:resourceQosClass ResourceRequirement`,
        );
    }
    return { qosClass: qosClass as ResourceQosClass, limits, requests };
}

const quantitySuffixes: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
};

/** A quantity already matched by `quantity`, as a number of base units (cores, bytes). */
function quantityValue(amount: string): number {
    const [, number, suffix] = /^([0-9.]+)(.*)$/.exec(amount)!;
    return Number(number) * quantitySuffixes[suffix];
}

function parseQuantities(key: string, value: unknown, problems: string[]): Record<string, string> {
    if (value === undefined) {
        return {};
    }
    const example = `pulumi config set --path '${key}.memory' 512Mi`;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.push(`${key} is ${show(value)}; it must be a map of resource to quantity. Example: ${example}`);
        return {};
    }
    const result: Record<string, string> = {};
    for (const [resource, amount] of Object.entries(value)) {
        if (!["cpu", "memory"].includes(resource) || typeof amount !== "string" || !quantity.test(amount)) {
            problems.push(
                `${key}.${resource} is ${show(amount)}; only cpu and memory with a Kubernetes quantity are accepted. ` +
                    `Example: ${example}`,
            );
            continue;
        }
        result[resource] = amount;
    }
    return result;
}
