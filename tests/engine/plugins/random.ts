/**
 * Stand-in for the random provider (`pulumi-resource-random`), test infrastructure only: the Go module
 * proxy refuses pulumi-random, so the engine tier cannot build the real one.
 *
 * Emulates `random:index/randomPassword:RandomPassword` of pulumi-random, which bridges
 * terraform-provider-random's `random_password`. Read at terraform-provider-random v3.9.0, which
 * pulumi-random v4.21.1 pins (provider/go.mod); the 4.21.2 the lab installs was not found as a tag
 * to read, and its SDK has the same inputs. In internal/provider/resource_password.go:
 * - every input replaces: `length`, the character-set switches and minimums (580-706), `keepers`
 *   (a map of strings, 570-578) and `overrideSpecial` (708-720);
 * - `result` and `bcryptHash` are secret (722-740);
 * - defaults: every character set on, minimums 0, special characters `!@#$%&*()-_=+[]{}<>:?`
 *   (internal/random/string.go:30), which a non-empty `overrideSpecial` replaces (33-35).
 *
 * Left out: a `keepers` change that only adds keys with null values, and an `overrideSpecial` going
 * from "" to unset, which upstream does not count as replacing (planmodifiers/map and /string); the
 * minimums, including `minSpecial` drawing special characters when `special` is off (string.go:
 * 55-70: the lab asks for none); a real bcrypt hash; RandomString, RandomId and the other resources,
 * and import.
 */
import { randomBytes, randomInt } from "crypto";
import * as provider from "@pulumi/pulumi/provider";
import { reveal, secret } from "./wire";

const replacingInputs = [
    "length",
    "keepers",
    "lower",
    "upper",
    "numeric",
    "number",
    "special",
    "minLower",
    "minUpper",
    "minNumeric",
    "minSpecial",
    "overrideSpecial",
];

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

interface PasswordInputs {
    length: number;
    lower?: boolean;
    upper?: boolean;
    numeric?: boolean;
    number?: boolean;
    special?: boolean;
    overrideSpecial?: string;
}

export class RandomProvider implements provider.Provider {
    readonly version = "4.21.2";

    async check(_urn: string, _olds: any, news: any): Promise<provider.CheckResult> {
        const length = reveal(news).length;
        if (typeof length !== "number" || length < 1) {
            return { inputs: news, failures: [{ property: "length", reason: "length must be at least 1" }] };
        }
        return { inputs: news };
    }

    async diff(_id: string, _urn: string, olds: any, news: any): Promise<provider.DiffResult> {
        const changed = replacingInputs.filter((key) => !same(reveal(olds[key]), reveal(news[key])));
        return { changes: changed.length > 0, replaces: changed };
    }

    async create(urn: string, inputs: any): Promise<provider.CreateResult> {
        const plain: PasswordInputs = reveal(inputs);
        const alphabet = [
            (plain.lower ?? true) ? "abcdefghijklmnopqrstuvwxyz" : "",
            (plain.upper ?? true) ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "",
            (plain.numeric ?? plain.number ?? true) ? "0123456789" : "",
            (plain.special ?? true) ? plain.overrideSpecial || "!@#$%&*()-_=+[]{}<>:?" : "",
        ].join("");
        const result = Array.from({ length: plain.length }, () => alphabet[randomInt(alphabet.length)]).join("");
        return {
            id: "none", // upstream's id for a password
            outs: {
                ...inputs,
                result: secret(result),
                // Not a bcrypt hash: nothing in the lab reads it; kept secret as upstream's is.
                bcryptHash: secret(`stand-in:${randomBytes(8).toString("hex")}`),
            },
        };
    }
}

export async function main(args: string[]): Promise<void> {
    await provider.main(new RandomProvider(), args);
}
