// Builds the benchmark models (src/examples/benchmarks/<name>.ts: published architectures with seeded
// weights, for constraint comparisons) without Python or network access:
//
//   npx ts-node --transpile-only scripts/build-benchmark-models.ts [outDir] [name...]
//
// Each writes <outDir>/<name>/{network.onnx, input.json, calibration.json} deterministically; outDir defaults
// to examples/models.
import path from "path";
import { buildBenchmarkModels } from "../src/examples/benchmarks";

const [outArg, ...only] = process.argv.slice(2);
buildBenchmarkModels(path.resolve(outArg ?? path.join(__dirname, "..", "examples", "models")), only).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
