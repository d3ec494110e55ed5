/**
 * Builds the real kind and k3d CLIs, at the versions in versions.ts, from their Go modules, so that
 * tests can hand every command line the step scripts run to the real flag parsers (see
 * tests/harness/realCliFlags.ts, checked at the end of tests/engine/topologies.test.ts); actionlint, which checks the project's workflows in
 * `npm run lint` (`lintWorkflows` below); and the registry the image cache runs, from which the
 * Docker tests make a stand-in for its image; and for the engine tier (tests/engine), the Pulumi CLI and
 * the kubernetes provider. Binaries are kept in .tools/go/<tool>-<version>/, keyed by version, with Go's
 * module and build caches beside them: a second run costs nothing.
 *
 * clusteradm cannot be built here: v1.3.1 requires open-cluster-management.io/ocm v1.3.1, which the
 * Go module proxy these machines reach refuses. Its own source is served, so it is downloaded
 * instead, and tests read the flags each subcommand defines from it (weaker than the real parser,
 * and said so where it is used).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { versions } from "../../versions";

export type RealCli = "kind" | "k3d" | "actionlint" | "registry" | "pulumi" | "pulumi-resource-kubernetes";

interface GoBuild {
    version: string;
    /** The module to require, and the main package inside it. */
    module: string;
    mainPackage: string;
    /** Release builds stamp the version with -X; without it k3d calls itself "v5-dev". */
    ldflags?: string;
    /** Extra build environment. */
    env?: Record<string, string>;
    /** Further modules the wrapper requires at a fixed version (pulumi's pkg/v3 wants its sdk/v3 beside it). */
    alsoRequires?: string[];
    /**
     * Files of a wrapper `main` package, written into the wrapper module (then `mainPackage` is "."),
     * given the module's source folder in the module cache.
     */
    wrapperMain?: (moduleDir: string) => Record<string, string>;
}

const builds: Record<RealCli, GoBuild> = {
    kind: { version: versions.kindCli, module: "sigs.k8s.io/kind", mainPackage: "sigs.k8s.io/kind" },
    k3d: {
        version: versions.k3dCli,
        module: "github.com/k3d-io/k3d/v5",
        mainPackage: "github.com/k3d-io/k3d/v5",
        ldflags: `-X github.com/k3d-io/k3d/v5/version.Version=${versions.k3dCli}`,
    },
    actionlint: {
        version: versions.actionlint,
        module: "github.com/rhysd/actionlint",
        mainPackage: "github.com/rhysd/actionlint/cmd/actionlint",
        ldflags: `-X github.com/rhysd/actionlint.version=${versions.actionlint}`,
    },
    // The image cache's registry, for the stand-in image the Docker tests run (tests/registryMirror.test.ts):
    // static, so it runs in an image that holds nothing else.
    registry: {
        version: versions.registryMirrorModule,
        module: "github.com/distribution/distribution/v3",
        mainPackage: "github.com/distribution/distribution/v3/cmd/registry",
        ldflags: `-s -w -X github.com/distribution/distribution/v3/version.version=${versions.registryMirrorModule}`,
        env: { CGO_ENABLED: "0" },
    },
    // The engine tier's Pulumi CLI (tests/engine). pkg/v3's go.mod has replace directives, which only
    // apply inside pulumi's own repository: a wrapper that requires pkg/v3 and sdk/v3 at one release
    // builds it. Without the stamped version `pulumi version` prints nothing and the Automation API
    // refuses to run destroy.
    pulumi: {
        version: versions.pulumiCliForTests,
        module: "github.com/pulumi/pulumi/pkg/v3",
        alsoRequires: [`github.com/pulumi/pulumi/sdk/v3 ${versions.pulumiCliForTests}`],
        mainPackage: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
        ldflags: `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${versions.pulumiCliForTests}`,
    },
    // The engine tier's kubernetes provider. Its own cmd/pulumi-resource-kubernetes embeds files that
    // the provider's Makefile generates (schema-embed.json), which the module does not hold; this wrapper
    // embeds the schema and mapping the module does hold and serves the provider as that cmd does.
    "pulumi-resource-kubernetes": {
        version: versions.kubernetesProviderModule,
        module: "github.com/pulumi/pulumi-kubernetes/provider/v4",
        mainPackage: ".",
        ldflags: `-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${versions.kubernetesProviderModule.slice(1)}`,
        wrapperMain: (moduleDir) => ({
            "schema.json": fs.readFileSync(
                path.join(moduleDir, "cmd", "pulumi-resource-kubernetes", "schema.json"),
                "utf8",
            ),
            "terraform-mapping.json": fs.readFileSync(
                path.join(moduleDir, "cmd", "pulumi-resource-kubernetes", "terraform-mapping.json"),
                "utf8",
            ),
            "main.go": [
                "// The kubernetes provider served from the module's own package, with the schema it ships.",
                "package main",
                "",
                "import (",
                '\t_ "embed"',
                "",
                '\t"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"',
                '\t"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"',
                ")",
                "",
                "//go:embed schema.json",
                "var schema []byte",
                "",
                "//go:embed terraform-mapping.json",
                "var mapping []byte",
                "",
                'func main() { provider.Serve("kubernetes", version.Version, schema, mapping) }',
                "",
            ].join("\n"),
        }),
    },
};

export const goRoot = path.resolve(__dirname, "..", "..", ".tools", "go");

/** Where the built `tool` lives; present once `npm run build:clis` has run. */
export function realCliPath(tool: RealCli): string {
    return path.join(goRoot, `${tool}-${builds[tool].version}`, tool);
}

/**
 * Go's caches in .tools/go, beside the binaries; the module cache stays writable so that deleting
 * .tools needs no `go clean -modcache`.
 */
function goEnvironment(flags = ""): NodeJS.ProcessEnv {
    return {
        ...process.env,
        GOFLAGS: `${flags} -modcacherw`.trim(),
        GOCACHE: path.join(goRoot, "cache"),
        GOMODCACHE: path.join(goRoot, "mod"),
    };
}

/**
 * Builds `tool` inside a one-line wrapper module that requires it. `go install module@version`
 * would be shorter, but it first reads the module's version list, which the proxy here refuses.
 */
function build(tool: RealCli): void {
    const { version, module, mainPackage, ldflags, env, alsoRequires, wrapperMain } = builds[tool];
    const target = realCliPath(tool);
    const work = path.join(goRoot, "work", `${tool}-${version}`);
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
    const requires = [`${module} ${version}`, ...(alsoRequires ?? [])].map((r) => `\t${r}\n`).join("");
    fs.writeFileSync(path.join(work, "go.mod"), `module ocm-lab.local/${tool}\n\ngo 1.22\n\nrequire (\n${requires})\n`);
    if (wrapperMain) {
        const moduleDir = path.join(goRoot, "mod", `${module}@${version}`);
        downloadSource(`${module}@${version}`, moduleDir);
        for (const [file, text] of Object.entries(wrapperMain(moduleDir))) {
            fs.writeFileSync(path.join(work, file), text);
        }
    }
    const partial = `${target}.partial`;
    const args = ["build", "-trimpath", "-o", partial, ...(ldflags ? ["-ldflags", ldflags] : []), mainPackage];
    const started = Date.now();
    const result = spawnSync("go", args, {
        cwd: work,
        stdio: "inherit",
        env: { ...goEnvironment("-mod=mod -buildvcs=false"), ...env },
    });
    if (result.error || result.status !== 0) {
        fs.rmSync(partial, { force: true });
        throw new Error(
            `build:clis: could not build ${tool} ${version} from ${module} ` +
                `(${result.error?.message ?? `go exited ${result.status}`}); ` +
                `next: cd ${work} && go build ${mainPackage}`,
        );
    }
    fs.renameSync(partial, target);
    fs.rmSync(work, { recursive: true, force: true });
    console.log(`build:clis: built ${tool} ${version} in ${Math.round((Date.now() - started) / 1000)}s`);
}

const clusteradmModule = `open-cluster-management.io/clusteradm@v${versions.clusteradm}`;
const ocmApiModule = `open-cluster-management.io/api@${versions.ocmApi}`;

/** clusteradm's source at the pinned release, once `npm run build:clis` has fetched it. */
export function clusteradmSourceDir(): string {
    return path.join(goRoot, "mod", clusteradmModule);
}

/** The OCM API module (its CRDs) at the pinned release, once `npm run build:clis` has fetched it. */
export function ocmApiSourceDir(): string {
    return path.join(goRoot, "mod", ocmApiModule);
}

/**
 * The source of a module the real kind or k3d was built from (kind itself, or a dependency k3d's
 * go.mod pins), in the module cache once `npm run build:clis` has built them.
 */
export function builtModuleSourceDir(tool: "kind" | "k3d", module?: string): string {
    const own = builds[tool];
    if (!module) {
        return path.join(goRoot, "mod", `${own.module}@${own.version}`);
    }
    const goMod = fs.readFileSync(path.join(goRoot, "mod", `${own.module}@${own.version}`, "go.mod"), "utf8");
    const pinned = new RegExp(`^\\s*(?:require\\s+)?${module.replace(/[.]/g, "\\.")}\\s+(v\\S+)`, "m").exec(goMod);
    if (!pinned) {
        throw new Error(`${tool} ${own.version}'s go.mod does not require ${module}`);
    }
    return path.join(goRoot, "mod", `${module}@${pinned[1]}`);
}

/** Fetches a module's source into the module cache through the Go module proxy (and its checksum database). */
function downloadSource(module: string, dir: string): void {
    if (fs.existsSync(dir)) {
        return;
    }
    const started = Date.now();
    const result = spawnSync("go", ["mod", "download", module], {
        cwd: goRoot,
        stdio: "inherit",
        env: goEnvironment(),
    });
    if (result.error || result.status !== 0 || !fs.existsSync(dir)) {
        throw new Error(
            `build:clis: could not download the source of ${module} ` +
                `(${result.error?.message ?? `go exited ${result.status}`}); next: go mod download ${module}`,
        );
    }
    console.log(`build:clis: fetched ${module} source in ${Math.round((Date.now() - started) / 1000)}s`);
}

/** Builds `tool` unless this version is already built. */
function ensureBuilt(tool: RealCli): string {
    const target = realCliPath(tool);
    if (fs.existsSync(target)) {
        console.log(
            `build:clis: ${tool} ${builds[tool].version} already built (${path.relative(process.cwd(), target)})`,
        );
        return target;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    build(tool);
    return target;
}

/**
 * `npm run lint`'s workflow check: actionlint (with shellcheck on each `run:` script) over
 * .github/workflows. Exits non-zero with actionlint's findings.
 */
export function lintWorkflows(root = path.resolve(__dirname, "..", "..")): void {
    const actionlint = ensureBuilt("actionlint");
    const result = spawnSync(actionlint, ["-no-color"], { cwd: root, stdio: "inherit" });
    if (result.error || result.status !== 0) {
        throw new Error(
            `lint: actionlint ${versions.actionlint} found problems in .github/workflows (listed above); ` +
                `next: fix them, then npm run lint`,
        );
    }
    console.log(`lint: actionlint ${versions.actionlint}: workflows clean`);
}

export async function main(args: string[] = []): Promise<void> {
    if (args[0] === "lint-workflows") {
        lintWorkflows();
        return;
    }
    for (const tool of Object.keys(builds) as RealCli[]) {
        ensureBuilt(tool);
    }
    downloadSource(clusteradmModule, clusteradmSourceDir());
    downloadSource(ocmApiModule, ocmApiSourceDir());
    // The sources tests/mirrors.test.ts reads beside the binaries: kind's node containerd config, k3d's
    // go.mod and the registries type it decodes into. A build leaves them in the module cache, but
    // binaries kept without that cache (test.yml keeps .tools/go/*-v* only) need them fetched again.
    for (const tool of ["kind", "k3d"] as const) {
        downloadSource(`${builds[tool].module}@${builds[tool].version}`, builtModuleSourceDir(tool));
    }
    const wharfie = builtModuleSourceDir("k3d", "github.com/rancher/wharfie");
    downloadSource(path.relative(path.join(goRoot, "mod"), wharfie), wharfie);
}
