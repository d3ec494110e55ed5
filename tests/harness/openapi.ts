/**
 * Checks a value against a CRD's openAPIV3Schema, for the parts of structural schemas the lab's
 * objects touch: type, required, properties (an unknown field is an error, as the API server's
 * strict field validation makes it), items, enum and x-kubernetes-preserve-unknown-fields. Returns
 * one line per problem, each with its path.
 */
export interface Schema {
    type?: string;
    required?: string[];
    properties?: Record<string, Schema>;
    items?: Schema;
    enum?: unknown[];
    additionalProperties?: Schema | boolean;
    "x-kubernetes-preserve-unknown-fields"?: boolean;
    "x-kubernetes-int-or-string"?: boolean;
}

const typeOf = (value: unknown) =>
    Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : value === null ? "null" : typeof value;

export function schemaProblems(value: unknown, schema: Schema, at = ""): string[] {
    const here = at || "(root)";
    if (schema["x-kubernetes-int-or-string"]) {
        return ["integer", "string"].includes(typeOf(value)) ? [] : [`${here}: ${typeOf(value)}, not an int or string`];
    }
    const actual = typeOf(value);
    if (schema.type && !(actual === schema.type || (schema.type === "number" && actual === "integer"))) {
        return [`${here}: ${actual}, not ${schema.type}`];
    }
    if (schema.enum && !schema.enum.includes(value)) {
        return [`${here}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`];
    }
    if (actual === "array" && schema.items) {
        return (value as unknown[]).flatMap((item, i) => schemaProblems(item, schema.items!, `${at}[${i}]`));
    }
    if (actual !== "object") {
        return [];
    }
    const object = value as Record<string, unknown>;
    const problems = (schema.required ?? [])
        .filter((key) => !(key in object))
        .map((key) => `${at ? at + "." : ""}${key}: required`);
    for (const [key, field] of Object.entries(object)) {
        const path = at ? `${at}.${key}` : key;
        if (path === "metadata") {
            // A CRD's schema leaves the root's metadata open: the API server checks it as ObjectMeta.
            problems.push(...objectMetaProblems(field));
            continue;
        }
        const fieldSchema = schema.properties?.[key];
        if (fieldSchema) {
            problems.push(...schemaProblems(field, fieldSchema, path));
        } else if (typeof schema.additionalProperties === "object") {
            problems.push(...schemaProblems(field, schema.additionalProperties, path));
        } else if (!schema["x-kubernetes-preserve-unknown-fields"] && schema.additionalProperties !== true) {
            problems.push(`${path}: not a field of this schema`);
        }
    }
    return problems;
}

function objectMetaProblems(metadata: unknown): string[] {
    if (typeOf(metadata) !== "object") {
        return [`metadata: ${typeOf(metadata)}, not object`];
    }
    const { name, namespace, labels, ...rest } = metadata as Record<string, unknown>;
    return [
        ...(typeof name === "string" ? [] : ["metadata.name: required, a string"]),
        ...(namespace === undefined || typeof namespace === "string" ? [] : ["metadata.namespace: not a string"]),
        ...(labels === undefined || Object.values(labels as object).every((v) => typeof v === "string")
            ? []
            : ["metadata.labels: values must be strings"]),
        ...Object.keys(rest).map((key) => `metadata.${key}: not a field the lab sets`),
    ];
}
