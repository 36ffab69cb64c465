/** A crafted model exercising every non-linear tree-model op, for the circuit soundness checks. */
import * as fs from "fs";
import * as path from "path";
import { NodeSpec } from "../../src/onnx/writer";
import { encodeWith } from "../unit/helpers";
import { tmpDir } from "./helpers";

export function treeOpsModel(): string {
  const n = (name: string, opType: string, inputs: string[], outputs: string[], attributes?: NodeSpec["attributes"]): NodeSpec => ({ name, opType, inputs, outputs, attributes });
  const toInt = { to: { i: 7 } };
  const nodes: NodeSpec[] = [
    n("less", "Less", ["x", "t"], ["p"]),
    n("eq", "Equal", ["x", "c"], ["q"]),
    n("ge", "GreaterOrEqual", ["x", "u"], ["s"]),
    n("xor", "Xor", ["p", "q"], ["r"]),
    n("or", "Or", ["r", "s"], ["o"]),
    n("and", "And", ["o", "p"], ["a"]),
    n("where", "Where", ["a", "x", "c"], ["w"]),
    n("rmax", "ReduceMax", ["w"], ["y_max"], { axes: { ints: [1] }, keepdims: { i: 0 } }),
    n("argmin", "ArgMin", ["x"], ["am"], { axis: { i: 1 } }),
    n("ge_min", "GatherElements", ["x", "am"], ["y_min"], { axis: { i: 1 } }),
    n("idx", "Cast", ["u"], ["i"], toInt),
    n("pick", "GatherElements", ["x", "i"], ["y_pick"], { axis: { i: 1 } }),
    n("argmax", "ArgMax", ["u"], ["k"], { axis: { i: 1 }, keepdims: { i: 0 } }),
    n("leaf", "Gather", ["table", "k"], ["y_leaf"]),
    n("nz", "Cast", ["x"], ["bz"], { to: { i: 9 } }),
    n("nz_f", "Cast", ["bz"], ["y_nz"], { to: { i: 1 } }),
    n("mean", "ReduceMean", ["u"], ["y_mean"], { keepdims: { i: 0 } }),
  ];
  const bytes = encodeWith(
    {
      name: "tree_ops",
      inputs: [{ name: "x", dims: [2, 4] }, { name: "u", dims: [2, 4] }],
      outputs: ["y_max", "y_min", "y_pick", "y_leaf", "y_nz", "y_mean"].map((name) => ({ name, dims: [] })),
      initializers: [
        { name: "t", dims: [4], data: [0.1, 1.3, 2.2, -0.4] },
        { name: "c", dims: [1], data: [1.5] },
        { name: "table", dims: [4, 2], data: [0.5, -1, 2.25, 0, 1, 1, -3, 0.75] },
      ],
      nodes,
      opset: 13,
    },
  );
  const file = path.join(tmpDir("tree-ops"), "tree_ops.onnx");
  fs.writeFileSync(file, bytes);
  return file;
}
