// The prover's Web Worker: fetches a compiled model's witness wasm and proving key from the server (kept in the
// Cache API, keyed by the model's key id, so a page reload does not download them again), computes the witness and
// the Groth16 proof with snarkjs, and returns the proof, its public signals and the verifier's calldata. The
// witness input arrives in the message and leaves the worker only inside the proof's public signals.
import * as snarkjs from "snarkjs";
import type { ProveReply, ProveRequest } from "./prover";

const CACHE = "hardhat-zkml-models";

declare const self: { postMessage(msg: ProveReply): void; onmessage: ((e: MessageEvent<ProveRequest>) => void) | null };

async function modelFile(url: string, version: string): Promise<Uint8Array> {
  const key = `${url}?keys=${version}`;
  const cache = typeof caches === "undefined" ? undefined : await caches.open(CACHE);
  let res = await cache?.match(key);
  if (!res) {
    res = await fetch(url);
    if (!res.ok) throw new Error(`The model file ${url} could not be downloaded (HTTP ${res.status}).`);
    await cache?.put(key, res.clone());
  }
  return new Uint8Array(await res.arrayBuffer());
}

self.onmessage = async (e: MessageEvent<ProveRequest>) => {
  const { id, model, keyId, input } = e.data;
  try {
    self.postMessage({ id, kind: "progress", message: `Loading ${model}'s circuit and proving key…` });
    const t0 = performance.now();
    const [wasm, zkey] = await Promise.all([modelFile(`/zkml/${model}/model.wasm`, keyId), modelFile(`/zkml/${model}/model.zkey`, keyId)]);
    self.postMessage({ id, kind: "progress", message: `Proving with ${model} in this browser…` });
    const t1 = performance.now();
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, wasm, zkey);
    const proveMs = performance.now() - t1;
    const raw: string = await snarkjs.groth16.exportSolidityCallData(proof, publicSignals);
    const [a, b, c, pub] = JSON.parse(`[${raw}]`);
    self.postMessage({ id, kind: "done", result: { proof, publicSignals, calldata: { a, b, c, publicSignals: pub }, proveMs, loadMs: t1 - t0 } });
  } catch (err) {
    self.postMessage({ id, kind: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
