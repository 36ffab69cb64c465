import { GadgetDef } from "./types";
import { one, signFlip } from "./mutations";

/** max(in, 0) with in proven to fit `width` signed bits: Relu(width). */
export const relu: GadgetDef = {
  template: { instance: (s) => `Relu(${s.width})`, input: one("in"), output: one("out") },
  constraints: (s) => s.width + 2,
  r1cs(w, g) {
    const a = g.inputs[0];
    const bits = w.signedRange(a, g.site.width, "range.bits");
    const top = bits[bits.length - 1];
    w.setSignal(g, 0, w.product(w.signedValue(bits), new Map([[top, 1n]]), () => w.value(a) * w.bitValue(top), "out"));
  },
  mutations: signFlip,
};
