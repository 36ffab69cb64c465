import { expect } from "chai";
import zlib from "zlib";
import { crc32, encodeGrayPng, GrayImage, sideBySide } from "../../src/util/png";
import { expectZkmlError } from "./helpers";

interface Chunk {
  type: string;
  data: Buffer;
}

/** Splits a PNG into its chunks, checking the signature and every chunk's CRC with node's own zlib.crc32. */
function readPng(png: Buffer): Chunk[] {
  expect([...png.subarray(0, 8)]).to.deep.equal([137, 80, 78, 71, 13, 10, 26, 10]);
  const chunks: Chunk[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const typed = png.subarray(at + 4, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length), `CRC of chunk ${chunks.length}`).to.equal(zlib.crc32(typed));
    chunks.push({ type: typed.subarray(0, 4).toString("latin1"), data: Buffer.from(typed.subarray(4)) });
    at += 12 + length;
  }
  return chunks;
}

/** The pixels of an 8-bit grayscale, non-interlaced PNG whose rows all use filter 0 (what the encoder writes). */
function decodeGray(png: Buffer): GrayImage {
  const chunks = readPng(png);
  expect(chunks.map((c) => c.type)).to.deep.equal(["IHDR", "IDAT", "IEND"]);
  const ihdr = chunks[0].data;
  expect(ihdr).to.have.length(13);
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  // bit depth, colour type, compression, filter method, interlace
  expect([...ihdr.subarray(8)]).to.deep.equal([8, 0, 0, 0, 0]);
  expect(chunks[2].data).to.have.length(0);
  const raw = zlib.inflateSync(chunks[1].data);
  expect(raw).to.have.length(height * (width + 1));
  const gray = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width + 1)], `filter byte of row ${y}`).to.equal(0);
    gray.set(raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)), y * width);
  }
  return { gray, width, height };
}

describe("png: grayscale encoder", () => {
  it("computes the standard CRC-32", () => {
    expect(crc32(Buffer.from("123456789"))).to.equal(0xcbf43926); // the CRC-32 check value
    expect(crc32(Buffer.from("IEND"))).to.equal(0xae426082); // every PNG ends with it
    expect(crc32(new Uint8Array(0))).to.equal(0);
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 73) & 0xff));
    expect(crc32(bytes)).to.equal(zlib.crc32(bytes));
  });

  it("writes signature, IHDR, IDAT and IEND with valid CRCs, and the pixels row by row", () => {
    const width = 5;
    const height = 3;
    const gray = Uint8Array.from({ length: 15 }, (_, i) => i * 17);
    const png = encodeGrayPng(width, height, gray);
    const decoded = decodeGray(png);
    expect([decoded.width, decoded.height]).to.deep.equal([5, 3]);
    expect([...decoded.gray]).to.deep.equal([...gray]);
  });

  it("handles a 28x28 image and a single pixel", () => {
    const gray = Uint8Array.from({ length: 784 }, (_, i) => (i % 28 === Math.floor(i / 28) ? 255 : (i * 7) & 0x7f));
    expect([...decodeGray(encodeGrayPng(28, 28, gray)).gray]).to.deep.equal([...gray]);
    const one = decodeGray(encodeGrayPng(1, 1, Uint8Array.of(42)));
    expect([one.width, one.height, ...one.gray]).to.deep.equal([1, 1, 42]);
  });

  it("refuses a pixel count that does not match the size", () => {
    expectZkmlError(() => encodeGrayPng(2, 2, new Uint8Array(3)), "needs 4 pixels, got 3");
    expectZkmlError(() => encodeGrayPng(0, 2, new Uint8Array(0)), "positive integers");
  });
});

describe("png: side by side", () => {
  const a: GrayImage = { gray: Uint8Array.of(1, 2, 3, 4), width: 2, height: 2 };
  const b: GrayImage = { gray: Uint8Array.of(9), width: 1, height: 1 };

  it("upscales by nearest neighbour and places images left to right with a gap", () => {
    const out = sideBySide([a, b], 1, 2, 0);
    expect([out.width, out.height]).to.deep.equal([2 * 2 + 1 + 1 * 2, 4]);
    const rows = Array.from({ length: out.height }, (_, y) => [...out.gray.subarray(y * out.width, (y + 1) * out.width)]);
    expect(rows).to.deep.equal([
      [1, 1, 2, 2, 0, 9, 9],
      [1, 1, 2, 2, 0, 9, 9],
      [3, 3, 4, 4, 0, 0, 0],
      [3, 3, 4, 4, 0, 0, 0],
    ]);
  });

  it("fills the gap with mid-gray by default and round-trips through the PNG encoder", () => {
    const out = sideBySide([a, a], 2, 1);
    expect(out.width).to.equal(6);
    expect([...out.gray.subarray(0, 6)]).to.deep.equal([1, 2, 128, 128, 1, 2]);
    expect([...decodeGray(encodeGrayPng(out.width, out.height, out.gray)).gray]).to.deep.equal([...out.gray]);
  });

  it("refuses bad layouts", () => {
    expectZkmlError(() => sideBySide([], 0, 1), "nothing to place");
    expectZkmlError(() => sideBySide([a], 0, 0), "scale must be a positive integer");
    expectZkmlError(() => sideBySide([{ gray: new Uint8Array(3), width: 2, height: 2 }], 0, 1), "needs 4 pixels");
  });
});
