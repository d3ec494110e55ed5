/** What every group of settings shares: how a value is shown in a message, decoded and matched to a typo. */
import type { RawLabConfig } from ".";

export const show = (value: unknown) => JSON.stringify(value);

/** JSON text becomes its value; anything else (not JSON, or not text) stays as it is, to be reported. */
export function decodeJson(value: unknown): unknown {
    if (typeof value !== "string") {
        return value;
    }
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/** The candidate closest to `key` by edit distance (ignoring case): what a typo most likely meant. */
export function nearestOf(key: string, candidates: readonly string[]): string {
    const distance = (a: string, b: string) => {
        const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
        for (let i = 1; i <= a.length; i++) {
            let diagonal = previous[0];
            previous[0] = i;
            for (let j = 1; j <= b.length; j++) {
                const above = previous[j];
                previous[j] = Math.min(above + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return previous[b.length];
    };
    const lower = key.toLowerCase();
    return candidates.reduce((best, c) =>
        distance(lower, c.toLowerCase()) < distance(lower, best.toLowerCase()) ? c : best,
    );
}

/** A true/false option: its value, or its default with a problem noted when it is anything else. */
export function parseSwitch(
    raw: RawLabConfig,
    key: "smokeWork" | "imageCache" | "hubSelfManaged",
    fallback: boolean,
    problems: string[],
): boolean {
    const value = raw[key] ?? fallback;
    if (typeof value !== "boolean") {
        problems.push(
            `ocm-lab:${key} is ${show(value)}; it must be true or false. ` +
                `Example: pulumi config set ocm-lab:${key} false`,
        );
        return fallback;
    }
    return value;
}
