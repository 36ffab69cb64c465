import { Site, SiteKind } from "../quantize/interval";
import { bits } from "./bits";
import { div } from "./div";
import { dot } from "./dot";
import { isZero } from "./is-zero";
import { mul } from "./mul";
import { nonneg } from "./nonneg";
import { relu } from "./relu";
import { rescale } from "./rescale";
import { rescaleRelu } from "./rescale-relu";
import { sdiv } from "./sdiv";
import { sqrt } from "./sqrt";
import { split } from "./split";
import { GadgetDef, GadgetMutation, MutationContext } from "./types";

/**
 * Every gadget kind, one definition each (src/gadgets/<kind>.ts). A kind added to SiteKind without a
 * complete definition here does not compile.
 */
export const GADGETS = { rescale, rescaleRelu, split, relu, nonneg, mul, isZero, bits, div, dot, sdiv, sqrt } satisfies Record<SiteKind, GadgetDef>;

export function gadgetDef(kind: SiteKind): GadgetDef {
  return GADGETS[kind];
}

/** Constraints of one gadget instance. */
export function gadgetConstraints(site: Site): number {
  return GADGETS[site.kind].constraints(site);
}

/**
 * Constraints of a model before circom runs: its gadgets plus each input's range check (circom's -O2
 * only removes linear constraints, so this is an upper estimate).
 */
export function estimateConstraints(sites: Site[], inputCount: number, inputBits: number): number {
  return sites.reduce((n, s) => n + gadgetConstraints(s), inputCount * (inputBits + 1));
}

/** The audit's coherent forgeries on one gadget instance (those that change at least one wire circom kept). */
export function gadgetMutations(m: MutationContext): GadgetMutation[] {
  return GADGETS[m.site.kind].mutations(m).filter((x) => x.changes.size > 0);
}

export type { BodyWriter, GadgetDef, GadgetMutation, MutationContext, Terms } from "./types";
export { negate } from "./types";
