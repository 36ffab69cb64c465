import { expect } from "chai";
import { AttrValue, GraphSpec, InitializerSpec, NodeSpec, ValueSpec } from "../../src/onnx/writer";
import { size } from "../../src/ir/graph";
import { quantizeModel } from "../../src/quantize";
import { roundShift } from "../../src/numeric/fixed-point";
import {
  expectClose,
  expectWithinBounds,
  expectZkmlError,
  f32,
  GraphEdit,
  importSpec,
  inputRange,
  int64Initializer,
  QUANT,
  randomArray,
  randomInputs,
  rng,
  runQuantized,
} from "./helpers";

// ---------------------------------------------------------------------------------------------
// A float reference written independently of src/: plain loops over row-major arrays.

interface T {
  dims: number[];
  data: number[];
}

function strides(dims: number[]): number[] {
  const s = dims.map(() => 1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/** numpy broadcasting of a binary function. */
function broadcast(a: T, b: T, f: (x: number, y: number) => number): T {
  const n = Math.max(a.dims.length, b.dims.length);
  const pad = (d: number[]) => [...Array(n - d.length).fill(1), ...d];
  const [da, db] = [pad(a.dims), pad(b.dims)];
  const dims = da.map((x, i) => Math.max(x, db[i]));
  const [sa, sb, so] = [strides(da), strides(db), strides(dims)];
  const data = Array.from({ length: size(dims) }, (_, flat) => {
    let ia = 0;
    let ib = 0;
    dims.forEach((_d, i) => {
      const idx = Math.floor(flat / so[i]) % dims[i];
      if (da[i] !== 1) ia += idx * sa[i];
      if (db[i] !== 1) ib += idx * sb[i];
    });
    return f(a.data[ia], b.data[ib]);
  });
  return { dims, data };
}

/** [..., K] x [K, N] -> [..., N] (a 1-D left operand drops its row dimension, as in ONNX). */
function matmul(a: T, w: T): T {
  const [K, N] = w.dims;
  const rows = a.data.length / K;
  const data: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += a.data[r * K + k] * w.data[k * N + n];
      data.push(acc);
    }
  return { dims: [...a.dims.slice(0, -1), N], data };
}

function transpose(t: T): T {
  const [R, C] = t.dims;
  return { dims: [C, R], data: Array.from({ length: R * C }, (_, i) => t.data[(i % R) * C + Math.floor(i / R)]) };
}

function gemm(a: T, b: T, c: T | undefined, o: { transA?: number; transB?: number; alpha?: number; beta?: number }): T {
  const prod = matmul(o.transA ? transpose(a) : a, o.transB ? transpose(b) : b);
  const scaled = { dims: prod.dims, data: prod.data.map((v) => (o.alpha ?? 1) * v) };
  return c ? broadcast(scaled, c, (x, y) => x + (o.beta ?? 1) * y) : scaled;
}

const relu = (t: T): T => ({ dims: t.dims, data: t.data.map((v) => Math.max(v, 0)) });

// ---------------------------------------------------------------------------------------------
// Model building

const rand = rng(2024);

/** A float32 initializer with random values in [-1, 1). */
function init(name: string, dims: number[], scale = 1): InitializerSpec & T {
  return { name, dims, data: f32(randomArray(rand, size(dims), -scale, scale)) };
}

function node(opType: string, inputs: string[], outputs: string[], attributes?: Record<string, AttrValue>): NodeSpec {
  return { name: `${opType.toLowerCase()}_${outputs[0]}`, opType, inputs, outputs, attributes };
}

function spec(inputs: ValueSpec[], nodes: NodeSpec[], initializers: InitializerSpec[] = [], out = "y"): GraphSpec {
  // The declared output shape is not used by the importer (it infers shapes), so it is left unknown.
  return { name: "op_test", inputs, outputs: [{ name: out, dims: ["n"] }], initializers, nodes };
}

const x = (...dims: number[]): ValueSpec => ({ name: "x", dims });

interface OpCase {
  title: string;
  spec: GraphSpec;
  /** The float result for float inputs (one list per graph input). */
  reference: (inputs: number[][]) => T;
  /** An edit of the encoded model, for what the writer cannot express. */
  mutate?: GraphEdit;
}

function gemmCase(title: string, xDims: number[], bDims: number[], cDims: number[] | undefined, attrs: { transA?: number; transB?: number; alpha?: number; beta?: number }): OpCase {
  const B = init("B", bDims);
  const C = cDims && init("C", cDims);
  const attributes: Record<string, AttrValue> = {};
  if (attrs.transA !== undefined) attributes.transA = { i: attrs.transA };
  if (attrs.transB !== undefined) attributes.transB = { i: attrs.transB };
  if (attrs.alpha !== undefined) attributes.alpha = { f: attrs.alpha };
  if (attrs.beta !== undefined) attributes.beta = { f: attrs.beta };
  return {
    title,
    spec: spec([x(...xDims)], [node("Gemm", C ? ["x", "B", "C"] : ["x", "B"], ["y"], attributes)], C ? [B, C] : [B]),
    reference: ([xs]) => gemm({ dims: xDims, data: xs }, B, C, attrs),
  };
}

function relabelCase(title: string, xDims: number[], nodes: NodeSpec[], outDims: number[], initializers: InitializerSpec[] = []): OpCase {
  return { title, spec: spec([x(...xDims)], nodes, initializers), reference: ([xs]) => ({ dims: outDims, data: xs }) };
}

const CASES: OpCase[] = [];

// Gemm
CASES.push(gemmCase("Gemm with bias [N]", [2, 3], [3, 4], [4], {}));
CASES.push(gemmCase("Gemm with transB=1", [2, 3], [4, 3], [4], { transB: 1 }));
CASES.push(gemmCase("Gemm with transA=1", [3, 2], [3, 4], [2, 4], { transA: 1 }));
CASES.push(gemmCase("Gemm with transA, transB, alpha, beta and bias broadcast from [M, 1]", [3, 2], [4, 3], [2, 1], { transA: 1, transB: 1, alpha: 0.5, beta: 2 }));
CASES.push(gemmCase("Gemm with negative alpha and bias broadcast from [1, N]", [2, 3], [3, 4], [1, 4], { alpha: -1.5, beta: 0.25 }));
CASES.push(gemmCase("Gemm with a scalar bias", [2, 3], [3, 4], [], { beta: -3 }));
CASES.push(gemmCase("Gemm without bias", [1, 5], [5, 2], undefined, {}));
CASES.push(gemmCase("Gemm with transB and no bias (1l_linear-like, K=1)", [1, 1], [1, 1], undefined, { transB: 1 }));

// MatMul
{
  const W = init("W", [4, 5]);
  CASES.push({
    title: "MatMul with batch dimensions [2, 3, 4] x [4, 5]",
    spec: spec([x(2, 3, 4)], [node("MatMul", ["x", "W"], ["y"])], [W]),
    reference: ([xs]) => matmul({ dims: [2, 3, 4], data: xs }, W),
  });
  const V = init("V", [4, 3]);
  CASES.push({
    title: "MatMul with a 1-D left operand [4] x [4, 3]",
    spec: spec([x(4)], [node("MatMul", ["x", "V"], ["y"])], [V]),
    reference: ([xs]) => matmul({ dims: [4], data: xs }, V),
  });
}

// Add / Sub
for (const [op, f] of [["Add", (a: number, b: number) => a + b], ["Sub", (a: number, b: number) => a - b]] as const) {
  for (const cDims of [[3], [2, 1], [1, 3], [], [2, 2, 3]]) {
    const c = init("c", cDims, 3);
    CASES.push({
      title: `${op}: tensor [2, 3] and constant [${cDims}]`,
      spec: spec([x(2, 3)], [node(op, ["x", "c"], ["y"])], [c]),
      reference: ([xs]) => broadcast({ dims: [2, 3], data: xs }, c, f),
    });
  }
  const c = init("c", [2, 1], 3);
  CASES.push({
    title: `${op}: constant [2, 1] and tensor [2, 3] (constant on the left)`,
    spec: spec([x(2, 3)], [node(op, ["c", "x"], ["y"])], [c]),
    reference: ([xs]) => broadcast(c, { dims: [2, 3], data: xs }, f),
  });
  CASES.push({
    title: `${op}: two graph inputs [2, 3] and [3] (same scale, broadcast)`,
    spec: spec([x(2, 3), { name: "z", dims: [3] }], [node(op, ["x", "z"], ["y"])]),
    reference: ([xs, zs]) => broadcast({ dims: [2, 3], data: xs }, { dims: [3], data: zs }, f),
  });
  CASES.push({
    title: `${op}: two graph inputs [2, 1] and [1, 3] (both broadcast)`,
    spec: spec([x(2, 1), { name: "z", dims: [1, 3] }], [node(op, ["x", "z"], ["y"])]),
    reference: ([xs, zs]) => broadcast({ dims: [2, 1], data: xs }, { dims: [1, 3], data: zs }, f),
  });
  // A MatMul output carries scale 2*scaleBits, the graph input scaleBits: the input is scaled up.
  const W = init("W", [3, 3]);
  CASES.push({
    title: `${op}: MatMul output (scale 24) and graph input (scale 12)`,
    spec: spec([x(2, 3)], [node("MatMul", ["x", "W"], ["h"]), node(op, ["h", "x"], ["y"])], [W]),
    reference: ([xs]) => broadcast(matmul({ dims: [2, 3], data: xs }, W), { dims: [2, 3], data: xs }, f),
  });
  const V = init("V", [3, 1]);
  CASES.push({
    title: `${op}: graph input [2, 3] (scale 12) and MatMul output [2, 1] (scale 24), broadcast`,
    spec: spec([x(2, 3)], [node("MatMul", ["x", "V"], ["h"]), node(op, ["x", "h"], ["y"])], [V]),
    reference: ([xs]) => broadcast({ dims: [2, 3], data: xs }, matmul({ dims: [2, 3], data: xs }, V), f),
  });
}

// Relu
CASES.push({
  title: "Relu on a graph input",
  spec: spec([x(2, 3)], [node("Relu", ["x"], ["y"])]),
  reference: ([xs]) => relu({ dims: [2, 3], data: xs }),
});
{
  const B = init("B", [4, 3]);
  const C = init("C", [4]);
  const W = init("W", [4, 2]);
  CASES.push({
    title: "Relu after Gemm (fused rescale) feeding a MatMul",
    spec: spec(
      [x(2, 3)],
      [node("Gemm", ["x", "B", "C"], ["h"], { transB: { i: 1 } }), node("Relu", ["h"], ["r"]), node("MatMul", ["r", "W"], ["y"])],
      [B, C, W],
    ),
    reference: ([xs]) => matmul(relu(gemm({ dims: [2, 3], data: xs }, B, C, { transB: 1 })), W),
  });
}

// Shape-only ops
CASES.push(relabelCase("Flatten with the default axis 1", [2, 3, 4], [node("Flatten", ["x"], ["y"])], [2, 12]));
CASES.push(relabelCase("Flatten with axis 0", [2, 3, 4], [node("Flatten", ["x"], ["y"], { axis: { i: 0 } })], [1, 24]));
CASES.push(relabelCase("Flatten with axis 2", [2, 3, 4], [node("Flatten", ["x"], ["y"], { axis: { i: 2 } })], [6, 4]));
CASES.push(relabelCase("Flatten with axis -1", [2, 3, 4], [node("Flatten", ["x"], ["y"], { axis: { i: -1 } })], [6, 4]));
CASES.push(relabelCase("Flatten with axis = rank", [2, 3, 4], [node("Flatten", ["x"], ["y"], { axis: { i: 3 } })], [24, 1]));
CASES.push(
  relabelCase(
    "Reshape to [0, -1] from a Constant node",
    [2, 3, 2],
    [node("Constant", [], ["s"], { value_ints: { ints: [0, -1] } }), node("Reshape", ["x", "s"], ["y"])],
    [2, 6],
  ),
);
CASES.push(
  relabelCase(
    "Reshape to [0, 2, -1] from a Constant node",
    [2, 3, 4],
    [node("Constant", [], ["s"], { value_ints: { ints: [0, 2, -1] } }), node("Reshape", ["x", "s"], ["y"])],
    [2, 2, 6],
  ),
);
CASES.push({
  ...relabelCase("Reshape to [-1, 3] from an INT64 initializer", [2, 3, 2], [node("Reshape", ["x", "shape"], ["y"])], [4, 3]),
  mutate: (g) => g.initializer.push(int64Initializer("shape", [-1, 3])),
});
CASES.push(relabelCase("Identity", [2, 3], [node("Identity", ["x"], ["y"])], [2, 3]));
CASES.push(relabelCase("Cast to FLOAT", [2, 3], [node("Cast", ["x"], ["y"], { to: { i: 1 } })], [2, 3]));
CASES.push(relabelCase("Cast to DOUBLE", [2, 3], [node("Cast", ["x"], ["y"], { to: { i: 11 } })], [2, 3]));
{
  const W = init("W", [2, 1]);
  const b = init("b", [1]);
  CASES.push({
    title: "Cast to FLOAT then Gemm (linear_regression-like)",
    spec: spec([x(1, 2)], [node("Cast", ["x"], ["xc"], { to: { i: 1 } }), node("Gemm", ["xc", "W", "b"], ["y"])], [W, b]),
    reference: ([xs]) => gemm({ dims: [1, 2], data: xs }, W, b, {}),
  });
}

// ---------------------------------------------------------------------------------------------

describe("ops: quantized evaluation against a float reference", () => {
  CASES.forEach((c, index) => {
    describe(c.title, () => {
      const load = () => importSpec(c.spec, c.mutate);

      it("imports with the reference output shape", () => {
        const graph = load();
        const ref = c.reference(graph.inputs.map((vi) => new Array(size(vi.shape)).fill(0)));
        expect(graph.outputs.map((o) => o.shape)).to.deep.equal([ref.dims]);
      });

      it("matches the float reference on random inputs", () => {
        const graph = load();
        const model = quantizeModel(graph, QUANT);
        const r = rng(index + 1);
        for (let trial = 0; trial < 5; trial++) {
          const inputs = randomInputs(graph, r);
          const ref = c.reference(inputs);
          const run = runQuantized(graph, inputs, QUANT, model);
          expect(run.shapes).to.deep.equal([ref.dims]);
          expectClose(run.outputs[0], ref.data, 1e-2, `trial ${trial} output`);
        }
      });

      it("stays within the static bounds for random and extreme inputs", () => {
        const graph = load();
        const model = quantizeModel(graph, QUANT);
        const r = rng(1000 + index);
        const half = 1n << BigInt(QUANT.inputBits - 1);
        const trials: bigint[][][] = [
          graph.inputs.map((vi) => new Array<bigint>(size(vi.shape)).fill(-half)),
          graph.inputs.map((vi) => new Array<bigint>(size(vi.shape)).fill(half - 1n)),
        ];
        for (let i = 0; i < 5; i++)
          trials.push(graph.inputs.map((vi) => Array.from({ length: size(vi.shape) }, () => BigInt(Math.floor((r() * 2 - 1) * Number(half))))));
        for (const q of trials) expectWithinBounds(model, q);
      });
    });
  });
});

describe("ops: range checks", () => {
  const half = 1n << BigInt(QUANT.inputBits - 1);
  const { min, max } = inputRange();
  const fitsIn = (v: bigint, w: number) => v >= -(1n << BigInt(w - 1)) && v < 1n << BigInt(w - 1);
  const minimalWidth = (lo: bigint, hi: bigint) => {
    let w = 1;
    while (!fitsIn(lo, w) || !fitsIn(hi, w)) w++;
    return w;
  };
  /** round-half-up(v * 2^s) computed in exact integer arithmetic from the float32 value. */
  const quantizeExact = (v: number, s: number) => roundShift(BigInt(Math.round(v * 2 ** 40)) * (1n << BigInt(s)), 40);

  it("Relu on a graph input checks exactly inputBits bits, and both ends of the input range evaluate", () => {
    const graph = importSpec(spec([x(1, 4)], [node("Relu", ["x"], ["y"])]));
    const model = quantizeModel(graph, QUANT);
    expect(model.sites.map((s) => [s.kind, s.width])).to.deep.equal(new Array(4).fill(["relu", QUANT.inputBits]));
    const run = runQuantized(graph, [[min, max, -0.5, 0.5]], QUANT, model);
    expect(run.outputs).to.deep.equal([[0, max, 0, 0.5]]);
    const values = expectWithinBounds(model, run.qInputs);
    expect(values).to.deep.equal([-half, half - 1n, -2048n, 2048n]);
    // One bit less could hold neither end of the range.
    expect(fitsIn(-half, QUANT.inputBits - 1) || fitsIn(half - 1n, QUANT.inputBits - 1)).to.equal(false);
  });

  for (const withRelu of [false, true]) {
    it(`Gemm${withRelu ? " + Relu" : ""}: each output's width is exactly what its extreme inputs reach`, () => {
      const B = init("B", [3, 2], 2);
      const C = init("C", [2], 2);
      const nodes = withRelu
        ? [node("Gemm", ["x", "B", "C"], ["h"]), node("Relu", ["h"], ["y"])]
        : [node("Gemm", ["x", "B", "C"], ["y"])];
      const graph = importSpec(spec([x(1, 3)], nodes, [B, C]));
      const model = quantizeModel(graph, QUANT);
      expect(model.sites.map((s) => [s.kind, s.shift])).to.deep.equal(new Array(2).fill([withRelu ? "rescaleRelu" : "rescale", QUANT.scaleBits]));

      for (let n = 0; n < 2; n++) {
        // By hand: weights at scaleBits, bias at 2*scaleBits, each input in [-half, half - 1].
        const w = [0, 1, 2].map((k) => quantizeExact(B.data[k * 2 + n], QUANT.scaleBits));
        const bias = quantizeExact(C.data[n], 2 * QUANT.scaleBits);
        const toHi = w.map((wk) => (wk >= 0n ? half - 1n : -half));
        const toLo = w.map((wk) => (wk >= 0n ? -half : half - 1n));
        const at = (xs: bigint[]) => roundShift(xs.reduce((acc, xk, k) => acc + xk * w[k], bias), QUANT.scaleBits);
        const [lo, hi] = [at(toLo), at(toHi)];
        expect(model.sites[n].width, `output ${n} width`).to.equal(minimalWidth(lo, hi));

        // Both extremes are proven without error (through quantizeInputs from floats, too) and reach the bound.
        for (const [corner, bound] of [[toLo, lo], [toHi, hi]] as const) {
          expect(expectWithinBounds(model, [corner])[n]).to.equal(bound);
          const floats = corner.map((q) => (q < 0n ? min : max));
          const out = runQuantized(graph, [floats], QUANT, model).outputs[0][n];
          expect(out).to.equal(Number(withRelu && bound < 0n ? 0n : bound) / 2 ** QUANT.scaleBits);
        }
      }
    });
  }

  it("Add, Sub and shape-only ops need no range check; a MatMul output needs one per element", () => {
    const c = init("c", [3]);
    const sitesOf = (nodes: NodeSpec[], inits: InitializerSpec[] = []) => quantizeModel(importSpec(spec([x(2, 3)], nodes, inits)), QUANT).sites;
    expect(sitesOf([node("Add", ["x", "c"], ["a"]), node("Sub", ["a", "x"], ["f"]), node("Flatten", ["f"], ["i"]), node("Identity", ["i"], ["y"])], [c])).to.deep.equal([]);
    const W = init("W", [3, 5]);
    const sites = sitesOf([node("MatMul", ["x", "W"], ["y"])], [W]);
    expect(sites.map((s) => s.kind)).to.deep.equal(new Array(10).fill("rescale"));
    expect(sites.map((s) => s.index)).to.deep.equal([...Array(10).keys()]);
  });

  it("refuses a model whose intermediate values could wrap around the field", () => {
    const W = { name: "W", dims: [1, 1], data: [1e30] };
    const graph = importSpec(spec([x(1, 1)], [node("MatMul", ["x", "W"], ["y"])], [W]));
    expect(() => quantizeModel(graph, { scaleBits: 12, inputBits: 24 })).not.to.throw();
    expectZkmlError(() => quantizeModel(graph, { scaleBits: 32, inputBits: 128 }), "wrap around the field", "lower scaleBits or inputBits");
  });
});

describe("ops: unsupported uses are ZkmlErrors naming the node", () => {
  const y = (dims: number[]) => ({ name: "z", dims });

  it("Cast of a computed value to a string (at quantization); integer and bool casts are supported", () => {
    const graph = importSpec(spec([x(2, 3)], [node("Cast", ["x"], ["y"], { to: { i: 8 } })]));
    expectZkmlError(() => quantizeModel(graph, QUANT), 'Cast node "cast_y"', "ONNX type 8", "float, integer and bool types are");
  });

  it("Gemm with a computed weight operand (at quantization; MatMul of two values is in arith.test.ts)", () => {
    for (const op of ["Gemm"]) {
      const graph = importSpec(spec([x(2, 3), y([3, 4])], [node(op, ["x", "z"], ["y"])]));
      expectZkmlError(() => quantizeModel(graph, QUANT), `${op} node "${op.toLowerCase()}_y"`, "must be a constant initializer");
    }
  });

  it("incompatible shapes (at import)", () => {
    const W = init("W", [4, 5]);
    const c = init("c", [4]);
    const cases: [NodeSpec[], InitializerSpec[], ValueSpec[], string[]][] = [
      [[node("Add", ["x", "c"], ["y"])], [c], [x(2, 3)], ['Add node "add_y"', "[2,3] and [4] cannot be broadcast"]],
      [[node("Sub", ["x", "z"], ["y"])], [], [x(2, 3), y([2, 2])], ['Sub node "sub_y"', "cannot be broadcast"]],
      [[node("MatMul", ["x", "W"], ["y"])], [W], [x(2, 3)], ['MatMul node "matmul_y"', "cannot multiply [2,3] by [4,5]"]],
      [[node("Gemm", ["x", "W"], ["y"])], [W], [x(1, 2, 4)], ['Gemm node "gemm_y"', "2-D operands"]],
      [[node("Gemm", ["x", "W"], ["y"], { transB: { i: 1 } })], [W], [x(2, 4)], ['Gemm node "gemm_y"', "cannot multiply"]],
      [[node("Flatten", ["x"], ["y"], { axis: { i: 4 } })], [], [x(2, 3, 4)], ['Flatten node "flatten_y"', "out of range"]],
      [[node("Constant", [], ["s"], { value_ints: { ints: [4, 4] } }), node("Reshape", ["x", "s"], ["y"])], [], [x(2, 3)], ['Reshape node "reshape_y"', "cannot reshape [2,3]"]],
      [[node("Constant", [], ["s"], { value_ints: { ints: [-1, -1] } }), node("Reshape", ["x", "s"], ["y"])], [], [x(2, 3)], ["more than one -1"]],
      [[node("Constant", [], ["s"], { value_ints: { ints: [-1, 4] } }), node("Reshape", ["x", "s"], ["y"])], [], [x(2, 3)], ["cannot reshape [2,3] to [-1,4]"]],
      [[node("Reshape", ["x", "z"], ["y"])], [], [x(2, 3), y([2])], ["target shape must be a constant"]],
    ];
    for (const [nodes, inits, inputs, patterns] of cases) expectZkmlError(() => importSpec(spec(inputs, nodes, inits)), ...patterns);
  });
});
