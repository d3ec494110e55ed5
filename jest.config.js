/** Tests are TypeScript beside the code they prove; the simulation runs real bash, so allow time. */
module.exports = {
    // Compiled file by file, without type checks: `npm run lint` type-checks the whole project once
    // (tsc --noEmit), and checking each test file's imports again costs seconds per file.
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: true } }] },
    testEnvironment: "node",
    testMatch: ["<rootDir>/tests/**/*.test.ts"],
    testTimeout: 60000,
    // Not crawled: the Go module caches and builds (many thousands of files), state and run records.
    modulePathIgnorePatterns: ["<rootDir>/.tools/", "<rootDir>/.pulumi-state/", "<rootDir>/.ocm-lab/"],
};
