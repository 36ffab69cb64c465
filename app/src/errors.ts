// Errors as the people using the page read them: one sentence each, never a stack trace. A flow throws AppError
// with its own sentence; anything else (a wallet's or a node's error, a contract's revert) goes through explain().
import { Interface, isError } from "ethers";

/** An error whose message is already the sentence to show. */
export class AppError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AppError";
  }
}

/** What a contract's custom error means to the user, by name; `args` are the decoded arguments. */
const REVERTS: Record<string, (args: readonly unknown[]) => string> = {
  InvalidProof: () => "The contract refused the proof: it does not verify for this statement, so nothing changed on-chain.",
  NullifierUsed: (a) => `This pass was already claimed: the private input's commitment is spent (pass #${a[1]}), and one person gets one pass.`,
  AlreadyHoldsPass: (a) => `The account ${a[0]} already holds a pass; each account holds at most one.`,
  ScoreTooLow: (a) => `The proven score ${fixed(a[0])} is below the pass's threshold of ${fixed(a[1])}, so no pass can be claimed with this input.`,
  NotEnrolled: () => "This input's commitment is not enrolled; ask the registrar to enrol it before claiming a pass.",
  PromptAlreadyMinted: (a) => `This prompt was already minted as token 0x${BigInt(String(a[0])).toString(16).slice(0, 12)}…; each prompt mints once, so try another prompt.`,
  RecipientMismatch: (a) => `The proof is bound to ${a[0]}, not to ${a[1]}; prove again with the connected account.`,
  NoCommitment: () => "The mint has no matching prompt commitment from this account; commit to the prompt first.",
  CommitmentTooRecent: () => "The prompt's commitment is too recent; wait for the next block and mint again.",
  StalePrice: () => "The price feed's last round is older than the vault's maximum age; a new price must be pushed before the vault can rebalance.",
  SlippageExceeded: () => "The swap would have received less than the vault's slippage limit allows, so the rebalance was not made.",
  ERC721NonexistentToken: () => "That token does not exist.",
};

const fixed = (v: unknown) => (Number(BigInt(String(v))) / 4096).toFixed(3);

/** The one sentence for any error a flow meets. */
export function explain(e: unknown, contracts: Interface[] = []): string {
  if (e instanceof AppError) return e.message;
  const err = e as { code?: unknown; info?: { error?: { code?: unknown; message?: string } }; error?: { code?: unknown }; revert?: { name?: string; args?: readonly unknown[] }; data?: unknown; shortMessage?: string; message?: string };
  const code = err?.code ?? err?.info?.error?.code ?? err?.error?.code;
  if (code === 4001 || code === "ACTION_REJECTED") return "You rejected the request in your wallet, so nothing was sent.";
  if (code === 4100) return "Your wallet has not authorised this site; connect the wallet and try again.";
  const said = messages(e, 0).join(" ");
  if (code === "INSUFFICIENT_FUNDS" || /insufficient funds|doesn't have enough funds/i.test(said)) return "Your account does not have enough ETH to pay for this transaction and its gas.";
  if (code === "NETWORK_ERROR" || /network changed/i.test(String(err?.message ?? ""))) return "Your wallet changed networks while the request was running; check the network and try again.";
  const revert = err?.revert?.name ? err.revert : decodeRevert(err, contracts);
  if (revert?.name && REVERTS[revert.name]) return REVERTS[revert.name](revert.args ?? []);
  if (revert?.name) return `The contract refused the transaction (${revert.name}).`;
  if (isError(e, "CALL_EXCEPTION")) return "The contract refused the transaction without saying why.";
  if (e instanceof TypeError && /fetch/i.test(e.message)) return "The page could not reach the server or the network; check that the app and the local node are running.";
  const message = String(err?.shortMessage ?? err?.message ?? e).split("\n")[0].replace(/\s+/g, " ").trim();
  return /[.!?]$/.test(message) ? message : `${message}.`;
}

/** Every `message` in the error and the errors it wraps (a wallet's or node's words are a few levels down). */
function messages(e: unknown, depth: number): string[] {
  if (depth > 5 || e === null || typeof e !== "object") return [];
  const o = e as Record<string, unknown>;
  return [...(typeof o.message === "string" ? [o.message] : []), ...["error", "info", "cause"].flatMap((k) => messages(o[k], depth + 1))];
}

/** A custom error's name and arguments from revert data anywhere in the error, if one of `contracts` declares it. */
function decodeRevert(e: unknown, contracts: Interface[]): { name: string; args: readonly unknown[] } | undefined {
  const data = findData(e, 0);
  if (!data) return undefined;
  for (const iface of contracts) {
    try {
      const parsed = iface.parseError(data);
      if (parsed) return { name: parsed.name, args: [...parsed.args] };
    } catch {
      // not this contract's error
    }
  }
  return undefined;
}

function findData(e: unknown, depth: number): string | undefined {
  if (depth > 5 || e === null || typeof e !== "object") return undefined;
  const o = e as Record<string, unknown>;
  if (typeof o.data === "string" && /^0x[0-9a-fA-F]{8}/.test(o.data)) return o.data;
  for (const k of ["data", "error", "info", "cause"]) {
    const found = findData(o[k], depth + 1);
    if (found) return found;
  }
  return undefined;
}
