import { GadgetDef } from "./types";
import { quotientShifts } from "./mutations";

/**
 * The offset-binary digits of round-half-up(in / 2^shift) (SignedDigits(shift, width)): a table's
 * sign, range flag and index from one decomposition.
 */
export const split: GadgetDef = {
  template: { instance: (s) => `SignedDigits(${s.shift}, ${s.width})`, input: () => "in", output: (i) => `bits[${i}]` },
  constraints: (s) => s.shift + s.width + 1,
  r1cs(w, g) {
    const { q } = w.digits(g.inputs[0], g.site.shift, g.site.width, ["rbits", "bits"]);
    q.forEach((wire, i) => w.setSignal(g, i, wire));
  },
  // The same coherent forgery as a rescale's: every bit a table reads moves with the quotient.
  mutations: (m) => quotientShifts(m, `main.g${m.k}`, "bits", "rbits"),
};
