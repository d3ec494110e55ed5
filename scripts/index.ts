/**
 * Loads a step script as the exact text a `command.local.Command` runs. Steps source lib.sh from
 * their folder when run alone; here that line is replaced by lib.sh itself, so the stored command
 * is self-contained and a change to either file shows in the preview diff.
 */
import * as fs from "fs";
import * as path from "path";

/** bash, not sh: the steps use arrays and `pipefail`. Kept to bash 3.2 features for macOS. */
export const stepInterpreter = ["/bin/bash", "-c"];

const sourceLibLine = /^\. "\$\(dirname "\$\{BASH_SOURCE\[0\]\}"\)\/(\.\.\/)?lib\.sh"$/m;
const lib = fs.readFileSync(path.join(__dirname, "lib.sh"), "utf8").trimEnd();

// Every spoke registers the same steps (join.sh is also its token's trigger): read each file once.
const loaded = new Map<string, string>();

/** `relativePath` is below scripts/, e.g. "join.sh" or "kind/create-cluster.sh". */
export function stepScript(relativePath: string): string {
    const cached = loaded.get(relativePath);
    if (cached !== undefined) {
        return cached;
    }
    const text = fs.readFileSync(path.join(__dirname, relativePath), "utf8");
    if (!sourceLibLine.test(text)) {
        throw new Error(`scripts/${relativePath} does not source lib.sh the way every step must`);
    }
    const script = text.replace(sourceLibLine, () => lib);
    loaded.set(relativePath, script);
    return script;
}
