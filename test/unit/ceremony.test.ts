import { expect } from "chai";
import crypto from "crypto";
import fs from "fs";
import os from "os";
import path from "path";
import { blake2bFile, checkCeremonyPtau, HERMEZ_PTAU_BLAKE2B } from "../../src/backend/ceremony";
import { expectZkmlError } from "./helpers";

describe("ceremony ptau files", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-ceremony-"));

  it("hashes files as b2sum does (blake2b-512 of the whole file)", async () => {
    const file = path.join(dir, "data.bin");
    const data = crypto.randomBytes(200_000);
    fs.writeFileSync(file, data);
    expect(await blake2bFile(file)).to.equal(crypto.createHash("blake2b512").update(data).digest("hex"));
  });

  it("knows the published hash of every Hermez file from 2^8 to 2^27", () => {
    for (let p = 8; p <= 27; p++) expect(HERMEZ_PTAU_BLAKE2B[p], `2^${p}`).to.match(/^[0-9a-f]{128}$/);
  });

  it("refuses a file named as a Hermez ceremony file whose hash does not match", async () => {
    const fake = path.join(dir, "powersOfTau28_hez_final_08.ptau");
    fs.writeFileSync(fake, "not the ceremony");
    let error: Error | undefined;
    await checkCeremonyPtau(fake).catch((e) => (error = e));
    expectZkmlError(() => { if (error) throw error; }, "does not match the published blake2b hash");
  });

  it("treats any other file as a user ceremony without a known name", async () => {
    const other = path.join(dir, "my_ceremony.ptau");
    fs.writeFileSync(other, "some ceremony bytes");
    const r = await checkCeremonyPtau(other);
    expect(r.ceremony).to.equal(undefined);
    expect(r.blake2b).to.have.length(128);
  });
});
