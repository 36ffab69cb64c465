// AI vault: its state read from the chain, the forecast proven in the browser from the feed's last rounds (read
// on-chain and converted exactly as the vault converts them, src/statements/vault-inputs.ts) for the vault's
// current epoch, and the rebalance transaction with its gas.
import { formatUnits } from "ethers";
import { circuitInput, decodeOutputs, quantizedInputs } from "../../src/pipeline/statement";
import { readFeedInputs, type RoundFeed } from "../../src/statements/vault-inputs";
import { asProof } from "../../src/statements/zkml-model";
import { AppError } from "./errors";
import { manifest } from "./models";
import { prove } from "./prover";
import type { Session } from "./session";
import { card, facts, fixedPoint, seconds } from "./ui";

const DIRECTIONS = ["hold", "buy", "sell"];

/** What a rebalance sold and bought, in whole tokens. */
function traded(direction: number, amountIn: bigint, amountOut: bigint, d: { asset: bigint; risk: bigint }): string {
  if (direction === 1) return `sold ${formatUnits(amountIn, d.asset)} mUSD for ${formatUnits(amountOut, d.risk)} of the risk asset`;
  if (direction === 2) return `sold ${formatUnits(amountIn, d.risk)} of the risk asset for ${formatUnits(amountOut, d.asset)} mUSD`;
  return "nothing (the forecast is within the threshold)";
}

async function decimals(s: Session): Promise<{ asset: bigint; risk: bigint }> {
  return { asset: await s.contracts.asset.decimals(), risk: await s.contracts.riskAsset.decimals() };
}

export function mountVault(session: () => Session | undefined) {
  const c = card("vault");
  const button = document.getElementById("vault-rebalance") as HTMLButtonElement;
  const stateEl = document.getElementById("vault-state")!;
  const result = document.getElementById("vault-result")!;

  async function refresh(s: Session) {
    const { vault, asset, riskAsset, feed } = s.contracts;
    const m = await manifest(s.config.models.vault);
    const vaultAddress = await vault.getAddress();
    const [epoch, total, cash, risk, assetDecimals, riskDecimals, inputs] = await Promise.all([
      vault.epoch() as Promise<bigint>,
      vault.totalAssets() as Promise<bigint>,
      asset.balanceOf(vaultAddress) as Promise<bigint>,
      riskAsset.balanceOf(vaultAddress) as Promise<bigint>,
      asset.decimals() as Promise<bigint>,
      riskAsset.decimals() as Promise<bigint>,
      readFeedInputs(feed as unknown as RoundFeed, m.quant.scaleBits),
    ]);
    facts(stateEl, [
      ["epoch", epoch.toString(), "vault-epoch"],
      ["total assets", `${formatUnits(total, assetDecimals)} mUSD`, "vault-total"],
      ["cash", `${formatUnits(cash, assetDecimals)} mUSD`, "vault-cash"],
      ["risk asset", formatUnits(risk, riskDecimals), "vault-risk"],
      ["feed, last 8 rounds (k$)", inputs.q.map((v) => fixedPoint(v, m.quant.scaleBits, 2)).join(", "), "vault-feed"],
    ]);
  }

  button.addEventListener("click", () => {
    void c.run(button, async () => {
      const s = session();
      if (!s) throw new AppError("Connect your wallet first.");
      const { vault, feed } = s.contracts;
      const m = await manifest(s.config.models.vault);
      c.status("Reading the price feed's last rounds from the chain…");
      const feedInputs = await readFeedInputs(feed as unknown as RoundFeed, m.quant.scaleBits);
      const q = quantizedInputs(m, { input_data: [feedInputs.floats] });
      const onChain = ((await vault.currentModelInputs()) as bigint[]).map(BigInt);
      if (onChain.some((v, i) => v !== q[i])) throw new AppError("The feed changed while it was being read; try again.");
      const epoch: bigint = await vault.epoch();
      const proof = await prove(m.name, s.config.keyIds[m.name], circuitInput(m, q, { bindings: { epoch } }), c.status);
      const [prediction] = decodeOutputs(m, proof.publicSignals);
      c.status(`Proved in ${seconds(proof.proveMs)}; sending the rebalance…`);
      const receipt = await (await vault.rebalance(asProof(proof.calldata), prediction)).wait();
      const event = receipt.logs.map((l: { topics: string[]; data: string }) => vault.interface.parseLog(l)).find((e: { name: string } | null) => e?.name === "Rebalanced");
      c.status(`Rebalanced at epoch ${epoch}: gas ${receipt.gasUsed}.`);
      c.el.dataset.proveMs = String(Math.round(proof.proveMs));
      facts(result, [
        ["forecast (k$)", fixedPoint(prediction, m.quant.scaleBits), "vault-forecast"],
        ["decision", DIRECTIONS[Number(event.args.direction)] ?? String(event.args.direction), "vault-direction"],
        ["traded", traded(Number(event.args.direction), event.args.amountIn, event.args.amountOut, await decimals(s)), "vault-amounts"],
        ["rebalance gas", receipt.gasUsed.toString(), "vault-gas"],
        ["proof in browser", seconds(proof.proveMs)],
      ]);
      await refresh(s);
    }, session);
  });

  return {
    enable: (on: boolean) => {
      button.disabled = !on;
    },
    refresh,
  };
}
