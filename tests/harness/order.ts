/**
 * Order checks that fail when an item is missing. `indexOf` and `findIndex` give -1 for an item that
 * is not there, which compares as "before" everything: `indexOf(a) < indexOf(b)` passes when `a`
 * never happened. These find each item first and fail by name when it is absent.
 */

/** An entry itself (compared with ===), or a test an entry passes. */
export type Item<T> = T | ((entry: T) => boolean);

const describeItem = (item: unknown) =>
    typeof item === "function" ? `an entry passing ${String(item)}` : JSON.stringify(item);

const shown = (sequence: readonly unknown[]) => {
    const text = JSON.stringify(sequence);
    return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
};

/** The place of the first entry that is (or passes) `item`; fails, naming it, when there is none. */
export function placeOf<T>(sequence: readonly T[], item: Item<T>): number {
    const place =
        typeof item === "function"
            ? sequence.findIndex(item as (entry: T) => boolean)
            : sequence.findIndex((entry) => entry === item);
    if (place < 0) {
        throw new Error(`missing: ${describeItem(item)}, in ${shown(sequence)}`);
    }
    return place;
}

/**
 * Fails unless each item is in `sequence` and its first entry comes after the first entry of the item
 * before it; returns their places.
 */
export function expectInOrder<T>(sequence: readonly T[], ...items: Item<T>[]): number[] {
    const places = items.map((item) => placeOf(sequence, item));
    for (let i = 1; i < items.length; i++) {
        if (places[i] <= places[i - 1]) {
            throw new Error(
                `expected ${describeItem(items[i - 1])} (at ${places[i - 1]}) before ${describeItem(items[i])} ` +
                    `(at ${places[i]}) in ${shown(sequence)}`,
            );
        }
    }
    return places;
}

/** `expectInOrder` for parts of one text: each part present, and its first occurrence after the last's. */
export function expectInOrderIn(text: string, ...parts: string[]): number[] {
    const places = parts.map((part) => {
        const place = text.indexOf(part);
        if (place < 0) {
            throw new Error(`missing: ${JSON.stringify(part)}, in:\n${text}`);
        }
        return place;
    });
    for (let i = 1; i < parts.length; i++) {
        if (places[i] <= places[i - 1]) {
            throw new Error(
                `expected ${JSON.stringify(parts[i - 1])} before ${JSON.stringify(parts[i])} (first at ` +
                    `${places[i - 1]} and ${places[i]}) in:\n${text}`,
            );
        }
    }
    return places;
}
