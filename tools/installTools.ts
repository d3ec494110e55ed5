/**
 * The CLIs the lab runs (kind or k3d, clusteradm, kubectl) at the versions in versions.ts. A tool
 * missing from PATH, or of another version, is downloaded for this OS and architecture into
 * .tools/bin and verified against the checksum its release publishes; where no checksum is
 * published, or the download fails, the error gives the exact command to install it by hand.
 */
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { versions } from "../versions";

export type ToolName = "kind" | "k3d" | "clusteradm" | "kubectl";

export interface Platform {
    /** linux or darwin */
    os: string;
    /** amd64 or arm64 */
    arch: string;
}

interface ToolRelease {
    version: string;
    /** Reads the version from `<tool> <versionArgs>` output. */
    versionArgs: string[];
    versionPattern: RegExp;
    binaryUrl(p: Platform): string;
    /** Where the release publishes the binary's sha256, and how to read it; undefined if it publishes none. */
    checksum?: { url(p: Platform): string; read(text: string, p: Platform): string | undefined };
    /** The command a person runs to install it by hand. */
    manualInstall(p: Platform): string;
}

const firstField = (text: string) => text.trim().split(/\s+/)[0];

export const releases: Record<ToolName, ToolRelease> = {
    kind: {
        version: versions.kindCli,
        versionArgs: ["version"],
        versionPattern: /kind (v\d+\.\d+\.\d+)/,
        binaryUrl: ({ os, arch }) => `https://kind.sigs.k8s.io/dl/${versions.kindCli}/kind-${os}-${arch}`,
        // "<sha256>  kind-<os>-<arch>"
        checksum: {
            url: (p) => `${releases.kind.binaryUrl(p)}.sha256sum`,
            read: firstField,
        },
        manualInstall: ({ os, arch }) =>
            `curl -Lo ./kind https://kind.sigs.k8s.io/dl/${versions.kindCli}/kind-${os}-${arch} && chmod +x ./kind && sudo mv ./kind /usr/local/bin/kind`,
    },
    k3d: {
        version: versions.k3dCli,
        versionArgs: ["version"],
        versionPattern: /k3d version (v\d+\.\d+\.\d+)/,
        binaryUrl: ({ os, arch }) =>
            `https://github.com/k3d-io/k3d/releases/download/${versions.k3dCli}/k3d-${os}-${arch}`,
        // checksums.txt: one "<sha256>  _dist/k3d-<os>-<arch>" line per asset
        checksum: {
            url: () => `https://github.com/k3d-io/k3d/releases/download/${versions.k3dCli}/checksums.txt`,
            read: (text, { os, arch }) =>
                text
                    .split("\n")
                    .map((line) => line.trim().split(/\s+/))
                    .find(
                        (fields) =>
                            fields.length === 2 && path.basename(fields[1].replace(/^\*/, "")) === `k3d-${os}-${arch}`,
                    )?.[0],
        },
        manualInstall: () =>
            `curl -s https://raw.githubusercontent.com/k3d-io/k3d/main/install.sh | TAG=${versions.k3dCli} bash`,
    },
    kubectl: {
        version: versions.kubectl,
        versionArgs: ["version", "--client"],
        versionPattern: /Client Version: (v\d+\.\d+\.\d+)/,
        binaryUrl: ({ os, arch }) => `https://dl.k8s.io/release/${versions.kubectl}/bin/${os}/${arch}/kubectl`,
        // a file holding the sha256 alone
        checksum: { url: (p) => `${releases.kubectl.binaryUrl(p)}.sha256`, read: firstField },
        manualInstall: ({ os, arch }) =>
            `curl -LO https://dl.k8s.io/release/${versions.kubectl}/bin/${os}/${arch}/kubectl && chmod +x kubectl && sudo mv kubectl /usr/local/bin/kubectl`,
    },
    clusteradm: {
        version: `v${versions.clusteradm}`,
        versionArgs: ["version"],
        versionPattern: /client\s+version\s*:?\s*(v\d+\.\d+\.\d+)/i,
        binaryUrl: ({ os, arch }) =>
            `https://github.com/open-cluster-management-io/clusteradm/releases/download/v${versions.clusteradm}/clusteradm_${os}_${arch}.tar.gz`,
        // clusteradm's release workflow uploads the archives and no checksums (.github/workflows/release.yaml
        // upstream), so there is nothing to verify a download against: it is installed by hand.
        checksum: undefined,
        manualInstall: () =>
            `curl -L https://raw.githubusercontent.com/open-cluster-management-io/clusteradm/main/install.sh | bash -s ${versions.clusteradm}`,
    },
};

export interface InstallContext {
    /** Where downloaded tools go; first on PATH for the lab. */
    binDir: string;
    platform: Platform;
    /** Runs `<tool> args` from PATH (binDir first); undefined when the tool is not there. */
    probe(tool: string, args: string[]): string | undefined;
    download(url: string): Promise<Buffer>;
    log(line: string): void;
}

export class ToolError extends Error {}

export function platformOf(nodePlatform: string, nodeArch: string): Platform {
    const os = { linux: "linux", darwin: "darwin" }[nodePlatform];
    const arch = { x64: "amd64", arm64: "arm64" }[nodeArch];
    if (!os || !arch) {
        throw new ToolError(`ocm-lab runs on linux or macOS, amd64 or arm64; this is ${nodePlatform}/${nodeArch}`);
    }
    return { os, arch };
}

/** The version of `tool` found on PATH, or undefined. */
export function installedVersion(tool: ToolName, ctx: InstallContext): string | undefined {
    const release = releases[tool];
    const output = ctx.probe(tool, release.versionArgs);
    return output === undefined ? undefined : release.versionPattern.exec(output)?.[1];
}

/** Makes sure `tool` at the pinned version is on PATH (binDir first), installing it if needed. */
export async function ensureTool(tool: ToolName, ctx: InstallContext): Promise<void> {
    const release = releases[tool];
    const found = installedVersion(tool, ctx);
    if (found === release.version) {
        return;
    }
    const why = found
        ? `${tool} ${found} is on PATH, the lab is pinned to ${release.version}`
        : `${tool} is not on PATH`;
    const manual = release.manualInstall(ctx.platform);
    if (!release.checksum) {
        throw new ToolError(`${why}; it has no published checksum to verify a download against. Install it: ${manual}`);
    }
    ctx.log(`${why}; installing ${release.version} into ${ctx.binDir}`);
    const url = release.binaryUrl(ctx.platform);
    let binary: Buffer;
    let expected: string | undefined;
    try {
        binary = await ctx.download(url);
        expected = release.checksum.read(
            (await ctx.download(release.checksum.url(ctx.platform))).toString("utf8"),
            ctx.platform,
        );
    } catch (error) {
        throw new ToolError(
            `could not download ${tool} from ${url}: ${(error as Error).message}. Install it: ${manual}`,
        );
    }
    const actual = createHash("sha256").update(binary).digest("hex");
    if (!expected || actual !== expected.toLowerCase()) {
        throw new ToolError(
            `the ${tool} download from ${url} does not match its published checksum ` +
                `(expected ${expected ?? "none found"}, got ${actual}); nothing was installed. Install it: ${manual}`,
        );
    }
    // Write beside the target and rename: an interrupted install leaves no half-written tool.
    fs.mkdirSync(ctx.binDir, { recursive: true });
    const target = path.join(ctx.binDir, tool);
    const partial = `${target}.${randomBytes(4).toString("hex")}.partial`;
    try {
        fs.writeFileSync(partial, binary, { mode: 0o755 });
        fs.renameSync(partial, target);
    } finally {
        fs.rmSync(partial, { force: true });
    }
    const now = installedVersion(tool, ctx);
    if (now !== release.version) {
        throw new ToolError(
            `installed ${tool} into ${ctx.binDir} but it reports ${now ?? "no version"}. Install it: ${manual}`,
        );
    }
}
