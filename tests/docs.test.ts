/**
 * The committed figures pull requests are reviewed by must match the program: a change to the
 * graph shows up as a diff in docs/, or this fails with the command that refreshes them. And the
 * pages themselves (README and docs/) must be true: their links, commands, files and keys.
 */
import * as fs from "fs";
import * as path from "path";
import { commands, parseOptions, stacks as labStacks } from "../cli/lab";
import { argocdDefaults, configKeys, parseLabConfig, RawLabConfig } from "../config";
import { benchFile, renderBench } from "../figures/bench";
import { graphFile, renderGraphDoc, stacks } from "../figures/graph";
import { latencies } from "../figures/latencies";
import { stepKind, summarise } from "../figures/model";
import { projectRoot, runProgram } from "./harness/program";

describe("committed figures", () => {
    it.each(stacks)("docs/graph-%s.md is current (npm run graph refreshes it)", async (stack) => {
        expect(fs.readFileSync(graphFile(stack), "utf8")).toBe(await renderGraphDoc(stack));
    });

    it("docs/bench.md is current (npm run bench refreshes it)", async () => {
        expect(fs.readFileSync(benchFile, "utf8")).toBe(await renderBench());
    });
});

describe("the graph figure", () => {
    it("shows the handshake's edges and leaves out edges implied by longer paths", async () => {
        const doc = await renderGraphDoc("kind");
        expect(doc).toContain("hub_init_Command --> spoke1_join_Command");
        expect(doc).toContain("spoke1_join_Command --> spoke1_accept_Command");
        expect(doc).toContain("spoke1_cluster_Command --> spoke1_kubeconfig_Command");
        // join waits for its cluster only through the kubeconfig it reads: no direct arrow
        expect(doc).not.toContain("spoke1_cluster_Command --> spoke1_join_Command");
        expect(doc).not.toMatch(/provider/);
    });
});

describe("the bench model", () => {
    const summary = async (stack: string, count: number) => {
        const spokes = Array.from({ length: count }, (_, i) => `spoke${i + 1}`);
        const run = await runProgram({ stack, config: { spokes } });
        return summarise(run, (r) => latencies[stepKind(r)].seconds);
    };

    it.each(stacks)(
        "%s: 10 spokes take as many sequential steps and as long as 2; a script grows with them",
        async (stack) => {
            const two = await summary(stack, 2);
            const ten = await summary(stack, 10);
            expect(ten.steps).toBeGreaterThan(two.steps);
            expect(ten.criticalSteps).toBe(two.criticalSteps);
            expect(ten.parallelSeconds).toBe(two.parallelSeconds);
            expect(ten.sequentialSeconds).toBeGreaterThan((3 * two.sequentialSeconds) / 2);
            expect(two.parallelSeconds).toBeLessThan(two.sequentialSeconds);
        },
    );

    it("has a stated latency and source for every kind of step the program makes", async () => {
        const run = await runProgram({ stack: "k3d" });
        for (const r of run.resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
            expect(latencies[stepKind(r)]).toEqual({
                seconds: expect.any(Number),
                source: expect.stringMatching(/\S/),
            });
        }
    });
});

/**
 * README is the front page and docs/ holds the rest; each room's README says what it is for. Every
 * link, command, file and config key these pages give must be true, or a reader who follows one
 * lands nowhere.
 */
describe("the pages a reader follows", () => {
    const pages = [
        "README.md",
        "cli/README.md",
        "figures/README.md",
        "tests/README.md",
        ...fs
            .readdirSync(path.join(projectRoot, "docs"))
            .filter((f) => f.endsWith(".md"))
            .map((f) => `docs/${f}`),
    ];
    const read = (page: string) => fs.readFileSync(path.join(projectRoot, page), "utf8");
    /** The text outside fenced code blocks, where links and headings are markdown. */
    const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, "");
    /** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
    const slug = (heading: string) =>
        heading
            .toLowerCase()
            .replace(/[^\p{L}\p{N} _-]/gu, "")
            .replace(/ /g, "-");
    const anchorsOf = (page: string) =>
        [...prose(read(page)).matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1].trim()));
    const linksOf = (page: string) =>
        [...prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)]
            .map((m) => m[1])
            .filter((target) => !/^[a-z]+:/.test(target));

    it.each(pages)("%s: every link reaches a file, and every anchor a heading in it", (page) => {
        const broken = linksOf(page).filter((target) => {
            const [file, anchor] = target.split("#");
            const resolved = file === "" ? page : path.join(path.dirname(page), file);
            if (!fs.existsSync(path.join(projectRoot, resolved))) {
                return true;
            }
            return anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(resolved).includes(anchor);
        });
        expect(broken).toEqual([]);
    });

    it("README links every page under docs/", () => {
        const linked = linksOf("README.md").map((t) => t.split("#")[0]);
        const docs = fs.readdirSync(path.join(projectRoot, "docs")).map((f) => `docs/${f}`);
        expect(docs.filter((d) => !linked.includes(d))).toEqual([]);
    });

    it("README is a front page: the two commands, and no longer than about 150 lines", () => {
        const readme = read("README.md");
        expect(readme).toContain("npm run up -- kind");
        expect(readme).toContain("npm ci && npm test");
        expect(readme.split("\n").length).toBeLessThanOrEqual(160);
    });

    it.each(pages)("%s: every npm command names a script, and the front door takes its stack and options", (page) => {
        const text = read(page).replace(/\\\|/g, "/"); // <kind\|k3d> in a table cell
        const scripts = Object.keys(JSON.parse(read("package.json")).scripts);
        const problems: string[] = [];
        for (const [, script] of text.matchAll(/npm run ([\w:-]+)/g)) {
            if (!scripts.includes(script)) {
                problems.push(`npm run ${script}: no such script`);
            }
        }
        // `npm run up -- kind --replace spoke1-cluster`, up to the end of its code span, table cell or line
        for (const [call, command, rest] of text.matchAll(/npm run (\w+) -- ([^`|\n#]*)/g)) {
            if (!commands.includes(command)) {
                continue; // pulumi, bench: their arguments are their own
            }
            const [stack, ...options] = rest
                .replace(/[[\]]/g, "")
                .split(/\s+/)
                .filter((w) => w !== "" && !w.startsWith("#"));
            const placeholder = (w: string) => /^<.*>$|^"?\$/.test(w);
            if (stack === undefined || (!labStacks.includes(stack) && !placeholder(stack))) {
                problems.push(`${call.trim()}: no stack ${stack}`);
            }
            const { unknown } = parseOptions(
                command,
                options.map((w) => (placeholder(w) ? "a-name" : w)),
            );
            if (unknown.length > 0) {
                problems.push(`${call.trim()}: the front door refuses ${unknown.join(" ")}`);
            }
        }
        expect(problems).toEqual([]);
    });

    it.each(pages)("%s: every project file it names exists", (page) => {
        const named = [
            ...read(page).matchAll(
                /(?<![\w/.-])((?:\.github|\.ci|cli|figures|config|components|runtimes|scripts|tests|docs)\/[\w./-]*\.(?:ts|js|sh|md|txt|yml|yaml|json)|(?:index|versions)\.ts|Pulumi(?:\.\w+)?\.yaml|package\.json)(?![\w/-])/g,
            ),
        ].map((m) => m[1]);
        expect(named.filter((file) => !fs.existsSync(path.join(projectRoot, file)))).toEqual([]);
    });

    it("every ocm-lab: key the pages name is one the lab reads; the typos they show are refused", () => {
        const named = new Set(
            pages.flatMap((page) =>
                [...read(page).matchAll(/ocm-lab:([A-Za-z][\w.[\]]*)(:\w)?/g)]
                    .filter((m) => m[2] === undefined) // not a type token such as ocm-lab:index:HubCluster
                    .map((m) => m[1].replace(/\.$/, "")),
            ),
        );
        const known = (key: string) => {
            const [top, sub] = key.split(/[.[]/);
            if (!(configKeys as readonly string[]).includes(top)) {
                return false;
            }
            return top !== "argocd" || sub === undefined || sub in argocdDefaults;
        };
        const unknown = [...named].filter((key) => !known(key));
        // configuration.md shows two typos the lab stops on, naming the key that was meant
        expect(unknown.sort()).toEqual(["argocd.enabeld", "spoke"]);
        expect(() => parseLabConfig({ runtime: "kind", spoke: "x" } as RawLabConfig)).toThrow(
            /ocm-lab:spoke is not a setting of this lab; did you mean ocm-lab:spokes\?/,
        );
        expect(() => parseLabConfig({ runtime: "kind", argocd: { enabeld: false } })).toThrow(
            /ocm-lab:argocd.enabeld is not a setting; did you mean ocm-lab:argocd.enabled\?/,
        );
        expect(named.size).toBeGreaterThan(10); // the check sees the keys at all
    });
});
