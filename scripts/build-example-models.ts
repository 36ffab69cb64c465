// Builds the project's own example models (src/examples/models/<name>.ts), without Python or network access:
//
//   npx ts-node --transpile-only scripts/build-example-models.ts [outDir] [name...]
//
// Each writes <outDir>/<name>/{network.onnx, input.json, ...} deterministically (fixed seeds) and atomically;
// outDir defaults to examples/models.
import path from "path";
import { buildExampleModels } from "../src/examples";

const [outArg, ...only] = process.argv.slice(2);
buildExampleModels(path.resolve(outArg ?? path.join(__dirname, "..", "examples", "models")), only).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
