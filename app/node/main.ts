// `npm run app`: a local Hardhat node (JSON-RPC on 127.0.0.1:8545, chain 31337, Hardhat's funded accounts), the
// app's contracts deployed on it with the Ignition modules (./deploy.ts), the page built with Vite (./build.ts) and
// served with the compiled models (./server.ts) on http://127.0.0.1:5173. Ctrl-C stops all of it.
//
// Point a wallet at http://127.0.0.1:8545 (chain id 31337) and import one of the accounts printed below.
// Ports: ZKML_APP_RPC_PORT, ZKML_APP_PORT.
import hre from "hardhat";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import { buildApp } from "./build";
import { deployApp } from "./deploy";
import { serveApp } from "./server";

async function main() {
  if (hre.network.name !== "hardhat") throw new Error(`npm run app starts its own local node; run it without --network (got "${hre.network.name}")`);
  const log = (msg: string) => console.log(`  ${msg}`);
  const rpcPort = Number(process.env.ZKML_APP_RPC_PORT ?? 8545);
  const server = await hre.run(TASK_NODE_CREATE_SERVER, { hostname: "127.0.0.1", port: rpcPort, provider: hre.network.provider });
  const { address, port } = await server.listen();
  const rpcUrl = `http://${address}:${port}`;
  console.log(`Local Hardhat node: ${rpcUrl} (chain 31337)`);

  const config = await deployApp(hre, log, rpcUrl);
  const distDir = buildApp(log);
  const app = await serveApp({ distDir, buildDir: hre.config.zkml.buildDir, config, port: Number(process.env.ZKML_APP_PORT ?? 5173) });

  const accounts = hre.config.networks.hardhat.accounts;
  console.log(`\nThe app: ${app.url}`);
  console.log(`Wallet: add the network ${rpcUrl} (chain id 31337, currency ETH) and import a Hardhat account,`);
  if (!Array.isArray(accounts)) console.log(`e.g. from the mnemonic "${accounts.mnemonic}" (the 3rd account is a plain user: no contract roles).`);
  console.log("Ctrl-C stops the node and the server.");
  await new Promise<void>((resolve) => process.once("SIGINT", resolve));
  await app.close();
  await server.close();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
