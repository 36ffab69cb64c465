import { fail, invariant } from "../errors";
import { Domain, SiteInfo } from "../ops/domain";
import { Site } from "../quantize/interval";

/** sum(coef * signal) + c over circuit signals, identified by number. */
export interface LinExpr {
  terms: Map<number, bigint>;
  c: bigint;
}

/** One instance of a constrained non-linear template from circuits/lib/zkml.circom. */
export interface Gadget {
  site: Site;
  /** The template's inputs in order (`in`, or `a` and `b` for two-input gadgets). */
  inputs: LinExpr[];
  /** Signal ids of the gadget's outputs (one, or n for `bits`). */
  signals: number[];
}

/**
 * Lowering: linear ops only build expressions (no constraints); each non-linear step becomes a
 * gadget whose width comes from the bounds pass at the same site.
 */
export class ExprDomain implements Domain<LinExpr> {
  readonly gadgets: Gadget[] = [];

  private nextSignal: number;

  /** Signals from `firstSignal` on are gadget outputs; private parameter `id` is signal `paramBase + id`. */
  constructor(private readonly sites: Site[], firstSignal: number, private readonly paramBase = firstSignal) {
    this.nextSignal = firstSignal;
  }

  constant(c: bigint): LinExpr {
    return { terms: new Map(), c };
  }
  add(a: LinExpr, b: LinExpr): LinExpr {
    const terms = new Map(a.terms);
    for (const [s, k] of b.terms) addTerm(terms, s, k);
    return { terms, c: a.c + b.c };
  }
  mulConst(a: LinExpr, c: bigint): LinExpr {
    if (c === 0n) return this.constant(0n);
    const terms = new Map<number, bigint>();
    for (const [s, k] of a.terms) terms.set(s, k * c);
    return { terms, c: a.c * c };
  }
  affine(xs: LinExpr[], ws: bigint[], bias: bigint): LinExpr {
    const terms = new Map<number, bigint>();
    let c = bias;
    for (let i = 0; i < xs.length; i++) {
      const w = ws[i];
      if (w === 0n) continue;
      for (const [s, k] of xs[i].terms) addTerm(terms, s, k * w);
      c += xs[i].c * w;
    }
    return { terms, c };
  }
  rescale(a: LinExpr, _shift: number, _site: SiteInfo): LinExpr {
    return this.gadget("rescale", [a]);
  }
  relu(a: LinExpr, _site: SiteInfo): LinExpr {
    return this.gadget("relu", [a]);
  }
  rescaleRelu(a: LinExpr, _shift: number, _site: SiteInfo): LinExpr {
    return this.gadget("rescaleRelu", [a]);
  }

  mul(a: LinExpr, b: LinExpr, _site: SiteInfo): LinExpr {
    return this.gadget("mul", [a, b]);
  }
  nonneg(a: LinExpr, _site: SiteInfo): LinExpr {
    return this.gadget("nonneg", [a]);
  }
  isZero(a: LinExpr, _site: SiteInfo): LinExpr {
    return this.gadget("isZero", [a]);
  }
  bits(a: LinExpr, n: number, _site: SiteInfo): LinExpr[] {
    this.gadget("bits", [a], n);
    return this.gadgets[this.gadgets.length - 1].signals.map((s) => ({ terms: new Map([[s, 1n]]), c: 0n }));
  }
  div(a: LinExpr, b: LinExpr, _site: SiteInfo): LinExpr {
    return this.gadget("div", [a, b]);
  }
  sdiv(a: LinExpr, b: LinExpr, _site: SiteInfo): LinExpr {
    // The bounds pass chose the gadget: FloorDiv when the divisor is always positive, else SignedFloorDiv.
    return this.gadget(this.sites[this.gadgets.length]?.kind === "div" ? "div" : "sdiv", [a, b]);
  }
  sqrt(a: LinExpr, _site: SiteInfo): LinExpr {
    return this.gadget("sqrt", [a]);
  }
  split(a: LinExpr, _shift: number, _site: SiteInfo): LinExpr[] {
    const width = this.sites[this.gadgets.length]?.width ?? 0;
    this.gadget("split", [a], width);
    return this.gadgets[this.gadgets.length - 1].signals.map((s) => ({ terms: new Map([[s, 1n]]), c: 0n }));
  }
  within(a: LinExpr, _lo: bigint, _hi: bigint): LinExpr {
    return a;
  }

  param(id: number, _value: bigint): LinExpr {
    return { terms: new Map([[this.paramBase + id, 1n]]), c: 0n };
  }
  dot(xs: LinExpr[], ws: LinExpr[], _site: SiteInfo): LinExpr {
    return this.gadget("dot", [...xs, ...ws]);
  }

  /** Instantiates the next site's gadget; returns its first output. */
  private gadget(kind: Site["kind"], inputs: LinExpr[], outputs = 1): LinExpr {
    const site = this.sites[this.gadgets.length];
    invariant(site?.kind === kind, `lowering and bounds pass disagree at gadget ${this.gadgets.length}`);
    const signals = Array.from({ length: outputs }, () => this.nextSignal++);
    this.gadgets.push({ site, inputs, signals });
    return { terms: new Map([[signals[0], 1n]]), c: 0n };
  }
}

function addTerm(terms: Map<number, bigint>, s: number, k: bigint): void {
  const v = (terms.get(s) ?? 0n) + k;
  if (v === 0n) terms.delete(s);
  else terms.set(s, v);
}
