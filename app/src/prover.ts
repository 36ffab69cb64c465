// The page's side of the prover worker (./prover.worker.ts): one worker, one proof at a time, progress reported
// as it goes. The page builds the witness input with the plugin's own encoders (src/pipeline/statement.ts).
import type { Groth16Calldata, Groth16Proof } from "../../src/backend/groth16";
import { AppError } from "./errors";

export interface ProveRequest {
  id: number;
  model: string;
  /** The model's key id (AppConfig.keyIds): its cached files are kept under it. */
  keyId: string;
  input: Record<string, unknown>;
}

export interface BrowserProof {
  proof: Groth16Proof;
  publicSignals: string[];
  calldata: Groth16Calldata;
  /** Witness and Groth16 proof, in milliseconds. */
  proveMs: number;
  /** Fetching (or reading from the cache) the wasm and the proving key. */
  loadMs: number;
}

export type ProveReply = { id: number; kind: "progress"; message: string } | { id: number; kind: "done"; result: BrowserProof } | { id: number; kind: "error"; message: string };

let worker: Worker | undefined;
let nextId = 1;

export function prove(model: string, keyId: string, input: Record<string, unknown>, progress: (msg: string) => void): Promise<BrowserProof> {
  worker ??= new Worker(new URL("./prover.worker.ts", import.meta.url), { type: "module" });
  const w = worker;
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onMessage = (e: MessageEvent<ProveReply>) => {
      const msg = e.data;
      if (msg.id !== id) return;
      if (msg.kind === "progress") return progress(msg.message);
      w.removeEventListener("message", onMessage);
      if (msg.kind === "done") resolve(msg.result);
      else reject(new AppError(proofFailure(msg.message)));
    };
    w.addEventListener("message", onMessage);
    w.postMessage({ id, model, keyId, input } satisfies ProveRequest);
  });
}

/** snarkjs's witness errors ("Assert Failed", "Not all inputs have been set") as a sentence. */
function proofFailure(message: string): string {
  if (/could not be downloaded/.test(message)) return message;
  if (/Assert Failed|Error in template/i.test(message)) return "The circuit refused these inputs (a value is outside the range the model was compiled for), so no proof was made.";
  return `The proof could not be made in this browser: ${message.replace(/\s+/g, " ").trim()}.`;
}
