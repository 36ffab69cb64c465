/**
 * The project's layering, checked by dependency-cruiser (`npm run deps`, part of `npm test`).
 *
 * src/ is a stack of layers; a module may import its own layer and the layers below it, never above:
 *
 *   base      errors.ts, util/, numeric/          (no project imports but each other)
 *   ir        the graph the importer produces
 *   ops       one OpDef per ONNX op, written against Domain<T>
 *   onnx      the importer (ONNX -> ir, checked against ops)
 *   quantize  bounds, the bit-exact evaluator, calibration
 *   lower     gadgets over linear expressions
 *   gadgets   one definition per gadget kind
 *   privacy   public-signal layouts, packing, commitments, seeded inputs
 *   emit      circom source and direct R1CS
 *   backend   circom, R1CS files, linking, proving systems
 *   audit     soundness checks over emitted constraints
 *   pipeline  compile, setup, prove, verify
 *   library   what a package user calls beside the pipeline (statements, examples, conformance, mint, queue)
 *   hardhat   the plugin's Hardhat wiring: what both majors share, and Hardhat 2's registration
 *
 * Above them the entries, imported by nothing in src: src/index.ts (Hardhat 2), src/core.ts (the
 * Hardhat-free API) and src/hardhat3/ (Hardhat 3's ESM plugin). Hardhat 2's own files (tasks.ts, solc.ts,
 * type-extensions.ts) are the only ones in src/hardhat/ that import "hardhat": the rest runs under either major.
 *
 * Besides: no cycles; src never imports scripts/, tasks/, test/, deploy/ or app/; the compiler core (base to
 * pipeline) never imports Hardhat; scripts/, deploy/, tasks/ and app/ never import test/.
 */
const LAYERS = [
  ["base", "src/(errors\\.ts|util/|numeric/)"],
  ["ir", "src/ir/"],
  ["ops", "src/ops/"],
  ["onnx", "src/onnx/"],
  ["quantize", "src/quantize/"],
  ["lower", "src/lower/"],
  ["gadgets", "src/gadgets/"],
  ["privacy", "src/privacy/"],
  ["emit", "src/emit/"],
  ["backend", "src/backend/"],
  ["audit", "src/audit/"],
  ["pipeline", "src/pipeline/"],
  ["library", "src/(statements|examples|conformance|mint|queue)/"],
  ["hardhat", "src/hardhat/"],
];

const ENTRIES = "src/(index\\.ts|core\\.ts|hardhat3/)";

const layerRules = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `layer-${name}-imports-upward`,
  comment: `${name} may import only itself and the layers below it (see the table at the top of this file)`,
  severity: "error",
  from: { path: `^${path}` },
  to: { path: `^(${LAYERS.slice(i + 1).map(([, p]) => p).join("|")}|${ENTRIES})` },
}));

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "a cycle makes two modules one: break it by moving the shared part down",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "src-imports-outside-src",
      comment: "library code cannot depend on scripts, tasks, tests, deployment modules or the web app",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(scripts|tasks|test|deploy|app)/" },
    },
    {
      name: "runners-import-tests",
      comment: "scripts, deployment modules and the web app run library code; tests keep their helpers to themselves",
      severity: "error",
      from: { path: "^(scripts|deploy|tasks|app)/" },
      to: { path: "^test/" },
    },
    {
      name: "core-imports-hardhat",
      comment: "the compiler core (base to pipeline) runs without Hardhat; the library layer and src/hardhat may use it",
      severity: "error",
      from: { path: `^(${LAYERS.slice(0, LAYERS.findIndex(([n]) => n === "library")).map(([, p]) => p).join("|")})` },
      to: { path: "(^node_modules/(hardhat|@nomicfoundation)/|^src/hardhat/)" },
    },
    {
      name: "src-imports-entries",
      comment: "the package entries sit above every layer: library code never imports them",
      severity: "error",
      from: { path: "^src/", pathNot: `^${ENTRIES}` },
      to: { path: `^${ENTRIES}` },
    },
    {
      name: "shared-plugin-imports-hardhat",
      comment: "src/hardhat/ runs under Hardhat 2 and 3 alike; only Hardhat 2's registration files import hardhat",
      severity: "error",
      from: { path: "^src/hardhat/", pathNot: "^src/hardhat/(tasks|solc|type-extensions)\\.ts$" },
      to: { path: "^node_modules/(hardhat|@nomicfoundation)/" },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "(^|/)zkml-build/|^artifacts/|^cache/|^typechain-types/|^app/dist/" },
  },
};
