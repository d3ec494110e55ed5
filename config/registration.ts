/** Registration and klusterlet: the OCM release, where each klusterlet runs, the self-managed hub, the smoke work. */
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

export const registrationDefaults = {
    clusteradmBundleVersion: versions.ocmBundle,
    smokeWork: true,
    hubSelfManaged: false,
    klusterletMode: "default" as KlusterletMode,
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
 * Each spoke's klusterlet mode: ocm-lab:klusterletMode for all, ocm-lab:klusterletModes (a map of
 * spoke name to mode) for some. A self-managed hub's klusterlet always runs in default mode: hosted
 * would make the hub host itself, and a mode change would mean rebuilding the hub.
 */
export function parseKlusterletModes(
    raw: RawLabConfig,
    spokes: string[],
    problems: string[],
): Record<string, KlusterletMode> {
    const isMode = (v: unknown): v is KlusterletMode =>
        typeof v === "string" && (klusterletModeNames as readonly string[]).includes(v);
    const labWide = raw.klusterletMode ?? registrationDefaults.klusterletMode;
    if (!isMode(labWide)) {
        problems.push(
            `ocm-lab:klusterletMode is ${show(labWide)}; it must be one of ${klusterletModeNames.join(", ")}. ` +
                `Example: pulumi config set ocm-lab:klusterletMode singleton`,
        );
    }
    const fallback: KlusterletMode = isMode(labWide) ? labWide : registrationDefaults.klusterletMode;
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
