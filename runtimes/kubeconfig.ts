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
 * private files in `dir` (created 0700, each file 0600; `dir` as the provider will read it, `root`
 * the folder it is relative to). The pinned kubernetes provider writes the kubeconfig it is
 * configured with to a new file in TMPDIR at every Configure and never removes it (pulumi-kubernetes
 * provider/pkg/provider/provider.go:761-778, util.go:125-131); the copy it leaves then holds the
 * server, the CA and these paths, no key or token. The files are written whenever the program runs
 * (preview too: a provider reads them when it is configured), so a lost folder comes back at the
 * next preview or up. A value in another YAML form than one plain or quoted scalar is refused.
 */
export function withCredentialFiles(kubeconfig: string, dir: string, clusterName: string, root = "/"): string {
    const target = path.resolve(root, dir);
    let result = kubeconfig;
    for (const { inline, file, name, decode } of credentialFields) {
        const lines = new RegExp(`^(\\s*)${inline}:(.*)$`, "gm");
        const found = [...kubeconfig.matchAll(lines)];
        if (found.length === 0) {
            continue;
        }
        const scalar = /^\s*(?:"([^"]*)"|'([^']*)'|([^\s"'|>#][^\s#]*))\s*(?:#.*)?$/.exec(found[0][2]);
        if (found.length > 1 || !scalar) {
            throw new Error(
                `ocm-lab: the kubeconfig of cluster ${clusterName} has ${found.length > 1 ? `${found.length} ${inline} fields, one expected` : `a ${inline} that is not one plain or quoted value`}; ` +
                    `next: compare with the runtime's own output (kind get kubeconfig / k3d kubeconfig get / ` +
                    `kubectl config view --minify --flatten --context <its context>)`,
            );
        }
        const value = scalar[1] ?? scalar[2] ?? scalar[3];
        const content = decode ? Buffer.from(value, "base64") : Buffer.from(value);
        fs.mkdirSync(target, { recursive: true, mode: 0o700 });
        fs.chmodSync(target, 0o700);
        const written = path.join(target, name);
        if (!fs.existsSync(written) || !fs.readFileSync(written).equals(content)) {
            fs.writeFileSync(written, content, { mode: 0o600 });
        }
        fs.chmodSync(written, 0o600);
        result = result.replace(lines, (_, indent: string) => `${indent}${file}: ${path.join(dir, name)}`);
    }
    return result;
}
