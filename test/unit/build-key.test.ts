import { expect } from "chai";
import path from "path";
import { circuitSourceFiles, compilerFingerprint } from "../../src/pipeline/compile";

describe("the build key covers every file that can change a circuit", () => {
  const root = path.resolve(__dirname, "..", "..");
  const files = circuitSourceFiles().map((f) => path.relative(root, f));

  it("includes the whole circuit library, every gadget and every stage that writes constraints", () => {
    for (const f of ["circuits/lib/zkml.circom", "circuits/lib/seeded.circom", "circuits/lib/commitment.circom", "src/gadgets/rescale.ts", "src/emit/r1cs.ts", "src/emit/circom.ts", "src/quantize/interval.ts", "src/ops/linear.ts", "src/privacy/layout.ts", "src/backend/link.ts"])
      expect(files, f).to.include(f);
  });

  it("leaves out what cannot change a circuit (Hardhat wiring, tests)", () => {
    expect(files.some((f) => f.startsWith("src/hardhat/") || f.startsWith("test/"))).to.equal(false);
  });

  it("is a sha256 over them", () => {
    expect(compilerFingerprint()).to.match(/^[0-9a-f]{64}$/);
  });
});
