import { Site } from "./interval";

/**
 * Constraints each gadget of circuits/lib/zkml.circom costs, from its site: what the circuit will
 * have before circom runs (circom's -O2 only removes linear ones, so this is an upper estimate).
 */
export function gadgetConstraints(site: Site): number {
  switch (site.kind) {
    case "rescale":
    case "split":
      return site.shift + site.width + 1;
    case "rescaleRelu":
      return site.shift + site.width + 2;
    case "relu":
    case "nonneg":
      return site.width + 2;
    case "bits":
      return site.width + 1;
    case "mul":
      return 1;
    case "dot":
      return site.width;
    case "isZero":
      return 3;
    case "div":
      return site.width + 2 * site.shift + 4;
  }
}

export function estimateConstraints(sites: Site[], inputCount: number, inputBits: number): number {
  return sites.reduce((n, s) => n + gadgetConstraints(s), inputCount * (inputBits + 1));
}
