import { fail } from "../errors";

/** Fixed-point arithmetic shared by the ops, the evaluator and the bounds pass: one rounding everywhere. */

/** round-half-up(x * 2^scale) as an integer, refusing non-finite input. */
export function quantizeReal(x: number, scale: number, what: string): bigint {
  if (!Number.isFinite(x)) fail(`${what} is ${x}; only finite numbers can be quantized`);
  return BigInt(Math.floor(x * 2 ** scale + 0.5));
}

export function dequantize(q: bigint, scale: number): number {
  return Number(q) / 2 ** scale;
}

/** floor(a / 2^shift) for any sign (BigInt's `/` truncates toward zero). */
export function floorShift(a: bigint, shift: number): bigint {
  return a >> BigInt(shift); // arithmetic shift on BigInt is a floor division
}

/** floor(a / b) for b > 0 and any sign of a. */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b > a ? q - 1n : q;
}

/** floor(a / b) for b of either sign, b != 0 (the remainder a − q·b has the sign of b). */
export function floorDivSigned(a: bigint, b: bigint): bigint {
  const q = a / b; // truncated toward zero
  return q * b !== a && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

/** floor(sqrt(x)) for x >= 0. */
export function isqrt(x: bigint): bigint {
  if (x < 0n) throw new RangeError(`isqrt of a negative value ${x}`);
  if (x < 2n) return x;
  let s = BigInt(Math.floor(Math.sqrt(Number(x))));
  // Newton from the float estimate, then fix the last unit either way.
  for (let i = 0; i < 200; i++) {
    const t = (s + x / s) >> 1n;
    if (t === s || t === s + 1n || t === s - 1n) {
      s = t;
      break;
    }
    s = t;
  }
  while (s * s > x) s--;
  while ((s + 1n) * (s + 1n) <= x) s++;
  return s;
}

/** round-half-up(a / 2^shift): the rescale every layer uses, identical in circuit and evaluator. */
export function roundShift(a: bigint, shift: number): bigint {
  if (shift === 0) return a;
  return floorShift(a + (1n << BigInt(shift - 1)), shift);
}

/** Smallest w such that -2^(w-1) <= lo and hi < 2^(w-1). */
export function signedWidth(lo: bigint, hi: bigint): number {
  let w = 1;
  while (lo < -(1n << BigInt(w - 1)) || hi >= 1n << BigInt(w - 1)) w++;
  return w;
}

/** The signed width every committed parameter is range-checked to: one width for all, so it reveals no weight's size. */
export function paramBits(values: bigint[]): number {
  if (values.length === 0) return 1;
  const lo = values.reduce((m, x) => (x < m ? x : m));
  const hi = values.reduce((m, x) => (x > m ? x : m));
  return signedWidth(lo, hi);
}

/** [-2^(bits-1), 2^(bits-1) - 1]: what a signed range check of `bits` bits admits. */
/** The quantized range the circuit range-checks every model input to (QuantParams.inputBits, inputUnsigned). */
export function inputRange(quant: { inputBits: number; inputUnsigned?: boolean }): { lo: bigint; hi: bigint } {
  return quant.inputUnsigned ? { lo: 0n, hi: (1n << BigInt(quant.inputBits)) - 1n } : signedRange(quant.inputBits);
}

export function signedRange(bits: number): { lo: bigint; hi: bigint } {
  const half = 1n << BigInt(bits - 1);
  return { lo: -half, hi: half - 1n };
}
