/**
 * Registration and klusterlet: the OCM release, where each klusterlet runs, how it registers, the
 * self-managed hub, the smoke work.
 */
import type { RawLabConfig } from ".";
import { versions } from "../versions";
import { nearestOf, show } from "./values";

/**
 * Where a spoke's klusterlet runs (the register page): `default`, on the spoke; `singleton`, on the
 * spoke with registration and work in one pod (`clusteradm join --singleton`); `hosted`, on the hub
 * as hosting cluster (`--mode hosted`), leaving no agent on the spoke.
 */
export type KlusterletMode = "default" | "singleton" | "hosted";
export const klusterletModeNames: readonly KlusterletMode[] = ["default", "singleton", "hosted"];

/**
 * The ManagedCluster name a self-managed hub registers under: the register page's own name for it
 * (shared/reference/ocm-install-and-register.txt, "Common name for hub as klusterlet").
 */
export const selfManagedClusterName = "local-cluster";

/**
 * How a klusterlet registers and then talks to the hub (clusteradm v1.3.1 `join --registration-auth`):
 * `csr` through the hub's API server, `grpc` through the hub's gRPC server.
 */
export type RegistrationDriver = "csr" | "grpc";
export const registrationDriverNames: readonly RegistrationDriver[] = ["csr", "grpc"];

export const registrationDefaults = {
    clusteradmBundleVersion: versions.ocmBundle,
    smokeWork: true,
    hubSelfManaged: false,
    klusterletMode: "default" as KlusterletMode,
    registration: "csr" as RegistrationDriver,
};

/** The OCM release clusteradm installs on the hub and the spokes. */
export function parseBundleVersion(raw: RawLabConfig, problems: string[]): string {
    const bundleVersion = raw.clusteradmBundleVersion ?? registrationDefaults.clusteradmBundleVersion;
    if (typeof bundleVersion !== "string" || !/^\d+\.\d+\.\d+$/.test(bundleVersion)) {
        problems.push(
            `ocm-lab:clusteradmBundleVersion is ${show(bundleVersion)}; it must be an OCM release number. ` +
                `Example: ${registrationDefaults.clusteradmBundleVersion}`,
        );
    }
    return bundleVersion as string;
}

/** A self-managed hub registers as `local-cluster`, so no spoke may have that name. */
export function checkSelfManagedName(hubSelfManaged: boolean, spokeNames: string[], problems: string[]): void {
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
}

/**
 * A setting each spoke has, given lab-wide under `labWideKey` and per spoke in the map `mapKey`
 * (spoke name to value). A self-managed hub's own klusterlet keeps the default: it is not a spoke.
 */
interface PerSpokeSetting<T extends string> {
    labWideKey: "klusterletMode" | "registration";
    mapKey: "klusterletModes" | "registrations";
    names: readonly T[];
    fallback: T;
    /** A value for the examples in messages: `pulumi config set ocm-lab:<labWideKey> <labWideExample>`. */
    labWideExample: T;
    mapExample: T;
    /** What a value is, in messages: "mode", "driver". */
    noun: string;
    /** Why the hub's own klusterlet keeps the default. */
    hubKeeps: string;
}

function parsePerSpoke<T extends string>(
    raw: RawLabConfig,
    setting: PerSpokeSetting<T>,
    spokes: string[],
    problems: string[],
): Record<string, T> {
    const { labWideKey, mapKey, names } = setting;
    const isValue = (v: unknown): v is T => typeof v === "string" && (names as readonly string[]).includes(v);
    const labWide = raw[labWideKey] ?? setting.fallback;
    if (!isValue(labWide)) {
        problems.push(
            `ocm-lab:${labWideKey} is ${show(labWide)}; it must be one of ${names.join(", ")}. ` +
                `Example: pulumi config set ocm-lab:${labWideKey} ${setting.labWideExample}`,
        );
    }
    const fallback: T = isValue(labWide) ? labWide : setting.fallback;
    const values: Record<string, T> = Object.fromEntries(spokes.map((n) => [n, fallback]));
    const given = raw[mapKey];
    if (given === undefined) {
        return values;
    }
    const example = `pulumi config set --path 'ocm-lab:${mapKey}.${spokes[0] ?? "spoke1"}' ${setting.mapExample}`;
    if (typeof given !== "object" || given === null || Array.isArray(given)) {
        problems.push(
            `ocm-lab:${mapKey} is ${show(given)}; it must be a map of spoke name to ${setting.noun}. Example: ${example}`,
        );
        return values;
    }
    for (const [name, value] of Object.entries(given)) {
        const key = `ocm-lab:${mapKey}.${name}`;
        if (name === selfManagedClusterName) {
            problems.push(`${key} is set, but ${setting.hubKeeps}; next: pulumi config rm --path '${key}'`);
        } else if (!spokes.includes(name)) {
            problems.push(
                `${key} names no spoke of this lab; the spokes are ${spokes.join(", ")}` +
                    (spokes.length > 0 ? `; did you mean ocm-lab:${mapKey}.${nearestOf(name, spokes)}?` : "."),
            );
        } else if (!isValue(value)) {
            problems.push(`${key} is ${show(value)}; it must be one of ${names.join(", ")}. Example: ${example}`);
        } else {
            values[name] = value;
        }
    }
    return values;
}

/**
 * Each spoke's klusterlet mode: ocm-lab:klusterletMode for all, ocm-lab:klusterletModes (a map of
 * spoke name to mode) for some. A self-managed hub's klusterlet always runs in default mode: hosted
 * would make the hub host itself, and a mode change would mean rebuilding the hub.
 */
export function parseKlusterletModes(
    raw: RawLabConfig,
    spokes: string[],
    problems: string[],
): Record<string, KlusterletMode> {
    return parsePerSpoke(
        raw,
        {
            labWideKey: "klusterletMode",
            mapKey: "klusterletModes",
            names: klusterletModeNames,
            fallback: registrationDefaults.klusterletMode,
            labWideExample: "singleton",
            mapExample: "hosted",
            noun: "mode",
            hubKeeps: "the hub's own klusterlet always runs in default mode",
        },
        spokes,
        problems,
    );
}

/**
 * Each spoke's registration driver: ocm-lab:registration for all, ocm-lab:registrations for some.
 * `csr` registers through the hub's API server with a CSR, as the register page's first example;
 * `grpc` through the hub's gRPC server (OCM's install guide, "Register a cluster via gRPC"), whose
 * certificate the klusterlet gets from a CSR the gRPC server files for it. A self-managed hub's own
 * klusterlet keeps csr, as it keeps the default mode.
 */
export function parseRegistrations(
    raw: RawLabConfig,
    spokes: string[],
    problems: string[],
): Record<string, RegistrationDriver> {
    return parsePerSpoke(
        raw,
        {
            labWideKey: "registration",
            mapKey: "registrations",
            names: registrationDriverNames,
            fallback: registrationDefaults.registration,
            labWideExample: "grpc",
            mapExample: "grpc",
            noun: "driver",
            hubKeeps: "the hub's own klusterlet always registers with csr",
        },
        spokes,
        problems,
    );
}
