/* eslint-disable @typescript-eslint/no-explicit-any */
import { createRequire } from "module";

/**
 * The libraries the dev setup builds on, resolved from snarkjs's own location so that we use exactly
 * the versions snarkjs reads its files with (its ffjavascript, its blake2b, the WASM it runs on).
 */
const fromSnarkjs = createRequire(require.resolve("snarkjs"));
const ffjavascriptPath = fromSnarkjs.resolve("ffjavascript");
const fromFfjavascript = createRequire(ffjavascriptPath);

export function ffjavascript(): any {
  return fromSnarkjs("ffjavascript");
}

/** @noble/hashes blake2b as snarkjs loads it: its internal state layout is part of the .ptau format. */
export function nobleBlake2b(): any {
  return fromSnarkjs("@noble/hashes/blake2b").blake2b;
}

export interface Bn128Wasm {
  module: WebAssembly.Module;
  pointers: { pG1gen: number; pG2gen: number };
}

let cached: Bn128Wasm | undefined;

/**
 * The bn128 WebAssembly module, built the way ffjavascript builds it for its own engine (wasmcurves'
 * bn128 program assembled with wasmbuilder), compiled once per process.
 */
export function bn128Wasm(): Bn128Wasm {
  if (!cached) {
    const { ModuleBuilder } = fromFfjavascript("wasmbuilder");
    const { buildBn128 } = fromFfjavascript("wasmcurves");
    const mb = new ModuleBuilder();
    mb.setMemory(25);
    buildBn128(mb);
    const code = new Uint8Array(mb.build());
    cached = {
      module: new WebAssembly.Module(code),
      pointers: { pG1gen: mb.modules.bn128.pG1gen, pG2gen: mb.modules.bn128.pG2gen },
    };
  }
  return cached;
}
