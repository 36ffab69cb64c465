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
 * The monomials of n bits (bits[0] least significant): entry S is the product of the bits whose
 * positions are set in S, entry 0 the constant 1. Any function of the bits is a linear combination of
 * them (its Moebius transform), so one set of 2^n - n - 1 products serves every table read off the
 * same bits.
 */
export function multilinearBasis<T>(dom: Domain<T>, bits: T[], site: SiteInfo): T[] {
  const basis: T[] = [dom.constant(1n)];
  for (let S = 1; S < 1 << bits.length; S++) {
    const low = S & -S;
    const i = 31 - Math.clz32(low);
    basis.push(S === low ? bits[i] : dom.mul(basis[S ^ low], bits[i], site));
  }
  return basis;
}

/** round(2^k / n): a reciprocal precise enough that dividing by n costs no more than rounding. */
export function reciprocal(n: number, extraBits: number): { q: bigint; shift: number } {
  const shift = extraBits + Math.ceil(Math.log2(Math.max(n, 1)));
  return { q: BigInt(Math.round(2 ** shift / n)), shift };
}
