import { fail } from "../errors";
import { GadgetDef, negate } from "./types";
import { one, signFlip } from "./mutations";

/** The `width` little-endian bits of in, proving 0 <= in < 2^width: Bits(width). */
export const bits: GadgetDef = {
  template: { instance: (s) => `Bits(${s.width})`, input: one("in"), output: (i) => `bits[${i}]` },
  constraints: (s) => s.width + 1,
  r1cs(w, g) {
    const a = g.inputs[0];
    const n = g.site.width;
    let t = 0n;
    if (w.witnessing) {
      t = w.value(a);
      if (t < 0n || t >= 1n << BigInt(n)) fail(`a value ${t} does not fit ${n} bits: the proof cannot be made`);
    }
    const out = w.bits(() => t, 0, n, "bits");
    w.linear(w.recombine(out), negate(w.terms(a)));
    out.forEach((wire, i) => w.setSignal(g, i, wire));
  },
  mutations: signFlip,
};
