import { fail } from "../errors";
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
  input: LinExpr;
  /** The signal id of the gadget's output. */
  signal: number;
}

/**
 * Lowering: linear ops only build expressions (no constraints); each non-linear step becomes a
 * gadget whose width comes from the bounds pass at the same site.
 */
export class ExprDomain implements Domain<LinExpr> {
  readonly gadgets: Gadget[] = [];

  constructor(private readonly sites: Site[], private readonly firstSignal: number) {}

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
    return this.gadget("rescale", a);
  }
  relu(a: LinExpr, _site: SiteInfo): LinExpr {
    return this.gadget("relu", a);
  }
  rescaleRelu(a: LinExpr, _shift: number, _site: SiteInfo): LinExpr {
    return this.gadget("rescaleRelu", a);
  }

  private gadget(kind: Site["kind"], input: LinExpr): LinExpr {
    const site = this.sites[this.gadgets.length];
    if (!site || site.kind !== kind) fail(`internal error: lowering and bounds pass disagree at gadget ${this.gadgets.length}`);
    const signal = this.firstSignal + this.gadgets.length;
    this.gadgets.push({ site, input, signal });
    return { terms: new Map([[signal, 1n]]), c: 0n };
  }
}

function addTerm(terms: Map<number, bigint>, s: number, k: bigint): void {
  const v = (terms.get(s) ?? 0n) + k;
  if (v === 0n) terms.delete(s);
  else terms.set(s, v);
}
