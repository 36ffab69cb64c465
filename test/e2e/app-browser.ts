// What the app's browser tests (./app.test.ts) drive the page with (in Debian's Chromium, app/node/chromium.ts): a
// test wallet injected into the page as window.ethereum that signs with a Hardhat account in Node and talks to the
// in-process Hardhat network. Every call the page makes to the wallet is recorded, as is every network request.
import { HDNodeWallet, toQuantity } from "ethers";
import type { EIP1193Provider } from "hardhat/types";
import type { BrowserContext } from "playwright-core";

export interface WalletCall {
  method: string;
  params: unknown[];
}

export interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** A transaction the wallet is asked to send or estimate: its `to` and calldata. */
interface TxRequest {
  to?: string;
  data?: string;
  gas?: string;
  value?: string;
}

export class TestWallet {
  readonly calls: WalletCall[] = [];
  /** Rewrites the calldata of transactions to `to` (their gas estimates and the signed transactions) while set. */
  tamper?: { to: string; data: (data: string) => string };
  /** While set, the user "rejects" every transaction the page asks the wallet to send (EIP-1193 code 4001). */
  rejectTransactions = false;

  constructor(
    private readonly provider: EIP1193Provider,
    readonly signer: HDNodeWallet,
    readonly chainId: number,
  ) {}

  get address(): string {
    return this.signer.address;
  }

  /** Installs window.ethereum in every page of `context`, before the page's own scripts run. */
  async install(context: BrowserContext): Promise<void> {
    await context.exposeFunction("__zkmlTestWallet", async (method: string, params: unknown[]) => {
      try {
        return { result: await this.request(method, params ?? []) };
      } catch (e) {
        const err = e as { code?: number; message?: string; data?: unknown };
        return { error: { code: typeof err.code === "number" ? err.code : -32603, message: err.message ?? String(e), data: err.data } };
      }
    });
    await context.addInitScript(() => {
      const call = (window as unknown as { __zkmlTestWallet(m: string, p: unknown[]): Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }> }).__zkmlTestWallet;
      (window as unknown as { ethereum: unknown }).ethereum = {
        isTestWallet: true,
        async request({ method, params }: { method: string; params?: unknown[] }) {
          const r = await call(method, params ?? []);
          if (r.error) throw Object.assign(new Error(r.error.message), { code: r.error.code, data: r.error.data });
          return r.result;
        },
        on() {},
        removeListener() {},
      };
    });
  }

  private tampered(tx: TxRequest): TxRequest {
    if (!this.tamper || !tx.data || tx.to?.toLowerCase() !== this.tamper.to.toLowerCase()) return tx;
    return { ...tx, data: this.tamper.data(tx.data) };
  }

  async request(method: string, params: unknown[]): Promise<unknown> {
    this.calls.push({ method, params });
    const node = (m: string, p: unknown[]) => this.provider.request({ method: m, params: p });
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return [this.address];
      case "eth_chainId":
        return toQuantity(this.chainId);
      case "wallet_switchEthereumChain":
        if (Number((params[0] as { chainId: string }).chainId) === this.chainId) return null;
        throw Object.assign(new Error("this test wallet knows one chain"), { code: 4902 });
      case "eth_estimateGas":
        return node(method, [this.tampered(params[0] as TxRequest), ...params.slice(1)]);
      case "eth_sendTransaction": {
        if (this.rejectTransactions) throw Object.assign(new Error("User rejected the request."), { code: 4001 });
        const tx = this.tampered(params[0] as TxRequest);
        const nonce = Number(await node("eth_getTransactionCount", [this.address, "pending"]));
        const block = (await node("eth_getBlockByNumber", ["latest", false])) as { baseFeePerGas: string };
        const gas = tx.gas ?? ((await node("eth_estimateGas", [{ ...tx, from: this.address }])) as string);
        const tip = 10n ** 9n;
        const signed = await this.signer.signTransaction({
          type: 2,
          chainId: this.chainId,
          nonce,
          to: tx.to,
          data: tx.data,
          value: tx.value ?? 0n,
          gasLimit: BigInt(gas),
          maxPriorityFeePerGas: tip,
          maxFeePerGas: 2n * BigInt(block.baseFeePerGas) + tip,
        });
        return node("eth_sendRawTransaction", [signed]);
      }
      case "eth_sign":
      case "personal_sign":
      case "eth_signTypedData_v4":
        throw Object.assign(new Error(`the test wallet does not sign messages (${method})`), { code: 4200 });
      default:
        return node(method, params);
    }
  }
}

/** Hardhat's account `index` of the in-process network's mnemonic, as a signing wallet. */
export function hardhatAccount(accounts: unknown, index: number): HDNodeWallet {
  const a = accounts as { mnemonic: string; path: string; initialIndex: number };
  if (!a?.mnemonic) throw new Error("the hardhat network's accounts are not given by a mnemonic");
  return HDNodeWallet.fromPhrase(a.mnemonic, undefined, `${a.path}/${a.initialIndex + index}`);
}

/** Records every request the context's pages and their workers make. */
export function recordRequests(context: BrowserContext): RecordedRequest[] {
  const seen: RecordedRequest[] = [];
  context.on("request", (req) => seen.push({ url: req.url(), method: req.method(), headers: req.headers(), body: req.postData() ?? "" }));
  return seen;
}
