/**
 * The program's steps: one shell script per step, each sourcing lib.sh.
 *
 * How a step script reaches a `command.local.Command`: as its path, run from the project folder
 * (the Pulumi engine starts providers there: pkg/engine/project.go getPwdMain, and
 * sdk/go/common/resource/plugin/plugin.go sets the plugin's Dir to it), plus a digest of what the
 * script does. The command text is then the same from one version of a script to the next, so only
 * the digest decides whether a step runs again: a comment, a log line or a failure message can be
 * reworded without re-running the lab, and a provider error quotes a short path, not a whole script.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** bash, not sh: the steps use arrays and `pipefail`. Kept to bash 3.2 features for macOS. */
export const stepInterpreter = ["/bin/bash"];

/** Where the scripts are, relative to the project folder that the provider runs commands in. */
export const scriptsFolder = "scripts";

/** `. "${BASH_SOURCE[0]%/*}/lib.sh"` (or `../lib.sh`): no external command, so it works on any PATH. */
const sourceLibLine = /^\. "\$\{BASH_SOURCE\[0\]%\/\*\}\/(\.\.\/)?lib\.sh"$/m;

function read(relativePath: string): string {
    return fs.readFileSync(path.join(__dirname, relativePath), "utf8");
}

/**
 * The command text for scripts/<relativePath> (e.g. "join.sh", "kind/create-cluster.sh"), checked to
 * exist and to source lib.sh the way every step must, so a broken layout fails at preview.
 */
export function stepCommand(relativePath: string): string {
    if (!sourceLibLine.test(read(relativePath))) {
        throw new Error(`scripts/${relativePath} does not source lib.sh the way every step must`);
    }
    return `${scriptsFolder}/${relativePath}`;
}

/** A heredoc's opening line: `<<WORD`, `<<-WORD`, `<<'WORD'` or `<<"WORD"`; its body is kept as is. */
const heredocStart = /<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/;
/** A statement that only speaks: `log …` or `fail …` (fail's exit stays; its words do not count). */
const messageStart = /^(log|fail)(\s|$)/;

/**
 * What of a script can change what a step does: comments, blank lines, indentation and the words of
 * `log` and `fail` statements (continuation lines included) are dropped. Exported for its tests.
 */
export function effectText(script: string): string {
    const kept: string[] = [];
    let heredocEnd: string | undefined;
    let inMessage = false;
    let continued = false; // the line before ended in a backslash: this one is part of its command
    for (const raw of script.split("\n")) {
        if (heredocEnd !== undefined) {
            kept.push(raw);
            if (raw.trim() === heredocEnd) {
                heredocEnd = undefined;
            }
            continue;
        }
        const line = raw.trim();
        if (inMessage) {
            inMessage = line.endsWith("\\");
            continue;
        }
        if (!continued && (line === "" || line.startsWith("#"))) {
            continue;
        }
        continued = line.endsWith("\\");
        const message = messageStart.exec(line);
        if (message) {
            kept.push(message[1]);
            inMessage = continued;
            continued = false;
            continue;
        }
        kept.push(line);
        heredocEnd = heredocStart.exec(line)?.[1];
    }
    return kept.join("\n");
}

const digests = new Map<string, string>();

/** A short digest of what scripts/<relativePath> and lib.sh do; it changes only when that does. */
export function stepDigest(relativePath: string): string {
    let digest = digests.get(relativePath);
    if (digest === undefined) {
        const hash = createHash("sha256");
        hash.update(effectText(read(relativePath)));
        hash.update("\0");
        hash.update(effectText(read("lib.sh")));
        digest = hash.digest("hex").slice(0, 16);
        digests.set(relativePath, digest);
    }
    return digest;
}
