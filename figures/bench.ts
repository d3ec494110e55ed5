/**
 * `npm run bench`: from the program's own graph, how many steps must run one after another for
 * 2 and 10 spokes, and a modelled time to ready next to a script that runs the same steps one by one
 * (how the shell labs this project replaces work). Printed and written to docs/bench.md.
 *
 * `npm run bench -- --engine`: the engine tier's figures for 2, 10 and 30 spokes (engineBlock below),
 * kept in that section too.
 *
 * `npm run bench -- --run <record>`: a run record that `npm run up` wrote (cli/runRecord.ts), held
 * against the model for the same stack and number of spokes, written to docs/bench.md's measured
 * section (one block per stack; the model above it is regenerated as usual).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot, runProgram } from "../tests/harness/program";
import { labImages, pullsPerUp, registryOf } from "./images";
import { latencies } from "./latencies";
import { stepKind, summarise } from "./model";
import { availableWaits, maxOverlap, RunRecord } from "../cli/runRecord";
import { versions } from "../versions";

export const benchFile = path.join(projectRoot, "docs", "bench.md");

const measuredHeading = "## Measured";
const noMeasurement = [
    measuredHeading,
    "",
    "No run recorded yet. `npm run up -- <stack>` writes a run record under `.ocm-lab/<stack>/runs/`;",
    "`npm run bench -- --run <record>` compares it with the model and puts it here.",
    "",
].join("\n");

/** The measured section of a bench document (everything from its heading on), or the empty one. */
export function measuredSection(doc: string | undefined): string {
    const at = doc?.indexOf(`\n${measuredHeading}\n`) ?? -1;
    return at >= 0 ? doc!.slice(at + 1) : noMeasurement;
}

const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length % 2
        ? sorted[(sorted.length - 1) / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};

/** The block for one run: measured total and per kind of step next to the model's. */
export async function measuredBlock(record: RunRecord, recordName: string): Promise<string> {
    const spokes = availableWaits(record.steps).map(([spoke]) => spoke);
    const run = await runProgram({ stack: record.stack, config: { spokes: spokes.length > 0 ? spokes : ["spoke1"] } });
    const byName = new Map(run.resources.map((r) => [r.name, r]));
    const model = summarise(run, (r) => latencies[stepKind(r)]?.seconds ?? 0);
    const kinds = new Map<string, number[]>();
    for (const step of record.steps.filter((s) => s.exit === 0)) {
        const registration = byName.get(step.step);
        const kind = registration ? stepKind(registration) : step.step;
        kinds.set(kind, [...(kinds.get(kind) ?? []), (step.end - step.start) / 1000]);
    }
    const minutes = (s: number) => `${(s / 60).toFixed(1)} min`;
    return [
        `### ${record.stack}`,
        "",
        `From \`${recordName}\` (\`npm run ${record.command}\`, ${new Date(record.started).toISOString()}): ` +
            `${spokes.length} spoke(s), ${record.steps.length} step(s) ran, ` +
            `${record.steps.filter((s) => s.exit !== 0).length} failed. ` +
            `Measured ${minutes((record.ended - record.started) / 1000)} from start to end; the model says ${minutes(model.parallelSeconds)} for a first up.`,
        "",
        "| step | runs | measured (median s) | assumed (s) |",
        "|---|---|---|---|",
        ...[...kinds]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(
                ([kind, values]) =>
                    `| ${kind} | ${values.length} | ${median(values).toFixed(1)} | ${latencies[kind]?.seconds ?? "-"} |`,
            ),
        "",
    ].join("\n");
}

/** The measured section with `block` in place of its stack's previous block (other stacks kept). */
export function withMeasuredBlock(section: string, stack: string, block: string): string {
    const blocks = new Map<string, string>();
    for (const part of section.split(/\n(?=### )/).slice(1)) {
        blocks.set(part.slice(4, part.indexOf("\n")), part.trimEnd() + "\n");
    }
    blocks.set(stack, block.trimEnd() + "\n");
    return [
        measuredHeading,
        "",
        "Runs measured by the steps themselves (scripts/lib.sh): real labs written here by",
        "`npm run bench -- --run <record>` (the newest record per stack), and the engine tier's",
        "figures against the fakes by `npm run bench -- --engine`.",
        "",
        ...[...blocks.keys()].sort().map((k) => blocks.get(k)!),
    ].join("\n");
}

export async function renderBench(measured = measuredSection(readBench())): Promise<string> {
    const rows: string[] = [];
    for (const stack of ["kind", "k3d"]) {
        for (const count of [2, 10]) {
            const spokes = Array.from({ length: count }, (_, i) => `spoke${i + 1}`);
            const run = await runProgram({ stack, config: { spokes } });
            const summary = summarise(run, (r) => {
                const latency = latencies[stepKind(r)];
                if (!latency) {
                    throw new Error(`figures/latencies.ts has no latency for step kind ${stepKind(r)} (${r.name})`);
                }
                return latency.seconds;
            });
            const minutes = (s: number) => `${(s / 60).toFixed(1)} min`;
            rows.push(
                `| ${stack} | ${count} | ${summary.steps} | ${summary.criticalSteps} | ${minutes(summary.parallelSeconds)} | ` +
                    `${minutes(summary.sequentialSeconds)} | ${(summary.sequentialSeconds / summary.parallelSeconds).toFixed(1)}× |`,
            );
        }
    }
    return [
        "# Critical path and modelled time to ready",
        "",
        "Generated by `npm run bench`; do not edit. Step counts come from the program's dependency",
        "graph (every resource but providers is a step). Times are a model: each step gets the",
        "assumed latency below, the lab's time is its slowest chain, the script's is the sum of all",
        "steps. The model assumes steps that run together do not slow each other down; on a laptop",
        "they contend for CPU and disk, so the real gain is smaller than the ratio shown.",
        "",
        "| stack | spokes | steps | steps on the critical path | lab (parallel) | script (one by one) | ratio |",
        "|---|---|---|---|---|---|---|",
        ...rows,
        "",
        "Assumed latency per step (not measured: no cluster can run on the machines that build this project):",
        "",
        "| step | seconds | source |",
        "|---|---|---|",
        ...Object.entries(latencies).map(([step, l]) => `| ${step} | ${l.seconds} | ${l.source} |`),
        "",
        ...renderPulls(),
        measured,
    ].join("\n");
}

/** Image pulls that cross the internet per `up`, with and without the image cache (figures/images.ts). */
function renderPulls(): string[] {
    const rows: string[] = [];
    for (const stack of ["kind", "k3d"] as const) {
        for (const count of [2, 10]) {
            const p = pullsPerUp(stack, count);
            rows.push(
                `| ${stack} | ${count} | ${p.uncached} | ${p.cachedFirstAtLeast} to ${p.cachedFirstAtMost} | ${p.cachedAgain} |`,
            );
        }
    }
    return [
        "## Images pulled from the internet per `up`",
        "",
        "Counted from the images the lab deploys at its pinned versions (listed below with where each",
        "is read from), for the default lab (Argo CD add-on, guestbook and smoke work on). Without the",
        "image cache every cluster pulls its own images, on every `up` after a `destroy`. With it",
        "(`imageCache`, on by default) each cluster pulls through the lab's mirrors, whose volumes",
        "outlive `destroy` and serve every lab on the machine:",
        "",
        "| stack | spokes | no cache (every up) | cache: first up on the machine | cache: every later up |",
        "|---|---|---|---|---|",
        ...rows,
        "",
        "- A later `up` takes every layer from the cache; the mirror still asks the registry which",
        "  digest a tag names (a small manifest request), so a moved tag is noticed.",
        "- The first `up` on a machine pulls each distinct image once when clusters ask for it one after",
        "  another. Clusters that ask for the same layer at the same moment each get it from the",
        "  registry: the pinned mirror stores a layer from the first request and sends later ones",
        "  straight to the registry while it is still fetching it (distribution v3.0.0,",
        "  registry/proxy/proxyblobstore.go `ServeBlob`). Spokes join at the same time, so the first",
        "  figure lies between the two numbers shown.",
        "- tests/registryMirror.test.ts shows the reuse on a real Docker engine: a second mirror on the",
        "  same volume serves an image's layers without asking the registry for them.",
        "",
        "| image | registry | runs on | with | read from |",
        "|---|---|---|---|---|",
        ...labImages.map(
            (i) =>
                `| \`${i.image}\` | ${registryOf(i.image)} | ${i.runsOn}${i.runtime ? ` (${i.runtime})` : ""} | ${i.when ?? "always"} | ${i.source} |`,
        ),
        "",
    ];
}

function readBench(): string | undefined {
    return fs.existsSync(benchFile) ? fs.readFileSync(benchFile, "utf8") : undefined;
}

/**
 * `npm run bench -- --engine`: the engine tier's figures (tests/engine): preview and up of a new kind
 * lab at 2, 10 and 30 spokes through the front door on the real Pulumi engine against the fake CLIs,
 * with Argo CD, the smoke work and the image cache off. They measure the engine and the lab's own
 * overhead and how many steps run at once, not clusters: a fake cluster is made in milliseconds.
 */
export async function engineBlock(counts = [2, 10, 30]): Promise<string> {
    const { EngineLab } = await import("../tests/engine/engineLab");
    const rows: string[] = [];
    for (const count of counts) {
        const lab = new EngineLab();
        try {
            const spokes = Array.from({ length: count }, (_, i) => `spoke${i + 1}`);
            lab.configure("kind", { argocd: { enabled: false }, smokeWork: false, imageCache: false, spokes });
            const timed = async (command: string) => {
                const started = Date.now();
                const result = await lab.frontDoor(command, "kind");
                if (result.code !== 0) {
                    throw new Error(`bench: ${command} of ${count} spokes failed:\n${result.output}`);
                }
                return (Date.now() - started) / 1000;
            };
            const previewSeconds = await timed("preview");
            const upSeconds = await timed("up");
            const runs = path.join(lab.project, ".ocm-lab", "kind", "runs");
            const record = JSON.parse(fs.readFileSync(path.join(runs, fs.readdirSync(runs)[0]), "utf8")) as RunRecord;
            rows.push(
                `| ${count} | ${previewSeconds.toFixed(1)} s | ${upSeconds.toFixed(1)} s | ${record.steps.length} | ` +
                    `${maxOverlap(record.steps)} | ${record.maxConcurrentOperations ?? "?"} |`,
            );
        } finally {
            lab.dispose(["kind"]);
        }
    }
    return [
        `### engine-tier`,
        "",
        `The real Pulumi engine (CLI ${versions.pulumiCliForTests}, kubernetes provider ${versions.kubernetesProviderModule},`,
        "stand-ins for command, docker and random) running a new kind lab through `npm run preview|up`",
        "against the fake CLIs (tests/engine), with Argo CD, the smoke work and the image cache off;",
        `measured by \`npm run bench -- --engine\` on ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores.`,
        "Wall times include starting Node, the CLI and the plugins; a fake cluster is made in well under",
        "a second, so these show the engine's overhead and its parallelism, not a real lab's time.",
        "",
        "| spokes | preview | up | steps run | most steps at once | most engine operations at once |",
        "|---|---|---|---|---|---|",
        ...rows,
        "",
    ].join("\n");
}

export async function main(args: string[] = []): Promise<void> {
    let measured = measuredSection(readBench());
    if (args[0] === "--engine") {
        measured = withMeasuredBlock(measured, "engine-tier", await engineBlock());
    }
    if (args[0] === "--run") {
        if (!args[1] || !fs.existsSync(args[1])) {
            throw new Error(
                `bench: no run record at ${args[1] ?? "(none given)"}; next: ls .ocm-lab/*/runs/ and npm run bench -- --run <that file>`,
            );
        }
        const record = JSON.parse(fs.readFileSync(args[1], "utf8")) as RunRecord;
        measured = withMeasuredBlock(measured, record.stack, await measuredBlock(record, path.basename(args[1])));
    }
    const text = await renderBench(measured);
    fs.writeFileSync(benchFile, text);
    console.log(text);
    console.log(`wrote ${path.relative(projectRoot, benchFile)}`);
}
