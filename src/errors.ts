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
