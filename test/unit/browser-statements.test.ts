// The statement code the web app (app/) bundles for the browser: a typed prompt's model inputs, the token URI's
// base64 read without Node's Buffer.
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { quantizeReal } from "../../src/numeric/fixed-point";
import { promptValues } from "../../src/statements/aigc";
import { decodeSvgUri, decodeTokenUri } from "../../src/statements/token-uri";

describe("statements in the browser", () => {
  describe("promptValues", () => {
    it("is keccak256 of the text read as signed 16-bit numbers / 2^15, rounded down to the scale", () => {
      const bytes = Buffer.from(keccak256(toUtf8Bytes("a lighthouse at dusk")).slice(2), "hex");
      const expected = [0, 1, 2, 3].map((i) => Math.floor((bytes.readInt16BE(2 * i) * 2 ** 12) / 2 ** 15) / 2 ** 12);
      expect(promptValues("a lighthouse at dusk", 4, 12)).to.deep.equal(expected);
    });

    it("gives values in [-1, 1) that quantize exactly, the same for the same text and others for other texts", () => {
      const a = promptValues("a lighthouse at dusk", 40, 12);
      expect(a).to.have.length(40); // more than one keccak block
      for (const v of a) {
        expect(v).to.be.at.least(-1).and.below(1);
        expect(Number(quantizeReal(v, 12, "prompt value")) / 4096).to.equal(v);
      }
      expect(promptValues("a lighthouse at dusk", 40, 12)).to.deep.equal(a);
      expect(promptValues("a lighthouse at dawn", 40, 12)).to.not.deep.equal(a);
      expect(new Set(a.slice(16, 32).map(String)).size).to.be.greaterThan(1); // the chained block is not a copy
      expect(a.slice(16, 32)).to.not.deep.equal(a.slice(0, 16));
    });

    it("refuses an empty prompt", () => {
      expect(() => promptValues("  ", 4, 12)).to.throw("the prompt is empty");
    });
  });

  it("decodes UTF-8 token URIs from base64 without Buffer", () => {
    const json = { name: "Pixel Gen #0x12ab", prompt: "café ☕" };
    const uri = "data:application/json;base64," + Buffer.from(JSON.stringify(json), "utf8").toString("base64");
    expect(decodeTokenUri(uri)).to.deep.equal(json);
    const svg = '<svg viewBox="0 0 1 1">é</svg>';
    expect(decodeSvgUri("data:image/svg+xml;base64," + Buffer.from(svg).toString("base64"))).to.equal(svg);
    expect(() => decodeSvgUri("data:text/plain,x")).to.throw("not a base64 SVG data URI");
  });
});
