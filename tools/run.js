// Runs a TypeScript tool in place (`node tools/run.js tools/graph.ts`): each .ts file is compiled
// on load with the project's own TypeScript, so paths relative to the sources stay true.
const fs = require("fs");
const path = require("path");
const ts = require("typescript");

require.extensions[".ts"] = (module, filename) => {
    const { outputText } = ts.transpileModule(fs.readFileSync(filename, "utf8"), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        fileName: filename,
    });
    module._compile(outputText, filename);
};

require(path.resolve(process.argv[2]))
    .main(process.argv.slice(3))
    .catch((error) => {
        console.error(error);
        process.exit(1);
    });
