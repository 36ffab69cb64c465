import { GadgetDef } from "./types";
import { one, signFlip } from "./mutations";

/** 1 when in >= 0: the top bit of SignedRangeCheck(width). */
export const nonneg: GadgetDef = {
  template: { instance: (s) => `SignedRangeCheck(${s.width})`, input: one("in"), output: one("nonneg") },
  constraints: (s) => s.width + 2,
  r1cs(w, g) {
    const bits = w.signedRange(g.inputs[0], g.site.width, "bits");
    w.setSignal(g, 0, bits[bits.length - 1]);
  },
  mutations: signFlip,
};
