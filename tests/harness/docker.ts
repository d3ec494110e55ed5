/**
 * The real Docker engine, for tests that run the image cache's mirror as the program declares it.
 * Everything a test makes is named `ocm-lab-test-…` and removed by the test; nothing reaches
 * beyond the containers and networks it makes.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { realCliPath } from "../builds/realClis";
import { versions } from "../../versions";

export function docker(args: string[], input?: string): { ok: boolean; stdout: string; output: string } {
    const result = spawnSync("docker", args, { encoding: "utf8", input, timeout: 120_000 });
    return {
        ok: result.status === 0,
        stdout: (result.stdout ?? "").trim(),
        output: `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`,
    };
}

/** Fails with what to do when no Docker engine answers (.ci/run starts one). */
export function requireDocker(): void {
    const info = docker(["info", "--format", "{{.ServerVersion}}"]);
    if (!info.ok) {
        throw new Error(
            `these tests need a running Docker engine (docker info failed: ${info.output.trim()}); ` +
                "next: apt-get install docker.io && dockerd &   (.ci/run does this)",
        );
    }
}

/** The label that marks the stand-in, so a real image of that tag on a machine is never replaced. */
const standInLabel = "ocm-lab.stand-in";

/**
 * The registry image under its pinned tag (versions.registryMirror). No image can be pulled where
 * the tests run, so unless the machine has the real one, a stand-in is imported: the registry
 * built from the same release's Go module (`npm run build:clis`), with the image's usual layout
 * (the binary, a filesystem store in /var/lib/registry, listening on :5000). Returns which it is.
 */
export function ensureRegistryImage(): "real" | "stand-in" {
    const image = versions.registryMirror;
    const inspected = docker(["image", "inspect", "--format", `{{index .Config.Labels "${standInLabel}"}}`, image]);
    const wanted = `distribution-${versions.registryMirrorModule}`;
    if (inspected.ok && (inspected.stdout === "" || inspected.stdout === "<no value>")) {
        return "real";
    }
    if (inspected.ok && inspected.stdout === wanted) {
        return "stand-in";
    }
    // none, or a stand-in built from another release: (re)import it
    const binary = realCliPath("registry");
    if (!fs.existsSync(binary)) {
        throw new Error(`the registry is not built (${binary}); next: npm run build:clis`);
    }
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-registry-image-"));
    try {
        fs.mkdirSync(path.join(root, "bin"));
        fs.mkdirSync(path.join(root, "etc", "distribution"), { recursive: true });
        fs.mkdirSync(path.join(root, "var", "lib", "registry"), { recursive: true });
        fs.copyFileSync(binary, path.join(root, "bin", "registry"));
        fs.chmodSync(path.join(root, "bin", "registry"), 0o755);
        fs.writeFileSync(
            path.join(root, "etc", "distribution", "config.yml"),
            [
                "version: 0.1",
                "log:",
                "  fields:",
                "    service: registry",
                "storage:",
                "  cache:",
                "    blobdescriptor: inmemory",
                "  filesystem:",
                "    rootdirectory: /var/lib/registry",
                "http:",
                "  addr: :5000",
                "",
            ].join("\n"),
        );
        const tar = path.join(os.tmpdir(), `ocm-lab-registry-${process.pid}.tar`);
        const packed = spawnSync("tar", ["-C", root, "-cf", tar, "."]);
        if (packed.status !== 0) {
            throw new Error(`could not pack the stand-in registry image: ${packed.stderr}`);
        }
        const imported = docker([
            "import",
            "--change",
            `LABEL ${standInLabel}=${wanted}`,
            "--change",
            'ENTRYPOINT ["/bin/registry"]',
            "--change",
            'CMD ["serve", "/etc/distribution/config.yml"]',
            "--change",
            'VOLUME ["/var/lib/registry"]',
            "--change",
            "EXPOSE 5000",
            tar,
            image,
        ]);
        fs.rmSync(tar, { force: true });
        if (!imported.ok) {
            throw new Error(`could not import the stand-in registry image as ${image}: ${imported.output}`);
        }
        return "stand-in";
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
}

/** The container's address on a network the test made (the host reaches bridge networks directly). */
export function addressOn(container: string, network: string): string {
    const ip = docker([
        "inspect",
        "--format",
        `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`,
        container,
    ]).stdout;
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) {
        throw new Error(`${container} has no address on ${network} (${ip})`);
    }
    return ip;
}

/** Waits until a registry answers /v2/ at that address. */
export async function waitForRegistry(address: string, seconds = 30): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    let last = "";
    while (Date.now() < deadline) {
        try {
            const response = await fetch(`http://${address}:5000/v2/`);
            if (response.ok) {
                return;
            }
            last = `HTTP ${response.status}`;
        } catch (error) {
            last = String(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const containers = docker(["ps", "-a", "--format", "{{.Names}} {{.Status}}"]).stdout.replace(/\n/g, "; ");
    throw new Error(`no registry answered at ${address}:5000 within ${seconds}s (${last}); containers: ${containers}`);
}
