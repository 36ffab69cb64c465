import { GadgetDef } from "./types";
import { signFlip } from "./mutations";

/** sum(x[i]·w[i]) of computed values and private weights: one product per term (Dot(n)). */
export const dot: GadgetDef = {
  template: { instance: (s) => `Dot(${s.width})`, input: (i, s) => (i < s.width ? `x[${i}]` : `w[${i - s.width}]`), output: () => "out" },
  constraints: (s) => s.width,
  r1cs(w, g) {
    const n = g.site.width;
    const sum = new Map<number, bigint>();
    for (let i = 0; i < n; i++) {
      const x = g.inputs[i];
      const y = g.inputs[n + i];
      sum.set(w.product(w.operand(x), w.operand(y), () => w.value(x) * w.value(y), `prod[${i}]`), 1n);
    }
    const v = () => g.inputs.slice(0, n).reduce((s, x, i) => s + w.value(x) * w.value(g.inputs[n + i]), 0n);
    w.setSignal(g, 0, w.define(sum, v, "out"));
  },
  mutations: signFlip,
};
