// ERC-7007 studio: a typed prompt -> pixel_gen's input values (src/statements/aigc.ts promptValues) -> a proof made
// in the browser, bound to the connected account -> commitPrompt, then mintWithProof -> the gallery, drawn from each
// token's on-chain tokenURI (its SVG, prompt values and model commitment).
import { ZeroAddress, type Contract } from "ethers";
import { circuitInput, quantizedInputs } from "../../src/pipeline/statement";
import { encodeValues, mintArgs, promptValues, tokenIdOf } from "../../src/statements/aigc";
import { commitPrompt } from "../../src/statements/prompt-commitment";
import { decodeTokenUri } from "../../src/statements/token-uri";
import { AppError } from "./errors";
import { inputSize, manifest } from "./models";
import { prove } from "./prover";
import type { Session } from "./session";
import { card, seconds, short } from "./ui";

const PROMPTS_KEY = "zkml-studio-prompts";
const knownPrompts = (): Record<string, string> => JSON.parse(localStorage.getItem(PROMPTS_KEY) ?? "{}");

export function mountStudio(session: () => Session | undefined) {
  const c = card("studio");
  const form = document.getElementById("studio-form") as HTMLFormElement;
  const input = document.getElementById("studio-prompt") as HTMLInputElement;
  const button = document.getElementById("studio-mint") as HTMLButtonElement;

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void c.run(button, async () => {
      const s = session();
      if (!s) throw new AppError("Connect your wallet first.");
      const text = input.value.trim();
      if (!text) throw new AppError("Type a prompt first.");
      const m = await manifest(s.config.models.studio);
      const q = quantizedInputs(m, { input_data: [promptValues(text, inputSize(m), m.quant.scaleBits)] });
      const tokenId = tokenIdOf(encodeValues(q));
      if (await exists(s.contracts.collection, tokenId))
        throw new AppError(`This prompt was already minted as token ${short("0x" + tokenId.toString(16))}; each prompt mints once, so try another prompt.`);

      const proof = await prove(m.name, s.config.keyIds[m.name], circuitInput(m, q, { bindings: { recipient: s.account } }), c.status);
      const args = mintArgs(m, proof.calldata, s.account);
      c.status(`Proved in ${seconds(proof.proveMs)}. Committing to the prompt (1 of 2 transactions)…`);
      const commit = await commitPrompt(s.contracts.collection, args.prompt, s.account);
      c.status("Minting with the proof (2 of 2)…");
      const receipt = await (await s.contracts.collection.mintWithProof(s.account, args.prompt, args.aigcData, args.proof, commit.salt)).wait();
      localStorage.setItem(PROMPTS_KEY, JSON.stringify({ ...knownPrompts(), [args.tokenId.toString()]: text }));
      c.status(`Minted token ${short("0x" + args.tokenId.toString(16))}: proof ${seconds(proof.proveMs)} in this browser, mint gas ${receipt.gasUsed}.`);
      c.el.dataset.proveMs = String(Math.round(proof.proveMs));
      await renderGallery(s);
    }, session);
  });

  return {
    enable: (on: boolean) => {
      button.disabled = !on;
    },
    refresh: (s: Session) => renderGallery(s),
  };
}

async function exists(collection: Contract, tokenId: bigint): Promise<boolean> {
  try {
    await collection.ownerOf(tokenId);
    return true;
  } catch {
    return false;
  }
}

/** Every minted token, newest first, drawn from its tokenURI. */
async function renderGallery(s: Session): Promise<void> {
  const gallery = document.getElementById("gallery")!;
  const collection = s.contracts.collection;
  const mints = await collection.queryFilter(collection.filters.Transfer(ZeroAddress), 0);
  const prompts = knownPrompts();
  const figures = await Promise.all(
    mints.reverse().map(async (log) => {
      const tokenId = BigInt((log as unknown as { args: unknown[] }).args[2] as bigint);
      const meta = decodeTokenUri(await collection.tokenURI(tokenId)) as { name: string; image: string; prompt_values: number[]; model_hash: string };
      const fig = document.createElement("figure");
      fig.dataset.tokenId = tokenId.toString();
      const img = document.createElement("img");
      img.src = meta.image; // the SVG exactly as the contract drew it
      img.alt = `${meta.name}: the image pixel_gen computed for this prompt`;
      const caption = document.createElement("figcaption");
      const text = prompts[tokenId.toString()];
      const values = meta.prompt_values.map((v) => v.toFixed(3)).join(", "); // exact decimals, as the contract wrote them
      const line = (label: string, value: string, testId: string) => {
        const div = document.createElement("div");
        div.textContent = `${label}: ${value}`;
        div.dataset.testid = testId;
        caption.append(div);
      };
      line(meta.name, text ? `“${text}”` : "prompt typed elsewhere", "token-name");
      line("prompt values", values, "token-prompt");
      line("model", short(meta.model_hash), "token-model");
      fig.append(img, caption);
      return fig;
    }),
  );
  if (figures.length) gallery.replaceChildren(...figures);
}
