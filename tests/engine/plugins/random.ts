/**
 * Stand-in for the random provider (`pulumi-resource-random`), test infrastructure only: the Go module
 * proxy refuses pulumi-random, so the engine tier cannot build the real one.
 *
 * Emulates `random:index/randomPassword:RandomPassword` of pulumi-random 4.21.2, which bridges
 * terraform-provider-random's `random_password` (internal/provider/resource_password.go and
 * string.go): every input forces a new password (RequiresReplace on length, the character-set
 * switches and minimums, overrideSpecial and keepers); `result` and `bcryptHash` are secret.
 * Defaults as upstream: every character set on, minimums 0, special characters `!@#$%&*()-_=+[]{}<>:?`.
 *
 * Left out: RandomString, RandomId and the other resources, import, and the minimums' redistribution
 * of characters (the lab asks for none).
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
            (plain.special ?? true) ? (plain.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?") : "",
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
