/** The promises the repository makes about itself: one source for versions, steps built alike. */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { configDefaults } from "../config";
import { stepCommand } from "../scripts";
import { versions } from "../versions";
import { projectRoot } from "./harness/program";
import { labStateDir } from "../cli/lab";

const scriptsDir = path.join(projectRoot, "scripts");
const stepFiles = ["", "kind", "k3d"].flatMap((dir) =>
    fs
        .readdirSync(path.join(scriptsDir, dir))
        .filter((f) => f.endsWith(".sh") && f !== "lib.sh")
        .map((f) => path.join(dir, f)),
);

describe("the project", () => {
    it("declares in Pulumi.yaml the same defaults the program applies", () => {
        const project = yaml.load(fs.readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8")) as any;
        const defaults = Object.fromEntries(
            Object.entries(project.config)
                .filter(([, v]: [string, any]) => "default" in v)
                .map(([k, v]: [string, any]) => [k, v.default]),
        );
        expect(defaults).toEqual({
            hubName: configDefaults.hubName,
            spokes: configDefaults.spokes,
            kindNodeImage: versions.kindNodeImage,
            k3dNodeImage: versions.k3dNodeImage,
            clusteradmBundleVersion: versions.ocmBundle,
            resourceQosClass: configDefaults.resourceQosClass,
            timeoutSeconds: configDefaults.timeoutSeconds,
            smokeWork: configDefaults.smokeWork,
            imageCache: configDefaults.imageCache,
            hubSelfManaged: configDefaults.hubSelfManaged,
            klusterletMode: configDefaults.klusterletMode,
            registration: configDefaults.registration,
        });
        expect(project.name).toBe("ocm-lab");
        // `pulumi up -s kind` typed in the project folder uses the state the front door keeps
        expect(project.backend).toEqual({ url: `file://${labStateDir}` });
    });

    it("sets the runtime in each stack file", () => {
        for (const stack of ["kind", "k3d", "existing"]) {
            const file = yaml.load(fs.readFileSync(path.join(projectRoot, `Pulumi.${stack}.yaml`), "utf8")) as any;
            expect(file.config["ocm-lab:runtime"]).toBe(stack);
        }
    });

    it.each(stepFiles)("step %s is strict, says what it does and reads, and sources lib.sh", (file) => {
        const lines = fs.readFileSync(path.join(scriptsDir, file), "utf8").split("\n");
        expect(lines[0]).toBe("#!/usr/bin/env bash");
        expect(lines[1]).toBe("set -euo pipefail");
        expect(lines[2]).toMatch(/^# \S/);
        expect(lines.slice(2, 6).join("\n")).toMatch(/Reads [A-Z_]+/);
        expect(stepCommand(file)).toBe(`scripts/${file}`);
    });

    it.each(stepFiles)("step %s expands no array that may be empty the way bash 3.2 (macOS) refuses", (file) => {
        // Under `set -u`, bash before 4.4 calls "${a[@]}" of an empty array unbound and stops. An array
        // that starts out empty (a=()) must be expanded as ${a[@]+"${a[@]}"}.
        const text = fs.readFileSync(path.join(scriptsDir, file), "utf8");
        const mayBeEmpty = [...text.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=\(\)/gm)].map((m) => m[1]);
        const bare = mayBeEmpty.filter((name) =>
            text.replace(/\$\{\w+\[@\]\+"\$\{\w+\[@\]\}"\}/g, "").includes(`"\${${name}[@]}"`),
        );
        expect(bare).toEqual([]);
    });

    it("keeps its layers pointing one way: runtimes/ and scripts/ never import from components/", () => {
        const importsOf = (dir: string) =>
            fs
                .readdirSync(path.join(projectRoot, dir))
                .filter((f) => f.endsWith(".ts"))
                .flatMap((f) =>
                    [...fs.readFileSync(path.join(projectRoot, dir, f), "utf8").matchAll(/from "([^"]+)"/g)].map(
                        (m) => `${dir}/${f}: ${m[1]}`,
                    ),
                );
        const upward = [...importsOf("runtimes"), ...importsOf("scripts")].filter((i) => /components/.test(i));
        expect(upward).toEqual([]);
        // the check sees imports at all
        expect(importsOf("runtimes").some((i) => i.endsWith("../scripts/step"))).toBe(true);
    });

    describe("rooms by role", () => {
        // Each top-level room and what it is for: the program a Pulumi engine runs, the front door a
        // user types, the generators of docs/, and what only tests and lint need.
        const programRooms = ["index.ts", "versions.ts", "config", "components", "runtimes", "scripts"];
        const roomOf = (file: string) => {
            const [top] = path.relative(projectRoot, file).split(path.sep);
            return programRooms.includes(top) || programRooms.includes(`${top}.ts`) ? "program" : top;
        };
        const sourcesIn = (entry: string): string[] => {
            const full = path.join(projectRoot, entry);
            if (!fs.statSync(full).isDirectory()) {
                return /\.(ts|js)$/.test(entry) ? [full] : [];
            }
            return fs.readdirSync(full).flatMap((f) => sourcesIn(path.join(entry, f)));
        };
        /** Every project file each source imports or requires, as "from → to" with both rooms. */
        const crossings = (entries: string[]) =>
            entries.flatMap(sourcesIn).flatMap((file) =>
                [...fs.readFileSync(file, "utf8").matchAll(/(?:from |require\()"(\.{1,2}\/[^"]*)"/g)].map((m) => {
                    const target = path.resolve(path.dirname(file), m[1]);
                    return {
                        line: `${path.relative(projectRoot, file)} → ${path.relative(projectRoot, target)}`,
                        from: roomOf(file),
                        to: roomOf(target),
                    };
                }),
            );

        it("the program imports nothing of the front door, the figure generators or the tests", () => {
            const found = crossings(programRooms);
            expect(found.filter((c) => c.to !== "program").map((c) => c.line)).toEqual([]);
            expect(found.some((c) => c.line === "index.ts → config")).toBe(true); // it sees the program's imports
        });

        it("the front door imports the program only: neither the figure generators nor the tests", () => {
            const found = crossings(["cli"]);
            expect(found.filter((c) => !["program", "cli"].includes(c.to)).map((c) => c.line)).toEqual([]);
            expect(found.some((c) => c.line === "cli/lab.ts → config")).toBe(true);
        });

        it("the figure generators reach into the tests only for the program under mocks", () => {
            const found = crossings(["figures"]).filter((c) => c.to === "tests");
            expect(found.map((c) => c.line).filter((l) => !l.endsWith("→ tests/harness/program"))).toEqual([]);
            expect(found.length).toBeGreaterThan(0);
        });

        it("has no room that is not one of the four, and each says what it is for", () => {
            const tracked = fs
                .readdirSync(projectRoot, { withFileTypes: true })
                .filter((d) => d.isDirectory() && !d.name.startsWith(".") && d.name !== "node_modules")
                .map((d) => d.name)
                .sort();
            expect(tracked).toEqual(["cli", "components", "config", "docs", "figures", "runtimes", "scripts", "tests"]);
            for (const room of ["cli", "figures", "tests"]) {
                expect(fs.readFileSync(path.join(projectRoot, room, "README.md"), "utf8")).toMatch(/^# \S+: \S/);
            }
            for (const room of ["config", "components", "runtimes", "scripts"]) {
                expect(fs.readFileSync(path.join(projectRoot, room, "index.ts"), "utf8")).toMatch(
                    /^\/\*\*\s*\n?\s*\*?\s*\S/,
                );
            }
        });
    });

    it("never pipes a downloaded script into a shell, anywhere a user or CI would run it", () => {
        const files = [
            "README.md",
            "cli/installTools.ts",
            "cli/lab.ts",
            ".ci/run",
            ...stepFiles.map((f) => `scripts/${f}`),
        ];
        const workflows = fs
            .readdirSync(path.join(projectRoot, ".github", "workflows"))
            .map((f) => `.github/workflows/${f}`);
        const piped = [...files, ...workflows].filter((f) =>
            /\|\s*(sudo\s+)?(ba)?sh\b|install\.sh/.test(fs.readFileSync(path.join(projectRoot, f), "utf8")),
        );
        expect(piped).toEqual([]);
    });

    it("runs exactly the README's test command in CI", () => {
        const readme = fs.readFileSync(path.join(projectRoot, "README.md"), "utf8");
        const ci = fs.readFileSync(path.join(projectRoot, ".ci", "run"), "utf8");
        expect(readme).toContain("npm test");
        expect(ci.trim().split("\n").pop()).toBe("npm test");
    });
});
