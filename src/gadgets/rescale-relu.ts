import { roundShift } from "../numeric/fixed-point";
import { GadgetDef } from "./types";
import { one, quotientShifts, setter } from "./mutations";

const relu = (v: bigint) => (v > 0n ? v : 0n);

/** max(round-half-up(in / 2^shift), 0) from one decomposition: RescaleRelu(shift, width). */
export const rescaleRelu: GadgetDef = {
  template: { instance: (s) => `RescaleRelu(${s.shift}, ${s.width})`, input: one("in"), output: one("out") },
  constraints: (s) => s.shift + s.width + 2,
  r1cs(w, g) {
    const { q } = w.digits(g.inputs[0], g.site.shift, g.site.width, ["rescale.rbits", "rescale.qbits"]);
    const top = q[q.length - 1];
    w.setSignal(g, 0, w.product(w.signedValue(q), new Map([[top, 1n]]), () => w.signedOf(q) * w.bitValue(top), "out"));
  },
  mutations(m) {
    const set = setter(m);
    const base = `main.g${m.k}.rescale`;
    const shifts = quotientShifts(m, base, "qbits", "rbits", (changes, q) => {
      set(changes, `${base}.out`, q);
      set(changes, `${base}.nonneg`, q >= 0n ? 1n : 0n);
      set(changes, `main.g${m.k}.out`, relu(q));
    });
    const q = roundShift(m.t, m.site.shift);
    const flipped = new Map<number, bigint>();
    set(flipped, `${base}.nonneg`, q >= 0n ? 0n : 1n);
    set(flipped, `main.g${m.k}.out`, q >= 0n ? 0n : q);
    return [...shifts, { label: "sign flipped", changes: flipped }];
  },
};
