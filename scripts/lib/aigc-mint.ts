// The steps of scripts/mint.ts and scripts/demo.ts around an ERC-7007 mint (src/mint/aigc.ts) that only those
// scripts need: compile the example generator and the contracts, and choose an unminted prompt.
//
// Runs inside Hardhat (`hardhat run`): it uses the script's Hardhat runtime environment.
import fs from "fs";
import hre from "hardhat";
import path from "path";
import { fail } from "../../src/errors";
import { ensureExampleModel, exampleModelDir } from "../../src/examples";
import { isMinted } from "../../src/mint/aigc";
import type { CompiledModel } from "../../src/pipeline/compile";
import type { Manifest } from "../../src/pipeline/manifest";
import { mulberry32 } from "../../src/util/prng";

/** The project's example ERC-7007 generator (hardhat.config.ts: `bind: ["recipient"]`). */
export const AIGC_EXAMPLE_MODEL = "pixel_gen";

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Builds the example model if missing, compiles it (cached) and then the contracts (its verifier included). */
export async function compileAigcModel(log: (msg: string) => void, name = AIGC_EXAMPLE_MODEL): Promise<CompiledModel> {
  ensureExampleModel(hre.config.paths.root, log, name);
  const [compiled] = await hre.zkml.compile({ name, log });
  await hre.run("compile", { quiet: true });
  return compiled;
}

/**
 * The prompt to mint: `requested` ("0.1,-0.2,0.3,0.4") if given (it must not be minted yet); otherwise the example
 * model's input.json prompt or, once that one is minted, the first unminted prompt of a fixed pseudo-random sequence.
 */
export async function choosePrompt(collection: Contract, m: Manifest, requested?: string): Promise<number[]> {
  const n = m.publicSignals.inputs.packing.values;
  if (requested) {
    const prompt = requested.split(",").map(Number);
    if (prompt.length !== n || prompt.some((x) => !Number.isFinite(x))) fail(`AIGC_PROMPT must be ${n} comma-separated numbers, got "${requested}"`);
    if (await isMinted(collection, prompt, m)) fail(`the prompt [${prompt}] is already minted (one prompt mints once)`);
    return prompt;
  }
  const sample = JSON.parse(fs.readFileSync(path.join(exampleModelDir(hre.config.paths.root, m.name), "input.json"), "utf8")).input_data[0] as number[];
  if (!(await isMinted(collection, sample, m))) return sample;
  const rand = mulberry32(7007);
  for (let i = 0; i < 1000; i++) {
    const prompt = Array.from({ length: n }, () => Math.round((rand() * 2 - 1) * 1e4) / 1e4);
    if (!(await isMinted(collection, prompt, m))) return prompt;
  }
  fail("no unminted prompt among the first 1000 of the sequence; pass AIGC_PROMPT");
}
