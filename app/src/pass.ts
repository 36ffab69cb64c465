// HumanityPass: the private embedding is typed (or pasted) into the page and never leaves it. The browser proves
// face_match's score on it, bound to the connected account; only the score, the embedding's commitment (the pass's
// nullifier, a public signal of the proof) and the proof go into the claim transaction.
import { circuitInput, commitmentsIn, decodeOutputs, quantizedInputs } from "../../src/pipeline/statement";
import { asProof } from "../../src/statements/zkml-model";
import { AppError } from "./errors";
import { inputSize, manifest } from "./models";
import { prove } from "./prover";
import type { Session } from "./session";
import { card, facts, fixedPoint, seconds, short } from "./ui";

export function mountPass(session: () => Session | undefined) {
  const c = card("pass");
  const form = document.getElementById("pass-form") as HTMLFormElement;
  const field = document.getElementById("pass-embedding") as HTMLTextAreaElement;
  const button = document.getElementById("pass-claim") as HTMLButtonElement;
  const result = document.getElementById("pass-result")!;

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void c.run(button, async () => {
      const s = session();
      if (!s) throw new AppError("Connect your wallet first.");
      const m = await manifest(s.config.models.pass);
      const values = parseEmbedding(field.value, inputSize(m));
      const q = quantizedInputs(m, { input_data: [values] });
      const proof = await prove(m.name, s.config.keyIds[m.name], circuitInput(m, q, { bindings: { recipient: s.account } }), c.status);
      const [score] = decodeOutputs(m, proof.publicSignals);
      const nullifier = commitmentsIn(m, proof.publicSignals).input!;
      c.status(`Proved in ${seconds(proof.proveMs)}; claiming the pass with the score, the commitment and the proof…`);
      const receipt = await (await s.contracts.pass.claim(asProof(proof.calldata), score, nullifier, s.account)).wait();
      const tokenId: bigint = await s.contracts.pass.passOf(nullifier);
      c.status(`Pass #${tokenId} claimed for ${short(s.account)}.`);
      c.el.dataset.proveMs = String(Math.round(proof.proveMs));
      facts(result, [
        ["pass", `#${tokenId}`, "pass-id"],
        ["score (public)", fixedPoint(score, m.quant.scaleBits), "pass-score"],
        ["commitment (public)", nullifier, "pass-commitment"],
        ["embedding", "stayed in this browser", "pass-private"],
        ["proof in browser", seconds(proof.proveMs)],
        ["claim gas", receipt.gasUsed.toString(), "pass-gas"],
      ]);
    }, session);
  });

  return {
    enable: (on: boolean) => {
      button.disabled = !on;
    },
    refresh: async (s: Session) => {
      const m = await manifest(s.config.models.pass);
      const threshold: bigint = await s.contracts.pass.threshold();
      document.getElementById("pass-threshold")!.textContent = `Threshold: a score of at least ${fixedPoint(threshold, m.quant.scaleBits)}; ${inputSize(m)} numbers.`;
    },
  };
}

/** The typed embedding as numbers; a wrong count or a non-number is a sentence. */
function parseEmbedding(text: string, count: number): number[] {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== "");
  const values = parts.map(Number);
  const bad = parts.find((p, i) => !Number.isFinite(values[i]));
  if (bad !== undefined) throw new AppError(`“${bad.slice(0, 20)}” is not a number; the embedding is ${count} numbers separated by commas.`);
  if (values.length !== count) throw new AppError(`The embedding has ${values.length} numbers, but the model takes ${count}.`);
  return values;
}
