import { GadgetDef } from "./types";
import { one, signFlip, two } from "./mutations";

/** a·b of two computed values: one constraint, nothing for the prover to choose (Mul()). */
export const mul: GadgetDef = {
  template: { instance: () => "Mul()", input: two("a", "b"), output: one("out") },
  constraints: () => 1,
  r1cs(w, g) {
    const [a, b] = g.inputs;
    w.setSignal(g, 0, w.product(w.operand(a), w.operand(b), () => w.value(a) * w.value(b), "out"));
  },
  mutations: signFlip,
};
