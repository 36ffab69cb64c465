/**
 * Every op is written once, against this interface, and run in three numeric domains:
 *  - `IntervalDomain` (quantize/interval.ts): static bounds, which size every range check;
 *  - `IntegerDomain` (quantize/evaluate.ts): the bit-exact reference evaluator;
 *  - `ExprDomain` (lower/expr.ts): the lowering to circuit gadgets over linear expressions.
 * Because all three run the same op code in the same order, the n-th non-linear step in one domain is
 * the n-th in the others: that index (the "site") links a gadget to its bounds and to its ONNX node.
 */
export interface Domain<T> {
  /**
   * The bounds pass's interval of a value (integers at the value's scale); undefined in the other
   * domains. Ops that refuse inputs outside a range (Log, Exp) read it while the bounds pass runs,
   * which is before anything else, so a refused model goes no further.
   */
  staticRange?(v: T): { lo: bigint; hi: bigint };
  constant(c: bigint): T;
  add(a: T, b: T): T;
  mulConst(a: T, c: bigint): T;
  /** sum(ws[i] * xs[i]) + bias: the hot loop of every linear layer. */
  affine(xs: T[], ws: bigint[], bias: bigint): T;
  /** round-half-up(a / 2^shift), proven to fit the site's signed width. */
  rescale(a: T, shift: number, site: SiteInfo): T;
  /** max(a, 0), the sign taken from a constrained decomposition of a. */
  relu(a: T, site: SiteInfo): T;
  /** max(round-half-up(a / 2^shift), 0) with a single decomposition. */
  rescaleRelu(a: T, shift: number, site: SiteInfo): T;
  /** a * b of two computed values: one constraint, no hint. */
  mul(a: T, b: T, site: SiteInfo): T;
  /** 1 when a >= 0, else 0: the top bit of a range-checked decomposition of a. */
  nonneg(a: T, site: SiteInfo): T;
  /** 1 when a == 0, else 0 (an inverse hint, pinned by a * out == 0). */
  isZero(a: T, site: SiteInfo): T;
  /** The n little-endian bits of a, which is proven to lie in [0, 2^n). */
  bits(a: T, n: number, site: SiteInfo): T[];
  /** floor(a / b); the circuit proves b >= 1 and 0 <= a - q*b < b, so q is unique. */
  div(a: T, b: T, site: SiteInfo): T;
  /**
   * floor(a / b) for a divisor of either sign: exact floor semantics for every sign combination, the
   * remainder a − q·b taking the sign of b (0 <= r < b, or b < r <= 0). The circuit proves b != 0 (a zero
   * divisor leaves it unsatisfiable) and obtains |b| from a constrained sign bit. When the bounds pass
   * shows b >= 1 for every input, the cheaper `div` gadget is used.
   */
  sdiv(a: T, b: T, site: SiteInfo): T;
  /** floor(sqrt(a)); the circuit proves s² <= a < (s + 1)² with s range-checked, so a < 0 cannot be proven. */
  sqrt(a: T, site: SiteInfo): T;
  /**
   * Model parameter number `id`, whose quantized value is `value`: that constant in the evaluator and
   * the bounds pass; a private signal bound by the public model commitment in a circuit whose
   * parameters are private (see src/privacy).
   */
  param(id: number, value: bigint): T;
  /** sum(xs[i] * ws[i]) of computed values and private parameters: one product constraint per term. */
  dot(xs: T[], ws: T[], site: SiteInfo): T;
  /**
   * The w offset-binary bits of q = round-half-up(a / 2^shift) (shift >= 0; w is the site's width):
   * they spell q + 2^(w-1), so q = sum(bits[i] * 2^i) - 2^(w-1) and bits[w-1] is 1 exactly when
   * q >= 0. One decomposition gives the rounded value, its sign and every bit an activation table
   * needs, where rescale + relu + bits would decompose the same value three times.
   */
  split(a: T, shift: number, site: SiteInfo): T[];
  /**
   * a itself, with the bounds pass told that it lies in [lo, hi]. No constraint and no hint: the
   * caller guarantees the range for every assignment of the constrained bits a is computed from
   * (a table checks all of them), so it only sizes later range checks; were it wrong, an honest
   * proof would fail a range check, never a forged one pass.
   */
  within(a: T, lo: bigint, hi: bigint): T;
}

/** Where a non-linear step comes from, for error messages and the audit's signal map. */
export interface SiteInfo {
  node: string;
  index: number;
}

/** A quantized tensor: real value = data[i] / 2^scale. */
export interface QValue<T> {
  shape: number[];
  scale: number;
  data: T[];
  /**
   * Left finer than the model scale on purpose, for a linear layer to take as it is: the rounding
   * then happens in the rescale of that layer's outputs, which exists anyway (see run.ts).
   */
  fine?: boolean;
}

/** A node's calibrated width: one for all its elements, or one per channel of `plane` consecutive elements. */
export type CalibratedWidth = number | { plane: number; channels: number[] };

/** Fixed-point settings shared by every stage. */
export interface QuantParams {
  /** Activations and weights are kept at scale 2^scaleBits. */
  scaleBits: number;
  /** Quantized inputs must lie in [-2^(inputBits-1), 2^(inputBits-1)): a range check in-circuit. */
  inputBits: number;
  /**
   * Inputs declared non-negative (pixels, counts): quantized inputs lie in [0, 2^inputBits) instead, for
   * the same inputBits constraints each. [0, 1] at 2^10 needs 11 such bits (12 signed), and every bound
   * after the inputs starts from a range half as wide, one-sided.
   */
  inputUnsigned?: boolean;
  /**
   * Calibrated widths (quantize/calibrate.ts calibrateWidths): "node|kind" -> the signed width that
   * node's rescale, ReLU and sign checks prove, where narrower than the bounds pass's worst case; one per
   * node, or one per channel (element index / plane, modulo the channel count). The range checks enforce
   * it, so every later bound holds for any witness; an honest value beyond it cannot be proven (the
   * evaluator refuses it first). Soundness never depends on the calibration.
   */
  widths?: Record<string, CalibratedWidth>;
}
