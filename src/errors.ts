/**
 * A user-facing error: bad input, unsupported model, missing file. Tasks print its message as one line
 * (no stack trace); anything else escaping the pipeline is a bug in hardhat-zkml.
 */
export class ZkmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ZkmlError";
  }
}

export function fail(message: string): never {
  throw new ZkmlError(message);
}

/**
 * A broken invariant: a bug in hardhat-zkml, not the user's mistake. It is a plain Error, so it keeps its
 * stack where a ZkmlError is printed as one line.
 */
export function invariant(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(`internal error: ${message}`);
}
