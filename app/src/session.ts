// The wallet side: an injected EIP-1193 provider (window.ethereum), ethers v6 over it, the account, and the app's
// contracts bound to the account's signer. The wallet must be on the chain the contracts were deployed to.
import { BrowserProvider, Contract, Interface, type Eip1193Provider, type InterfaceAbi, type JsonRpcSigner } from "ethers";
import type { AppConfig } from "./config";
import { AppError } from "./errors";

declare global {
  interface Window {
    ethereum?: Eip1193Provider & { on?(event: string, listener: (...args: unknown[]) => void): void };
  }
}

export interface Session {
  config: AppConfig;
  provider: BrowserProvider;
  signer: JsonRpcSigner;
  account: string;
  contracts: Record<keyof AppConfig["contracts"], Contract>;
  /** Every contract's interface, to read custom errors off a revert. */
  interfaces: Interface[];
}

const hexChain = (id: number) => `0x${id.toString(16)}`;

/** Asks the wallet for an account and checks (or switches) its network. */
export async function connect(config: AppConfig): Promise<Session> {
  const eth = window.ethereum;
  if (!eth) throw new AppError("No wallet was found in this browser; install an Ethereum wallet extension and reload the page.");
  const accounts = (await eth.request({ method: "eth_requestAccounts" })) as string[];
  if (!accounts?.length) throw new AppError("The wallet gave no account; unlock it and connect again.");
  await ensureChain(eth, config);
  const provider = new BrowserProvider(eth, config.chainId);
  const signer = await provider.getSigner(accounts[0]);
  const entries = Object.entries(config.contracts) as [keyof AppConfig["contracts"], { address: string; abi: unknown[] }][];
  const contracts = Object.fromEntries(entries.map(([k, c]) => [k, new Contract(c.address, c.abi as InterfaceAbi, signer)])) as Session["contracts"];
  return { config, provider, signer, account: await signer.getAddress(), contracts, interfaces: entries.map(([, c]) => new Interface(c.abi as InterfaceAbi)) };
}

async function ensureChain(eth: Eip1193Provider, config: AppConfig): Promise<void> {
  const current = Number(await eth.request({ method: "eth_chainId" }));
  if (current === config.chainId) return;
  try {
    await eth.request({ method: "wallet_switchEthereumChain", params: [{ chainId: hexChain(config.chainId) }] });
  } catch (e) {
    // 4902: the wallet does not know the chain; offer it when the node's URL is known.
    if ((e as { code?: number }).code === 4902 && config.rpcUrl)
      await eth.request({ method: "wallet_addEthereumChain", params: [{ chainId: hexChain(config.chainId), chainName: "Hardhat (local)", rpcUrls: [config.rpcUrl], nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 } }] });
  }
  const now = Number(await eth.request({ method: "eth_chainId" }));
  if (now !== config.chainId) throw new AppError(`Your wallet is on chain ${now}, but the app's contracts are on ${config.chainName} (chain ${config.chainId}); switch networks in your wallet and connect again.`);
}
