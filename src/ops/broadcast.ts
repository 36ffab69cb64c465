import { fail } from "../errors";
import { describeNode, Node, size, Tensor } from "../ir/graph";

/** ONNX multidirectional (numpy) broadcasting of two shapes. */
export function broadcastShapes(a: number[], b: number[], where: string): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) fail(`${where}: shapes [${a}] and [${b}] cannot be broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** For each flat index of `outShape`, the flat index of the broadcast operand of shape `inShape`. */
export function broadcastIndex(outShape: number[], inShape: number[]): number[] {
  const n = outShape.length;
  const padded = [...Array(n - inShape.length).fill(1), ...inShape];
  const strides = new Array<number>(n);
  let s = 1;
  for (let i = n - 1; i >= 0; i--) {
    strides[i] = padded[i] === 1 ? 0 : s;
    s *= padded[i];
  }
  const total = size(outShape);
  const map = new Array<number>(total);
  for (let flat = 0; flat < total; flat++) {
    let rem = flat;
    let src = 0;
    for (let i = n - 1; i >= 0; i--) {
      const idx = rem % outShape[i];
      rem = Math.floor(rem / outShape[i]);
      src += idx * strides[i];
    }
    map[flat] = src;
  }
  return map;
}

/** inferShapes of an elementwise binary op: the broadcast of its two operands. */
export function binaryShape(node: Node, [a, b]: { shape: number[] }[]): number[][] {
  return [broadcastShapes(a.shape, b.shape, describeNode(node))];
}

/** Float folding of an elementwise binary op with broadcasting. */
export function foldBinary(f: (a: number, b: number) => number): (node: Node, ins: Tensor[]) => Tensor[] {
  return (node, [a, b]) => {
    const dims = broadcastShapes(a.dims, b.dims, describeNode(node));
    const ia = broadcastIndex(dims, a.dims);
    const ib = broadcastIndex(dims, b.dims);
    return [{ dims, data: ia.map((j, i) => f(a.data[j], b.data[ib[i]])) }];
  };
}
