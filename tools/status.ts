/**
 * `npm run status -- <stack>`: one row per ManagedCluster, read from the hub: joined, available,
 * the argocd-agent add-on's health, and the guestbook Application's sync and health.
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
    joined: string;
    available: string;
    addon: string;
    app: string;
}

const condition = (item: Item | undefined, type: string) =>
    item?.status?.conditions?.find((c) => c.type === type)?.status ?? "-";

export function statusRows(managedClusters: List, addons: List, applications: List): StatusRow[] {
    return (managedClusters.items ?? []).map((mc) => {
        const name = mc.metadata.name;
        const addon = (addons.items ?? []).find(
            (a) => a.metadata.namespace === name && a.metadata.name === "argocd-agent-addon",
        );
        const app = (applications.items ?? []).find((a) => a.spec?.destination?.name === name);
        return {
            cluster: name,
            joined: condition(mc, "ManagedClusterJoined"),
            available: condition(mc, "ManagedClusterConditionAvailable"),
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
        joined: "JOINED",
        available: "AVAILABLE",
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
