import fs from "fs";
import path from "path";
import { releaseSnarkjs } from "../src/backend/snarkjs";
import { ConformanceRow, CORPUS_DIR, corpusModels, runConformance } from "../src/conformance";

/**
 * npm run conformance [-- model ...]: every model of the reference corpus through compile, prove,
 * verify and the onnxruntime comparison. Prints a table, writes bench/conformance.json and ends with
 * "N passed, N failed"; the exit code is non-zero when any model fails.
 */
async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const models = only.length ? only : corpusModels();
  const buildDir = path.resolve(__dirname, "..", "zkml-build", "conformance");
  console.log(`conformance: ${models.length} model(s) from ${CORPUS_DIR}`);
  const rows: ConformanceRow[] = [];
  for (const name of models) {
    const row = await runConformance(name, { buildDir });
    rows.push(row);
    console.log(`  ${row.passed ? "pass" : "FAIL"} ${name} (${row.seconds.toFixed(1)} s)${row.reason ? `: ${row.reason}` : ""}`);
  }
  await releaseSnarkjs();
  console.table(rows.map((r) => ({
    model: r.model,
    ops: r.ops,
    constraints: r.constraints ?? "-",
    scale: r.scale ?? "-",
    "max |err|": r.maxAbsError?.toExponential(2) ?? "-",
    target: r.target?.toExponential(2) ?? "-",
    reference: r.reference ?? "-",
    proven: r.proven ? "yes" : "no",
    result: r.passed ? "pass" : `FAIL: ${r.reason}`,
  })));
  if (only.length === 0) {
    const out = path.resolve(__dirname, "..", "bench", "conformance.json");
    fs.writeFileSync(out, JSON.stringify({ corpus: path.basename(CORPUS_DIR), rows }, null, 2) + "\n");
  }
  const passed = rows.filter((r) => r.passed).length;
  console.log(`${passed} passed, ${rows.length - passed} failed`);
  process.exitCode = passed === rows.length ? 0 : 1;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
