/** A generated verifier's ABI and bytecode, from the npm solc package (as Hardhat compiles it: optimizer on, cancun). */
export function compileVerifier(source: string, contractName: string): { abi: unknown[]; bytecode: string } {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const solc = require("solc");
  const input = {
    language: "Solidity",
    sources: { "Verifier.sol": { content: source } },
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun", outputSelection: { "*": { [contractName]: ["abi", "evm.bytecode.object"] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const c = out.contracts?.["Verifier.sol"]?.[contractName];
  if (!c) throw new Error(`solc: ${(out.errors ?? []).map((e: { message: string }) => e.message).join("; ")}`);
  return { abi: c.abi, bytecode: c.evm.bytecode.object };
}
