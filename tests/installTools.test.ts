/**
 * Installing the lab's CLIs with fake downloads: the right URL for each OS and architecture, a
 * checksum that must match, nothing half-written left behind, and a clear way out when a tool
 * cannot be verified.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureTool, InstallContext, Platform, platformOf, releases, ToolError } from "../cli/installTools";

const sha = (data: string) => createHash("sha256").update(data).digest("hex");

const made: string[] = [];
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A fake world: an internet of URL → body, a PATH outside binDir, and binDir itself. */
function fakeContext(platform: Platform, internet: Record<string, string>, onPath: Record<string, string> = {}) {
    const binDir = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-tools-"));
    made.push(binDir);
    const downloads: string[] = [];
    const logs: string[] = [];
    const runs: string[] = [];
    const ctx: InstallContext = {
        binDir,
        platform,
        // A fake tool "binary" is the text its version command prints.
        probe: (tool) => {
            const local = path.join(binDir, tool);
            return fs.existsSync(local) ? fs.readFileSync(local, "utf8") : onPath[tool];
        },
        download: async (url) => {
            downloads.push(url);
            if (!(url in internet)) {
                throw new Error("404 Not Found");
            }
            return Buffer.from(internet[url]);
        },
        // go is faked (a "build" writes the tool that prints its version); tar is the real one.
        run: (command, args, env = {}) => {
            runs.push([command, ...args, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].join(" "));
            if (command === "go") {
                fs.writeFileSync(path.join(env.GOBIN, "clusteradm"), clusteradmBinary);
                return { ok: true, output: "" };
            }
            const result = spawnSync(command, args, { encoding: "utf8" });
            return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
        },
        log: (line) => logs.push(line),
    };
    return { ctx, binDir, downloads, logs, runs, files: () => fs.readdirSync(binDir) };
}

/** What clusteradm v1.3.1's `version` prints (pkg/cmd/version/exec.go). */
const clusteradmBinary = "clusteradm\tversion\t:v1.3.1\ndefault bundle\tversion\t:1.3.1\n";

/** A .tar.gz holding `files`, made with the real tar, as a release archive would be. */
function tarball(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-archive-"));
    made.push(dir);
    for (const [name, content] of Object.entries(files)) {
        fs.writeFileSync(path.join(dir, name), content);
    }
    const archive = path.join(dir, "release.tar.gz");
    spawnSync("tar", ["-czf", archive, "-C", dir, ...Object.keys(files)]);
    return fs.readFileSync(archive, "latin1");
}

const kindBinary = "kind v0.24.0 go1.22.6 linux/amd64";
const linux = { os: "linux", arch: "amd64" };
const mac = { os: "darwin", arch: "arm64" };

describe("installing the lab's CLIs", () => {
    it("downloads kind for the OS and architecture, checks its sha256sum and installs it executable", async () => {
        const base = "https://kind.sigs.k8s.io/dl/v0.24.0/kind-darwin-arm64";
        const world = fakeContext(mac, {
            [base]: kindBinary,
            [`${base}.sha256sum`]: `${sha(kindBinary)}  kind-darwin-arm64\n`,
        });
        await ensureTool("kind", world.ctx);
        expect(world.downloads).toEqual([base, `${base}.sha256sum`]);
        expect(world.files()).toEqual(["kind"]);
        expect(fs.statSync(path.join(world.binDir, "kind")).mode & 0o111).not.toBe(0);
        expect(world.logs[0]).toContain("kind is not on PATH; installing v0.24.0");
    });

    it("uses the published URLs of k3d and kubectl per platform", () => {
        expect(releases.k3d.binaryUrl(linux)).toBe(
            "https://github.com/k3d-io/k3d/releases/download/v5.8.3/k3d-linux-amd64",
        );
        expect(releases.k3d.checksum!.url(linux)).toBe(
            "https://github.com/k3d-io/k3d/releases/download/v5.8.3/checksums.txt",
        );
        expect(releases.kubectl.binaryUrl(mac)).toBe("https://dl.k8s.io/release/v1.32.0/bin/darwin/arm64/kubectl");
        expect(releases.kubectl.checksum!.url(mac)).toBe(
            "https://dl.k8s.io/release/v1.32.0/bin/darwin/arm64/kubectl.sha256",
        );
    });

    it("picks k3d's own line out of checksums.txt", async () => {
        const binary = "k3d version v5.8.3\nk3s version v1.31.5-k3s1 (default)";
        const base = "https://github.com/k3d-io/k3d/releases/download/v5.8.3";
        const sums = [
            `${sha("other")}  _dist/k3d-darwin-arm64`,
            `${sha(binary)}  _dist/k3d-linux-amd64`,
            `${sha("x")}  _dist/k3d-linux-arm64`,
        ].join("\n");
        const world = fakeContext(linux, { [`${base}/k3d-linux-amd64`]: binary, [`${base}/checksums.txt`]: sums });
        await ensureTool("k3d", world.ctx);
        expect(world.files()).toEqual(["k3d"]);
    });

    it("rejects a download whose checksum does not match and leaves nothing behind", async () => {
        const base = "https://kind.sigs.k8s.io/dl/v0.24.0/kind-linux-amd64";
        const world = fakeContext(linux, {
            [base]: "tampered",
            [`${base}.sha256sum`]: `${sha(kindBinary)}  kind-linux-amd64`,
        });
        await expect(ensureTool("kind", world.ctx)).rejects.toThrow(
            /does not match its published checksum.*nothing was installed\. Install it: curl -Lo \.\/kind https:\/\/kind\.sigs\.k8s\.io\/dl\/v0\.24\.0\/kind-linux-amd64/,
        );
        expect(world.files()).toEqual([]);
    });

    it("keeps a tool already on PATH at the pinned version, and replaces one of another version", async () => {
        const pinned = fakeContext(linux, {}, { kind: kindBinary });
        await ensureTool("kind", pinned.ctx);
        expect(pinned.downloads).toEqual([]);

        const base = "https://kind.sigs.k8s.io/dl/v0.24.0/kind-linux-amd64";
        const old = fakeContext(
            linux,
            { [base]: kindBinary, [`${base}.sha256sum`]: sha(kindBinary) },
            { kind: "kind v0.20.0 go1.20 linux/amd64" },
        );
        await ensureTool("kind", old.ctx);
        expect(old.logs[0]).toContain("kind v0.20.0 is on PATH, the lab is pinned to v0.24.0");
        expect(old.files()).toEqual(["kind"]);
    });

    it("says how to install by hand when the download fails", async () => {
        const world = fakeContext(linux, {});
        await expect(ensureTool("kubectl", world.ctx)).rejects.toThrow(
            /could not download kubectl .*404 Not Found\. Install it: curl -LO https:\/\/dl\.k8s\.io\/release\/v1\.32\.0\/bin\/linux\/amd64\/kubectl/,
        );
        expect(world.files()).toEqual([]);
    });

    it("recognises clusteradm 1.3.1 on PATH by what its version command prints", async () => {
        const world = fakeContext(linux, {}, { clusteradm: clusteradmBinary });
        await expect(ensureTool("clusteradm", world.ctx)).resolves.toBeUndefined();
        expect(world.downloads).toEqual([]);
        expect(world.runs).toEqual([]);
    });

    it("builds clusteradm from its release tag with go install when Go is there, downloading nothing", async () => {
        const world = fakeContext(linux, {}, { go: "go version go1.26.8 linux/amd64" });
        await ensureTool("clusteradm", world.ctx);
        expect(world.runs).toEqual([
            `go install open-cluster-management.io/clusteradm/cmd/clusteradm@v1.3.1 GOBIN=${world.binDir}`,
        ]);
        expect(world.downloads).toEqual([]);
        expect(world.files()).toEqual(["clusteradm"]);
    });

    it("without Go, installs clusteradm from the tag's release archive and prints the archive's sha256", async () => {
        const url =
            "https://github.com/open-cluster-management-io/clusteradm/releases/download/v1.3.1/clusteradm_darwin_arm64.tar.gz";
        const archive = tarball({ clusteradm: clusteradmBinary, LICENSE: "license" });
        const world = fakeContext(mac, { [url]: archive });
        // the fake internet serves text; the archive is bytes
        world.ctx.download = async (u) => {
            world.downloads.push(u);
            return Buffer.from(archive, "latin1");
        };
        await ensureTool("clusteradm", world.ctx);
        expect(world.downloads).toEqual([url]);
        expect(world.files()).toEqual(["clusteradm"]); // the unpacked archive is gone
        const sha256 = createHash("sha256").update(Buffer.from(archive, "latin1")).digest("hex");
        expect(world.logs.join("\n")).toContain(`has sha256 ${sha256}`);
    });

    it("installs nothing from an archive that holds no clusteradm, and says how to install it", async () => {
        const world = fakeContext(linux, {});
        const archive = tarball({ README: "not the tool" });
        world.ctx.download = async () => Buffer.from(archive, "latin1");
        await expect(ensureTool("clusteradm", world.ctx)).rejects.toThrow(
            /holds no clusteradm.*Install it: go install open-cluster-management\.io\/clusteradm\/cmd\/clusteradm@v1\.3\.1/s,
        );
        expect(world.files()).toEqual([]);
    });

    it("names the platforms it supports", () => {
        expect(platformOf("linux", "x64")).toEqual(linux);
        expect(platformOf("darwin", "arm64")).toEqual(mac);
        expect(() => platformOf("win32", "x64")).toThrow(ToolError);
    });
});
