import { Domain, SiteInfo } from "./domain";

/**
 * Circuits composed from the Domain's primitives. Because they are written against Domain<T>, the
 * evaluator, the bounds pass and the lowering run the same steps: bit-exactness and soundness follow
 * from the primitives (each of which constrains every hint it uses).
 */

/** max(a, b) = b + relu(a - b). */
export function maxOf<T>(dom: Domain<T>, a: T, b: T, site: SiteInfo): T {
  return dom.add(b, dom.relu(dom.add(a, dom.mulConst(b, -1n)), site));
}

/** min(a, b) = a - relu(a - b). */
export function minOf<T>(dom: Domain<T>, a: T, b: T, site: SiteInfo): T {
  return dom.add(a, dom.mulConst(dom.relu(dom.add(a, dom.mulConst(b, -1n)), site), -1n));
}

/** 1 when a >= b, else 0. */
export function greaterOrEqual<T>(dom: Domain<T>, a: T, b: T, site: SiteInfo): T {
  return dom.nonneg(dom.add(a, dom.mulConst(b, -1n)), site);
}

/** 1 when a < b, else 0. */
export function lessThan<T>(dom: Domain<T>, a: T, b: T, site: SiteInfo): T {
  return not(dom, greaterOrEqual(dom, a, b, site));
}

export function not<T>(dom: Domain<T>, bit: T): T {
  return dom.add(dom.constant(1n), dom.mulConst(bit, -1n));
}

/** cond ? a : b for a cond proven to be 0 or 1. */
export function select<T>(dom: Domain<T>, cond: T, a: T, b: T, site: SiteInfo): T {
  return dom.add(b, dom.mul(cond, dom.add(a, dom.mulConst(b, -1n)), site));
}

/** clamp(a, lo, hi) for integer constants lo <= hi. */
export function clamp<T>(dom: Domain<T>, a: T, lo: bigint, hi: bigint, site: SiteInfo): T {
  const atLeastLo = maxOf(dom, a, dom.constant(lo), site);
  return minOf(dom, atLeastLo, dom.constant(hi), site);
}

/**
 * The 2^n products that select one of 2^n entries from n bits (most significant last): entry j is 1
 * exactly when the bits spell j (bits[0] least significant). Costs 2^n - 2 multiplications.
 */
export function oneHot<T>(dom: Domain<T>, bits: T[], site: SiteInfo): T[] {
  let sel: T[] = [dom.constant(1n)];
  for (let i = bits.length - 1; i >= 0; i--) {
    const b = bits[i];
    const next: T[] = [];
    for (const e of sel) {
      // The first level multiplies by the constant 1: no product needed.
      const on = sel.length === 1 ? b : dom.mul(e, b, site);
      next.push(dom.add(e, dom.mulConst(on, -1n)), on);
    }
    sel = next;
  }
  return sel;
}

/** round(2^k / n): a reciprocal precise enough that dividing by n costs no more than rounding. */
export function reciprocal(n: number, extraBits: number): { q: bigint; shift: number } {
  const shift = extraBits + Math.ceil(Math.log2(Math.max(n, 1)));
  return { q: BigInt(Math.round(2 ** shift / n)), shift };
}
