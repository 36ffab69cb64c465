import { mod, modInverse } from "../numeric/field";
import { GadgetDef } from "./types";
import { one, signFlip } from "./mutations";

/** 1 when in == 0, else 0: IsZero(), an inverse hint pinned both ways. */
export const isZero: GadgetDef = {
  template: { instance: () => "IsZero()", input: one("in"), output: one("out") },
  constraints: () => 3,
  r1cs(w, g) {
    // in·inv = 1 - out, in·out = 0, inv·out = 0: out is 1 exactly when in = 0, and inv is unique.
    const a = g.inputs[0];
    const x = w.operand(a);
    const inv = w.wire(() => {
      const v = mod(w.value(a));
      return v === 0n ? 0n : modInverse(v);
    }, "inv");
    const out = w.wire(() => (w.value(a) === 0n ? 1n : 0n), "out");
    w.constrain(x, new Map([[inv, 1n]]), new Map([[0, 1n], [out, -1n]]));
    w.constrain(x, new Map([[out, 1n]]), new Map());
    w.constrain(new Map([[inv, 1n]]), new Map([[out, 1n]]), new Map());
    w.setSignal(g, 0, out);
  },
  mutations: signFlip,
  fieldArgument: true,
};
