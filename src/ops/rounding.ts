import { Node } from "../ir/graph";
import { not } from "./composite";
import { Domain, QValue, SiteInfo } from "./domain";
import { Arg, OpContext, OpDef, valueInput } from "./op";
import { decompose } from "./piecewise";

/**
 * Floor, Ceil and Round of a fixed-point value q / 2^s to an integer, returned at scale 0 like the
 * other integer-valued results (Sign, indices): exact, and a consumer multiplies it at no cost. Each
 * is one range-checked rescale (Domain.rescale, or the decomposition Domain.split for Round), whose
 * rounding is round-half-up(a / 2^s) = floor((a + 2^(s-1)) / 2^s); with h = 2^(s-1):
 *   floor(q / 2^s) = round-half-up((q - h) / 2^s)
 *   ceil(q / 2^s)  = floor((q + 2^s - 1) / 2^s) = round-half-up((q + h - 1) / 2^s)
 *   round-half-even(q / 2^s) = r - tie * parity(r), r = round-half-up(q / 2^s),
 * where a tie is q + h = r * 2^s exactly (q / 2^s is an odd multiple of 1/2 and r rounded it up): one
 * isZero of that remainder and one product. The parity is bit 0 of the decomposition, which spells
 * r + 2^(w-1): r's own parity for a width w >= 2. A value already at scale 0 is an integer: returned
 * as it is, free. Cost per element: shift + width + 1 constraints for Floor and Ceil, 4 more for Round.
 */

type Mode = "floor" | "ceil" | "round";

function roundHalfEven(x: number): number {
  const r = Math.round(x); // half up
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const FLOAT: Record<Mode, (x: number) => number> = { floor: Math.floor, ceil: Math.ceil, round: roundHalfEven };

function toInteger<T>(d: Domain<T>, mode: Mode, x: T, s: number, site: SiteInfo): T {
  const h = 1n << BigInt(s - 1);
  if (mode === "floor") return d.rescale(d.add(x, d.constant(-h)), s, site);
  if (mode === "ceil") return d.rescale(d.add(x, d.constant(h - 1n)), s, site);
  const r = decompose(d, x, s, 0, site);
  const w = r.bits.length;
  const parity = w >= 2 ? r.bits[0] : not(d, r.bits[0]);
  const tie = d.isZero(d.add(d.add(x, d.constant(h)), d.mulConst(r.q, -(1n << BigInt(s)))), site);
  return d.add(r.q, d.mulConst(d.mul(tie, parity, site), -1n));
}

function rounding(mode: Mode): OpDef {
  return {
    arity: [1, 1],
    inferShapes: (_node, [x]) => [x.shape],
    fold: (_node, [x]) => [{ dims: x.dims, data: x.data.map(FLOAT[mode]) }],
    apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
      const x = valueInput(node, args, 0, "X");
      if (x.scale <= 0) return [x];
      const data = x.data.map((v, index) => toInteger(ctx.dom, mode, v, x.scale, { node: node.name, index }));
      return [{ shape: x.shape, scale: 0, data }];
    },
  };
}

export const Floor = rounding("floor");
export const Ceil = rounding("ceil");
/** Round: half to even, as ONNX (and numpy) define it. */
export const Round = rounding("round");
