/** Argo CD: the argocd-agent add-on chart and the sample app it delivers to every spoke. */
import { versions } from "../versions";
import { nearestOf, show } from "./values";

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

export const argocdDefaults: ArgoCdConfig = {
    enabled: true,
    chartVersion: versions.argocdAgentAddonChart,
    // Argo CD, its operator and the add-on's images arrive with the chart; upstream's own e2e for
    // this chart allows them 10 minutes, longer than any single step needs.
    installTimeoutSeconds: 600,
    appRepoUrl: versions.guestbookRepo,
    appPath: versions.guestbookPath,
    appRevision: versions.guestbookRevision,
};

export function parseArgoCd(value: unknown, problems: string[]): ArgoCdConfig {
    const defaults = argocdDefaults;
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
