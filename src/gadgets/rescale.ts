import { GadgetDef } from "./types";
import { one, quotientShifts, setter } from "./mutations";

/** round-half-up(in / 2^shift), proven to fit `width` signed bits: RescaleRangeCheck(shift, width). */
export const rescale: GadgetDef = {
  template: { instance: (s) => `RescaleRangeCheck(${s.shift}, ${s.width})`, input: one("in"), output: one("out") },
  constraints: (s) => s.shift + s.width + 1,
  r1cs(w, g) {
    const { q } = w.digits(g.inputs[0], g.site.shift, g.site.width, ["rbits", "qbits"]);
    w.setSignal(g, 0, w.define(w.signedValue(q), () => w.signedOf(q), "out"));
  },
  mutations(m) {
    const set = setter(m);
    const base = `main.g${m.k}`;
    return quotientShifts(m, base, "qbits", "rbits", (changes, q) => {
      set(changes, `${base}.out`, q);
      set(changes, `${base}.nonneg`, q >= 0n ? 1n : 0n);
    });
  },
};
