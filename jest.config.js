/** Tests are TypeScript beside the code they prove; the simulation runs real bash, so allow time. */
module.exports = {
    preset: "ts-jest",
    testEnvironment: "node",
    testMatch: ["<rootDir>/tests/**/*.test.ts"],
    testTimeout: 60000,
    // Not crawled: the Go module caches and builds (many thousands of files), state and run records.
    modulePathIgnorePatterns: ["<rootDir>/.tools/", "<rootDir>/.pulumi-state/", "<rootDir>/.ocm-lab/"],
};
