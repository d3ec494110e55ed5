/**
 * The CLIs the lab runs (kind or k3d, clusteradm, kubectl) at the versions in versions.ts. A tool
 * missing from PATH, or of another version, is installed into .tools/bin for this OS and
 * architecture: downloaded and verified against the checksum its release publishes, or, for
 * clusteradm, whose releases publish none, built with `go install` at the release tag (the Go
 * checksum database verifies the source) or, without Go, taken from the tag's release archive
 * with its sha256 printed. A failure gives the exact command to install it by hand.
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
    /** For a release without checksums: the `go install` target at the release tag. */
    goInstall?: string;
    /** For a release without checksums: binaryUrl is a .tar.gz archive holding this file. */
    archiveMember?: string;
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
        manualInstall: ({ os, arch }) =>
            `curl -Lo ./k3d https://github.com/k3d-io/k3d/releases/download/${versions.k3dCli}/k3d-${os}-${arch} && chmod +x ./k3d && sudo mv ./k3d /usr/local/bin/k3d`,
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
        // v1.3.1 prints "clusteradm\tversion\t:v1.3.1" (pkg/cmd/version/exec.go); older releases said "client".
        versionPattern: /(?:clusteradm|client)\s+version\s*:?\s*(v\d+\.\d+\.\d+)/i,
        binaryUrl: ({ os, arch }) =>
            `https://github.com/open-cluster-management-io/clusteradm/releases/download/v${versions.clusteradm}/clusteradm_${os}_${arch}.tar.gz`,
        // clusteradm's release workflow uploads the archives and no checksums (.github/workflows/release.yaml
        // upstream), so a download cannot be verified: with Go on the machine it is built from the tag.
        checksum: undefined,
        goInstall: `open-cluster-management.io/clusteradm/cmd/clusteradm@v${versions.clusteradm}`,
        archiveMember: "clusteradm",
        manualInstall: () => `go install open-cluster-management.io/clusteradm/cmd/clusteradm@v${versions.clusteradm}`,
    },
};

export interface InstallContext {
    /** Where downloaded tools go; first on PATH for the lab. */
    binDir: string;
    platform: Platform;
    /** Runs `<tool> args` from PATH (binDir first); undefined when the tool is not there. */
    probe(tool: string, args: string[]): string | undefined;
    download(url: string): Promise<Buffer>;
    /** Runs a command (go install, tar) with `env` over the process's; output is for error messages. */
    run(command: string, args: string[], env?: Record<string, string>): { ok: boolean; output: string };
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
        await installUnverifiable(tool, why, ctx);
        return;
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
    installBinary(tool, binary, ctx);
    checkInstalled(tool, ctx);
}

/** Writes beside the target and renames: an interrupted install leaves no half-written tool. */
function installBinary(tool: ToolName, binary: Buffer, ctx: InstallContext): void {
    fs.mkdirSync(ctx.binDir, { recursive: true });
    const target = path.join(ctx.binDir, tool);
    const partial = `${target}.${randomBytes(4).toString("hex")}.partial`;
    try {
        fs.writeFileSync(partial, binary, { mode: 0o755 });
        fs.renameSync(partial, target);
    } finally {
        fs.rmSync(partial, { force: true });
    }
}

function checkInstalled(tool: ToolName, ctx: InstallContext): void {
    const release = releases[tool];
    const now = installedVersion(tool, ctx);
    if (now !== release.version) {
        throw new ToolError(
            `installed ${tool} into ${ctx.binDir} but it reports ${now ?? "no version"}. ` +
                `Install it: ${release.manualInstall(ctx.platform)}`,
        );
    }
}

/**
 * A release with no checksums to check a download against. With Go, `go install` at the release
 * tag: the module proxy serves the tag's source and the Go checksum database verifies it. Without
 * Go, the tag's release archive (never a branch), with its sha256 printed for the user to compare.
 */
async function installUnverifiable(tool: ToolName, why: string, ctx: InstallContext): Promise<void> {
    const release = releases[tool];
    const manual = release.manualInstall(ctx.platform);
    if (!release.goInstall || !release.archiveMember) {
        throw new ToolError(`${why}; it has no published checksum to verify a download against. Install it: ${manual}`);
    }
    fs.mkdirSync(ctx.binDir, { recursive: true });
    if (ctx.probe("go", ["version"]) !== undefined) {
        ctx.log(`${why}; building ${release.version} with go install into ${ctx.binDir}`);
        const built = ctx.run("go", ["install", release.goInstall], { GOBIN: ctx.binDir });
        if (!built.ok) {
            throw new ToolError(
                `go install ${release.goInstall} failed:\n${built.output.trim()}\nInstall it: ${manual}`,
            );
        }
        checkInstalled(tool, ctx);
        return;
    }
    const url = release.binaryUrl(ctx.platform);
    ctx.log(`${why} and Go is not there to build it; downloading the ${release.version} release archive`);
    let archive: Buffer;
    try {
        archive = await ctx.download(url);
    } catch (error) {
        throw new ToolError(
            `could not download ${tool} from ${url}: ${(error as Error).message}. Install it: ${manual}`,
        );
    }
    const unpacked = fs.mkdtempSync(path.join(ctx.binDir, `.${tool}-unpack-`));
    try {
        const archiveFile = path.join(unpacked, "release.tar.gz");
        fs.writeFileSync(archiveFile, archive);
        const extracted = ctx.run("tar", ["-xzf", archiveFile, "-C", unpacked, release.archiveMember]);
        const member = path.join(unpacked, release.archiveMember);
        if (!extracted.ok || !fs.existsSync(member)) {
            throw new ToolError(
                `the ${tool} archive from ${url} holds no ${release.archiveMember}: ${extracted.output.trim()}. ` +
                    `Install it: ${manual}`,
            );
        }
        installBinary(tool, fs.readFileSync(member), ctx);
    } finally {
        fs.rmSync(unpacked, { recursive: true, force: true });
    }
    const sha256 = createHash("sha256").update(archive).digest("hex");
    ctx.log(
        `${tool} ${release.version} publishes no checksums; the archive ${url} has sha256 ${sha256}: ` +
            `compare it with one you trust, or install Go and run npm run up again to build it from the tag`,
    );
    checkInstalled(tool, ctx);
}
