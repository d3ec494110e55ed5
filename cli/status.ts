import { smokeWorkNames } from "../components/ocmObjects";

/**
 * `npm run status -- <stack>`: one row per ManagedCluster, read from the hub: where its klusterlet
 * runs and how it registers (as the stack made them), joined, available,
 * the argocd-agent add-on's health, and the guestbook Application's sync and health; then one line
 * per problem, and a non-zero exit if there is any, so scripts and CI can use it as a health check.
 */

interface Condition {
    type: string;
    status: string;
}
interface Item {
    metadata: { name: string; namespace?: string };
    status?: { conditions?: Condition[]; sync?: { status?: string }; health?: { status?: string } };
    spec?: { destination?: { name?: string } };
}
interface List {
    items?: Item[];
}

export interface StatusRow {
    cluster: string;
    /** Where its klusterlet runs, as the stack made it (default, singleton, hosted); "-" if not the lab's. */
    klusterlet: string;
    /** How its klusterlet registers, as the stack made it (csr, grpc); "-" if not the lab's. */
    registration: string;
    joined: string;
    available: string;
    smoke: string;
    addon: string;
    app: string;
}

const condition = (item: Item | undefined, type: string) =>
    item?.status?.conditions?.find((c) => c.type === type)?.status ?? "-";

export function statusRows(
    managedClusters: List,
    addons: List,
    applications: List,
    works: List = {},
    klusterletModes: Record<string, string> = {},
    registrationDrivers: Record<string, string> = {},
): StatusRow[] {
    return (managedClusters.items ?? []).map((mc) => {
        const name = mc.metadata.name;
        const addon = (addons.items ?? []).find(
            (a) => a.metadata.namespace === name && a.metadata.name === "argocd-agent-addon",
        );
        const app = (applications.items ?? []).find((a) => a.spec?.destination?.name === name);
        const work = (works.items ?? []).find(
            (w) => w.metadata.namespace === name && w.metadata.name === smokeWorkNames.work,
        );
        return {
            cluster: name,
            klusterlet: klusterletModes[name] ?? "-",
            registration: registrationDrivers[name] ?? "-",
            joined: condition(mc, "ManagedClusterJoined"),
            available: condition(mc, "ManagedClusterConditionAvailable"),
            smoke: work ? `Applied=${condition(work, "Applied")},Available=${condition(work, "Available")}` : "none",
            addon: addon ? `Available=${condition(addon, "Available")}` : "not installed",
            app: app
                ? `${app.metadata.name}: ${app.status?.sync?.status ?? "?"}/${app.status?.health?.status ?? "?"}`
                : "no app",
        };
    });
}

export function renderTable(rows: StatusRow[]): string {
    const header: StatusRow = {
        cluster: "CLUSTER",
        klusterlet: "KLUSTERLET",
        registration: "REGISTRATION",
        joined: "JOINED",
        available: "AVAILABLE",
        smoke: "SMOKE WORK",
        addon: "ARGOCD AGENT",
        app: "APP (SYNC/HEALTH)",
    };
    const all = [header, ...rows];
    const keys = Object.keys(header) as (keyof StatusRow)[];
    const widths = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
    const lines = all.map((r) =>
        keys
            .map((k, i) => r[k].padEnd(widths[i]))
            .join("  ")
            .trimEnd(),
    );
    return rows.length === 0 ? `${lines[0]}\n(no ManagedClusters on the hub yet)` : lines.join("\n");
}

/** The stack outputs (index.ts) that say how the lab made each cluster's klusterlet. */
export interface KlusterletOutputs {
    spokeNames?: string[];
    /** The hub's own ManagedCluster when the hub manages itself (config hubSelfManaged). */
    selfManagedCluster?: string | null;
    klusterletModes?: Record<string, string>;
    registrationDrivers?: Record<string, string>;
}

/** Where each cluster's klusterlet runs, as the stack made it. */
export function klusterletModesOf(outputs: KlusterletOutputs): Record<string, string> {
    return {
        ...(outputs.klusterletModes ?? {}),
        // a self-managed hub's own klusterlet always runs in default mode (config/registration.ts)
        ...(outputs.selfManagedCluster ? { [outputs.selfManagedCluster]: "default" } : {}),
    };
}

/** How each cluster's klusterlet registers, as the stack made it. */
export function registrationDriversOf(outputs: KlusterletOutputs): Record<string, string> {
    return {
        // a lab made before drivers registered every spoke with csr, as the hub's own klusterlet does
        ...Object.fromEntries((outputs.spokeNames ?? []).map((spoke) => [spoke, "csr"])),
        ...(outputs.registrationDrivers ?? {}),
        ...(outputs.selfManagedCluster ? { [outputs.selfManagedCluster]: "csr" } : {}),
    };
}

/**
 * One line before the table: which clusters these are and whose. The lab made kind and k3d clusters
 * and destroy deletes them; existing names the user's contexts, which destroy leaves in place.
 */
export function clustersLine(runtime: string, contexts: Record<string, string>): string {
    const named = Object.entries(contexts)
        .map(([cluster, context]) => `${cluster}=${context}`)
        .join(", ");
    return runtime === "existing"
        ? `runtime existing: your clusters, by context: ${named} (destroy takes OCM off them and leaves them)`
        : `runtime ${runtime}: the lab's own clusters, by context: ${named}`;
}

/** What the stack says should be there (its outputs), to hold the hub's objects against. */
export interface ExpectedLab {
    spokes: string[];
    /** The hub's own ManagedCluster (config hubSelfManaged): judged as a spoke, but never for Argo CD. */
    selfManaged?: string;
    /** The add-on and guestbook are expected only when the stack installed them (argocd.enabled). */
    argocd: boolean;
    /** The smoke ManifestWork is expected when the stack made it (config smokeWork). */
    smokeWork: boolean;
    hubContext: string;
}

/**
 * One line per thing that is not ready, each naming the spoke and a command that shows why; empty
 * when every expected spoke (and a self-managed hub's local-cluster) is joined and Available and,
 * with Argo CD, every spoke has the agent add-on Available and its app Synced and Healthy.
 * ManagedClusters the stack did not make are not judged.
 */
export function statusProblems(rows: StatusRow[], expected: ExpectedLab): string[] {
    const hub = `kubectl --context ${expected.hubContext}`;
    const managed = [...expected.spokes, ...(expected.selfManaged ? [expected.selfManaged] : [])];
    return managed.flatMap((spoke) => {
        const argocd = expected.argocd && spoke !== expected.selfManaged;
        const row = rows.find((r) => r.cluster === spoke);
        if (!row) {
            return [`${spoke}: no ManagedCluster on the hub; next: ${hub} get managedclusters,csr`];
        }
        const problems: string[] = [];
        if (row.joined !== "True" || row.available !== "True") {
            problems.push(
                `${spoke}: ManagedCluster joined=${row.joined} available=${row.available}; ` +
                    `next: ${hub} describe managedcluster ${spoke}`,
            );
        }
        if (expected.smokeWork && row.smoke !== "Applied=True,Available=True") {
            problems.push(
                `${spoke}: smoke ManifestWork ${row.smoke}; ` +
                    `next: ${hub} get manifestwork ${smokeWorkNames.work} -n ${spoke} -o yaml`,
            );
        }
        if (argocd && row.addon !== "Available=True") {
            problems.push(
                `${spoke}: argocd-agent add-on ${row.addon}; ` +
                    `next: ${hub} get managedclusteraddon argocd-agent-addon -n ${spoke} -o yaml`,
            );
        }
        if (argocd && !row.app.endsWith(": Synced/Healthy")) {
            problems.push(
                `${spoke}: app ${row.app === "no app" ? "not generated" : row.app}; ` +
                    `next: ${hub} get applications.argoproj.io -n argocd -o wide`,
            );
        }
        return problems;
    });
}
