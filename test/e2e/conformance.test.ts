import { expect } from "chai";
import { releaseSnarkjs } from "../../src/backend/snarkjs";
import { ConformanceRow, corpusModels, runConformance } from "../../src/conformance";
import { tmpDir } from "../circuit/helpers";

/**
 * The fast subset of `npm run conformance`: every reference model except the heavy ones (which the
 * full run and the bench cover) is compiled with a calibrated scale, proven, verified and compared
 * with onnxruntime within the fidelity target.
 */
const HEAVY = new Set(["mnist_gan", "doodles", "4l_relu_conv_fc", "2l_relu_sigmoid_conv"]);

describe("conformance (fast subset of the reference corpus)", () => {
  const buildDir = tmpDir("conformance");
  const rows: ConformanceRow[] = [];
  after(async () => {
    await releaseSnarkjs();
    console.table(rows.map((r) => ({ model: r.model, constraints: r.constraints, scale: r.scale, "max |err|": r.maxAbsError?.toExponential(2), target: r.target?.toExponential(2) })));
  });

  const models = corpusModels().filter((m) => !HEAVY.has(m));
  it("has the whole corpus to draw from", () => {
    expect(models.length + HEAVY.size).to.equal(30);
  });

  for (const name of models) {
    it(`${name}: compiles, proves, verifies and matches onnxruntime`, async () => {
      const row = await runConformance(name, { buildDir });
      rows.push(row);
      expect(row.reason, name).to.equal(undefined);
      expect(row.proven).to.equal(true);
      expect(row.maxAbsError!).to.be.at.most(row.target!);
    });
  }
});
