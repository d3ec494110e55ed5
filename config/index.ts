/**
 * The lab's configuration: read once in index.ts, validated here, passed down as typed values.
 * Validation is pure so that bad input fails before any resource exists and is testable alone.
 *
 * This entry reads every key and reports every problem at once; each group of settings has its own
 * file: clusters.ts (runtime, names, node images, image cache), registration.ts (OCM release,
 * klusterlet modes, registration drivers, self-managed hub, smoke work), qos.ts, argocd.ts and existing.ts.
 */
import { ArgoCdConfig, argocdDefaults, parseArgoCd } from "./argocd";
import { clusterDefaults, parseClusterNames, parseNodeImage, parseRuntime, RuntimeName } from "./clusters";
import { parseExisting, parseHubGrpcServer } from "./existing";
import { parseQos, qosDefaults, ResourceQos } from "./qos";
import {
    checkSelfManagedName,
    KlusterletMode,
    parseBundleVersion,
    parseKlusterletModes,
    parseRegistrations,
    RegistrationDriver,
    registrationDefaults,
} from "./registration";
import { decodeJson, nearestOf, parseSwitch, show } from "./values";

export * from "./argocd";
export * from "./clusters";
export * from "./existing";
export * from "./qos";
export * from "./registration";
export { nearestOf } from "./values";

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
    /**
     * runtime existing, with a gRPC spoke: the hub's gRPC server as `host:port`, as the spokes reach
     * it; the user exposes it there. kind and k3d expose it themselves.
     */
    hubGrpcServer?: string;
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
    /** Each spoke's registration driver, by spoke name (a self-managed hub's is always csr). */
    registrations: Record<string, RegistrationDriver>;
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
    registration?: unknown;
    registrations?: unknown;
    contexts?: unknown;
    hubApiServer?: unknown;
    hubGrpcServer?: unknown;
    argocd?: unknown;
}

/** The `ocm-lab:` settings among a stack's config values, by key without that prefix. */
export function labSettings(values: Record<string, unknown>): RawLabConfig {
    return Object.fromEntries(
        Object.entries(values)
            .filter(([key]) => key.startsWith("ocm-lab:"))
            .map(([key, value]) => [key.slice("ocm-lab:".length), value]),
    );
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
    "registration",
    "registrations",
    "contexts",
    "hubApiServer",
    "hubGrpcServer",
    "argocd",
];

export const configDefaults = {
    ...clusterDefaults,
    ...registrationDefaults,
    ...qosDefaults,
    timeoutSeconds: 300,
    argocd: argocdDefaults,
};

export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(
            `ocm-lab: the stack configuration has ${problems.length} problem(s); nothing was created.\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

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
        registrations: decodeJson(input.registrations),
        contexts: decodeJson(input.contexts),
        argocd: decodeJson(input.argocd),
    };

    const runtime = parseRuntime(raw, problems);
    const { hubName, spokeNames } = parseClusterNames(raw, problems);
    const existing = runtime === "existing";
    const nodeImage = parseNodeImage(raw, runtime, problems);
    const bundleVersion = parseBundleVersion(raw, problems);
    const resourceQos = parseQos(raw, problems);

    const timeoutSeconds = raw.timeoutSeconds ?? configDefaults.timeoutSeconds;
    if (typeof timeoutSeconds !== "number" || !Number.isInteger(timeoutSeconds) || timeoutSeconds < 30) {
        problems.push(
            `ocm-lab:timeoutSeconds is ${show(timeoutSeconds)}; it must be a whole number of seconds, at least 30. ` +
                `Example: ${configDefaults.timeoutSeconds}`,
        );
    }

    const smokeWork = parseSwitch(raw, "smokeWork", configDefaults.smokeWork, problems);
    const imageCache = parseSwitch(raw, "imageCache", configDefaults.imageCache, problems);
    const hubSelfManaged = parseSwitch(raw, "hubSelfManaged", configDefaults.hubSelfManaged, problems);
    checkSelfManagedName(hubSelfManaged, spokeNames, problems);

    const klusterletModes = parseKlusterletModes(raw, spokeNames, problems);
    const registrations = parseRegistrations(raw, spokeNames, problems);
    const { contexts, hubApiServer } = parseExisting(raw, existing, hubName, spokeNames, klusterletModes, problems);
    const hubGrpcServer = parseHubGrpcServer(raw, existing, registrations, problems);

    const argocd = parseArgoCd(raw.argocd, problems);

    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return {
        runtime: runtime as RuntimeName,
        hubName: hubName as string,
        spokeNames,
        nodeImage,
        contexts,
        hubApiServer,
        hubGrpcServer,
        clusteradmBundleVersion: bundleVersion,
        resourceQos,
        timeoutSeconds: timeoutSeconds as number,
        smokeWork,
        // Clusters the lab does not make pull as they always have: the cache is for kind and k3d.
        imageCache: imageCache && !existing,
        hubSelfManaged,
        klusterletModes,
        registrations,
        argocd,
    };
}
