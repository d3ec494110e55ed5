// Lint for the TypeScript: typescript-eslint's recommended rules, and Pulumi's rules that catch an
// Output interpolated in a template string (it needs pulumi.interpolate). Those rules read types,
// so linting uses tsconfig.json. Formatting is prettier's job (.prettierrc.json).
const tseslint = require("typescript-eslint");
const pulumi = require("@pulumi/eslint-plugin");

module.exports = tseslint.config(
    { ignores: ["node_modules/", "bin/", ".tools/", ".pulumi-state/", "coverage/", "**/*.js"] },
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { project: "./tsconfig.json", tsconfigRootDir: __dirname } },
        plugins: { pulumi },
        rules: {
            "pulumi/no-output-in-template-literal": "error",
            "pulumi/no-output-instance-in-template-literal": "error",
        },
    },
    {
        // The harness reads the engine's untyped payloads and loads the SDK afresh for every run
        // (require inside jest.isolateModules); the program itself gets neither exception.
        files: ["tests/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-require-imports": "off" },
    },
);
