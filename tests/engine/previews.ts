/**
 * docs/preview-kind.txt and docs/preview-k3d.txt: what `npm run preview -- <stack>` with `--diff`
 * shows for a new lab with the stack file as committed, from the real engine (see engineLab.ts for
 * what is real and what stands in), with the run's own paths and times normalized. `npm run graph`
 * refreshes them; tests/engine/previews.test.ts fails when they are stale.
 */
import * as fs from "fs";
import * as path from "path";
import { EngineLab, projectRoot } from "./engineLab";
import { versions } from "../../versions";

export const previewStacks = ["kind", "k3d"] as const;

export const previewFile = (stack: string) => path.join(projectRoot, "docs", `preview-${stack}.txt`);

/** The first line of each file: what produced it. */
export function producedBy(): string {
    return (
        `# npm run preview -- <stack> --diff of a new lab, on the real engine: Pulumi CLI ${versions.pulumiCliForTests}, ` +
        `kubernetes provider ${versions.kubernetesProviderModule} (a January 2026 commit), stand-ins for the ` +
        `command, docker and random providers (tests/engine/plugins). Made by npm run graph.`
    );
}

/**
 * The engine prints resources as their steps come, which differs from run to run among siblings:
 * each resource's block (its header line and the lines under it) is taken out of the tree and the
 * blocks are sorted by URN, which names each one's parent type. Lines before the first block and
 * from `Outputs:` or `Resources:` on stay where they are.
 */
export function sortedByUrn(text: string): string {
    const lines = text.split("\n");
    const header = /^(\s*)(\+|-|~|\+-|-\+|=) \S+: \([\w-]+\)$/;
    const first = lines.findIndex((l) => header.test(l));
    if (first < 0) {
        return text;
    }
    const footer = lines.findIndex((l, i) => i > first && /^(Outputs|Resources):/.test(l));
    const end = footer < 0 ? lines.length : footer;
    const blocks: { urn: string; indent: number; lines: string[] }[] = [];
    for (const line of lines.slice(first, end)) {
        const match = header.exec(line);
        // The stack's outputs (`--outputs:--`) print when the stack's own step ends, among the others.
        const outputs = /^(\s*)--outputs:--$/.exec(line);
        if (match) {
            blocks.push({ urn: "", indent: match[1].length, lines: [] });
        } else if (outputs) {
            blocks.push({ urn: "~outputs", indent: outputs[1].length, lines: [] });
        }
        const block = blocks[blocks.length - 1];
        block.lines.push(line.slice(Math.min(block.indent, line.length - line.trimStart().length)));
        block.urn ||= /\[urn=(\S+)\]/.exec(line)?.[1] ?? "";
    }
    // by code point: a locale collation ignores punctuation and could tie two URNs
    blocks.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    return [...lines.slice(0, first), ...blocks.flatMap((b) => b.lines), ...lines.slice(end)].join("\n");
}

/**
 * The IDs the command provider makes at preview (a resource's name and 8 random hex digits, known to
 * the program then: tests/engine/plugins/command.ts), each as its name and `<id>`.
 */
export function maskedIds(text: string): string {
    const names = new Set([...text.matchAll(/\[urn=urn:pulumi:[^\]]*::([\w-]+)\]/g)].map((m) => m[1]));
    return text.replace(/"([\w-]+?)([0-9a-f]{8})"/g, (whole, name: string) =>
        names.has(name) ? `"${name}<id>"` : whole,
    );
}

/** Paths, durations, temporary names and preview IDs that differ from one run to the next. */
export function normalized(text: string, lab: EngineLab): string {
    return maskedIds(sortedByUrn(text))
        .split(lab.project)
        .join("<project>")
        .split(projectRoot)
        .join("<repo>")
        .replace(/\r/g, "")
        .replace(/Duration: \d+s/g, "Duration: <n>s")
        .replace(/^ +$/gm, "")
        .trimEnd();
}

/** The preview of a new `stack` lab, as the committed file holds it. */
export async function renderPreview(stack: (typeof previewStacks)[number]): Promise<string> {
    const lab = new EngineLab();
    try {
        const preview = await lab.frontDoor("preview", stack, "--diff");
        if (preview.code !== 0) {
            throw new Error(`preview of ${stack} failed:\n${preview.output}`);
        }
        return `${producedBy()}\n${normalized(preview.output, lab)}\n`;
    } finally {
        lab.dispose();
    }
}

export async function main(): Promise<void> {
    for (const stack of previewStacks) {
        fs.writeFileSync(previewFile(stack), await renderPreview(stack));
        console.log(`wrote ${path.relative(projectRoot, previewFile(stack))}`);
    }
}
