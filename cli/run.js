// Runs a TypeScript file in place (`node cli/run.js cli/lab.ts`): each .ts file is compiled
// on load with the project's own TypeScript, so paths relative to the sources stay true.
//
// What it compiles is kept in node_modules/.cache/ocm-lab-ts, keyed by the source, the compiler
// options and TypeScript's version: a file compiled once is read back, and TypeScript itself is loaded
// only when a file is new or changed. Every `npm run` command and the engine tier's plugins start
// faster for it. A cache that cannot be read or written is passed over.
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const cacheDir = path.join(__dirname, "..", "node_modules", ".cache", "ocm-lab-ts");
const typescriptVersion = (() => {
    try {
        return JSON.parse(fs.readFileSync(require.resolve("typescript/package.json"), "utf8")).version;
    } catch {
        return "unknown";
    }
})();
const options = { module: "CommonJS", target: "ES2022", esModuleInterop: true };
let ts; // loaded on the first file not in the cache

function compile(source, filename) {
    ts = ts ?? require("typescript");
    return ts.transpileModule(source, {
        compilerOptions: {
            module: ts.ModuleKind[options.module],
            target: ts.ScriptTarget[options.target],
            esModuleInterop: options.esModuleInterop,
        },
        fileName: filename,
    }).outputText;
}

require.extensions[".ts"] = (module, filename) => {
    const source = fs.readFileSync(filename, "utf8");
    // The output does not depend on where the file is (no source maps), so copies of the project share it.
    const key = crypto
        .createHash("sha256")
        .update(JSON.stringify([typescriptVersion, options, source]))
        .digest("hex");
    const cached = path.join(cacheDir, `${key}.js`);
    let output;
    try {
        output = fs.readFileSync(cached, "utf8");
    } catch {
        output = compile(source, filename);
        try {
            // written whole, then renamed: a process reading the cache never sees half a file
            fs.mkdirSync(cacheDir, { recursive: true });
            const partial = `${cached}.${process.pid}.partial`;
            fs.writeFileSync(partial, output);
            fs.renameSync(partial, cached);
        } catch {
            // no cache then; the compiled output is used all the same
        }
    }
    module._compile(output, filename);
};

require(path.resolve(process.argv[2]))
    .main(process.argv.slice(3))
    .catch((error) => {
        console.error(error);
        process.exit(1);
    });
