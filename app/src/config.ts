// The page's configuration, served as /app-config.json by app/node/server.ts (written by app/node/deploy.ts).

export interface ContractEntry {
  address: string;
  abi: unknown[];
}

export interface AppConfig {
  /** The chain the contracts are on; the wallet must be on it. */
  chainId: number;
  chainName: string;
  /** The node's JSON-RPC URL, offered to a wallet that does not know the chain (`npm run app` sets it). */
  rpcUrl?: string;
  /** The compiled model of each flow (its files are served under /zkml/<name>/). */
  models: { studio: string; pass: string; vault: string };
  /** Per model name, a digest of its verification key: the browser's cached wasm and zkey are kept under it, so new keys are fetched anew. */
  keyIds: Record<string, string>;
  contracts: { collection: ContractEntry; pass: ContractEntry; vault: ContractEntry; feed: ContractEntry; asset: ContractEntry; riskAsset: ContractEntry };
}

export async function loadConfig(): Promise<AppConfig> {
  const res = await fetch("/app-config.json");
  if (!res.ok) throw new Error(`The app's configuration could not be loaded (HTTP ${res.status}); start the app with \`npm run app\`.`);
  return (await res.json()) as AppConfig;
}
