import type { ProveOptions, ProveResult } from "../pipeline/prove";

/**
 * What the mint helpers need of `hre`: its `zkml.prove`. Hardhat 2's and Hardhat 3's runtime
 * environments both have it, and so does `{ zkml: new ZkmlRuntime(...) }` outside Hardhat.
 */
export interface ZkmlProverHost {
  zkml: { prove(name: string, input: unknown, opts?: ProveOptions): Promise<ProveResult> };
}
