/**
 * Reading the few fields the lab needs from a kubeconfig that kind or k3d printed, or that runtime
 * existing read from a context (one cluster, one user). A missing field means the runtime printed
 * something unexpected: say which cluster.
 */

import * as fs from "fs";
import * as path from "path";

function field(kubeconfig: string, name: string, clusterName: string): string {
    const match = new RegExp(`^\\s*${name}:\\s*(\\S+)\\s*$`, "m").exec(kubeconfig);
    if (!match) {
        throw new Error(
            `ocm-lab: the kubeconfig of cluster ${clusterName} has no ${name}; ` +
                `next: compare with the runtime's own output (kind get kubeconfig / k3d kubeconfig get / ` +
                `kubectl config view --minify --flatten --context <its context>) and run pulumi refresh`,
        );
    }
    return match[1];
}

/** base64 PEM of the cluster CA. */
export const caDataOf = (kubeconfig: string, clusterName: string) =>
    field(kubeconfig, "certificate-authority-data", clusterName);

/** The API server URL as the host reaches it. */
export const serverOf = (kubeconfig: string, clusterName: string) => field(kubeconfig, "server", clusterName);

export const pemOf = (caData: string) => Buffer.from(caData, "base64").toString("utf8");

/**
 * The same kubeconfig with its API server replaced: the view from another cluster on the lab's
 * network (what kind calls `get kubeconfig --internal`), for a klusterlet the hub hosts.
 */
export function withServer(kubeconfig: string, server: string, clusterName: string): string {
    serverOf(kubeconfig, clusterName); // a kubeconfig without one fails here, naming the cluster
    return kubeconfig.replace(/^(\s*server:\s*)\S+\s*$/m, (_, prefix: string) => `${prefix}${server}`);
}

/** Inline credentials a kubeconfig's user may hold, and the field that names a file holding each instead. */
const credentialFields = [
    { inline: "client-certificate-data", file: "client-certificate", name: "client.crt", decode: true },
    { inline: "client-key-data", file: "client-key", name: "client.key", decode: true },
    { inline: "token", file: "tokenFile", name: "token", decode: false },
];

/**
 * The kubeconfig a kubernetes provider is given: the same, with the user's credentials moved out into
 * private files in `dir` (created 0700, each file 0600) that it names by absolute path. The pinned
 * kubernetes provider writes the kubeconfig it is configured with to a new file in TMPDIR at every
 * Configure and never removes it (pulumi-kubernetes provider/pkg/provider/provider.go:761-778,
 * util.go:125-131); the copy it leaves then holds the server, the CA and these paths, no key or token.
 */
export function withCredentialFiles(kubeconfig: string, dir: string, clusterName: string): string {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    let result = kubeconfig;
    for (const { inline, file, name, decode } of credentialFields) {
        const pattern = new RegExp(`^(\\s*)${inline}:\\s*(\\S+)\\s*$`, "gm");
        const found = [...kubeconfig.matchAll(pattern)];
        if (found.length > 1) {
            throw new Error(
                `ocm-lab: the kubeconfig of cluster ${clusterName} has ${found.length} ${inline} fields, one expected; ` +
                    `next: compare with the runtime's own output (kind get kubeconfig / k3d kubeconfig get / ` +
                    `kubectl config view --minify --flatten --context <its context>)`,
            );
        }
        if (found.length === 0) {
            continue;
        }
        const target = path.join(dir, name);
        const value = found[0][2].replace(/^"(.*)"$/, "$1");
        const content = decode ? Buffer.from(value, "base64") : Buffer.from(value);
        if (!fs.existsSync(target) || !fs.readFileSync(target).equals(content)) {
            fs.writeFileSync(target, content, { mode: 0o600 });
        }
        fs.chmodSync(target, 0o600);
        result = result.replace(pattern, (_, indent: string) => `${indent}${file}: ${target}`);
    }
    return result;
}
