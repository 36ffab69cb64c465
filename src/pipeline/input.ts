import { fail } from "../errors";
import { elemTypeRange, isIntegerInput, size, ValueInfo } from "../ir/graph";
import { QuantParams } from "../ops/domain";
import { inputRange, quantizeReal } from "../numeric/fixed-point";

/**
 * Reads model inputs as flat float lists, one per graph input, from either
 *  - EZKL's format: { "input_data": [[...flat...], ...] }, one list per graph input, or
 *  - named tensors: { "<inputName>": nested or flat array }.
 * Either may carry `output_data` (the framework's outputs, compared with when onnxruntime cannot run the
 * model), unless the model has an input of that name.
 */
export function readModelInput(raw: unknown, inputs: ValueInfo[]): number[][] {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail("input must be a JSON object");
  const obj = raw as Record<string, unknown>;
  if ("input_data" in obj) {
    const lists = obj.input_data;
    if (!Array.isArray(lists)) fail(`"input_data" must be an array with one list per model input`);
    if (lists.length !== inputs.length)
      fail(`"input_data" has ${lists.length} list(s); the model has ${inputs.length} input(s): ${inputs.map((i) => i.name).join(", ")}`);
    return inputs.map((vi, i) => flatValues(lists[i], vi));
  }
  const recorded = inputs.some((vi) => vi.name === "output_data") ? [] : ["output_data"];
  const unknown = Object.keys(obj).filter((k) => !inputs.some((vi) => vi.name === k) && !recorded.includes(k));
  if (unknown.length > 0)
    fail(`unknown input name(s) ${unknown.map((k) => `"${k}"`).join(", ")}; the model's inputs are ${inputs.map((i) => `"${i.name}"`).join(", ")}`);
  return inputs.map((vi) => {
    if (!(vi.name in obj)) fail(`missing input "${vi.name}" (shape [${vi.shape}])`);
    return flatValues(obj[vi.name], vi);
  });
}

/** Dims of a rectangular nested array (a ragged one is an error). */
function nestedDims(v: unknown, vi: ValueInfo): number[] {
  if (!Array.isArray(v)) return [];
  const inner = v.map((x) => JSON.stringify(nestedDims(x, vi)));
  if (new Set(inner).size > 1) fail(`input "${vi.name}" is a ragged array; it must have shape [${vi.shape}]`);
  return [v.length, ...(v.length > 0 ? nestedDims(v[0], vi) : [])];
}

function flatValues(v: unknown, vi: ValueInfo): number[] {
  // A flat list is read row-major; a nested one must have the input's shape (a leading batch of 1 may be left out).
  const dims = nestedDims(v, vi);
  const strip = (d: number[]) => d.slice(d.findIndex((x) => x !== 1) >= 0 ? d.findIndex((x) => x !== 1) : d.length);
  if (dims.length > 1 && JSON.stringify(strip(dims)) !== JSON.stringify(strip(vi.shape)))
    fail(`input "${vi.name}" has shape [${dims}]; the model expects [${vi.shape}]`);
  const out: number[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (typeof x === "number") out.push(x);
    else if (typeof x === "boolean" && vi.elemType === "bool") out.push(x ? 1 : 0);
    else fail(`input "${vi.name}" contains ${JSON.stringify(x)}; only numbers are allowed`);
  };
  walk(v);
  if (out.length !== size(vi.shape))
    fail(`input "${vi.name}" has ${out.length} values; its shape [${vi.shape}] needs ${size(vi.shape)}`);
  out.forEach((x, i) => {
    if (!Number.isFinite(x)) fail(`input "${vi.name}" element ${i} is ${x}; inputs must be finite numbers`);
  });
  return out;
}

/** Quantizes inputs, refusing values outside the range the circuit range-checks. */
export function quantizeInputs(values: number[][], inputs: ValueInfo[], quant: QuantParams): bigint[][] {
  const { lo, hi } = inputRange(quant);
  const bits = `inputBits=${quant.inputBits}${quant.inputUnsigned ? ", unsigned" : ""}`;
  const settings = `${bits}, scaleBits=${quant.scaleBits}`;
  return values.map((list, i) =>
    list.map((x, j) => {
      if (isIntegerInput(inputs[i])) return integerInput(x, inputs[i], j, lo, hi, bits);
      const q = quantizeReal(x, quant.scaleBits, `input "${inputs[i].name}" element ${j}`);
      if (q < lo || q > hi)
        fail(`input "${inputs[i].name}" element ${j} = ${x} is outside the provable range: rounded to a multiple of ` +
          `2^-${quant.scaleBits} it must lie in [${Number(lo) / 2 ** quant.scaleBits}, ${Number(hi) / 2 ** quant.scaleBits}] (${settings})`);
      return q;
    }),
  );
}

/**
 * An integer or bool input element, taken exactly (scale 0). It must be a value of its ONNX type and
 * lie in the inputBits range the circuit checks: [-2^23, 2^23) at the default 24 bits, so token ids up
 * to 8,388,607 (inputBits 25 doubles that). A JSON number is exact only up to 2^53, which bounds int64.
 */
function integerInput(x: number, vi: ValueInfo, j: number, min: bigint, max: bigint, settings: string): bigint {
  const [lo, hi] = elemTypeRange(vi.elemType!)!;
  if (!Number.isInteger(x) || x < lo || x > hi)
    fail(`input "${vi.name}" element ${j} = ${x} is not a value of type ${vi.elemType}${vi.elemType === "int64" ? " (integers up to 2^53 in JSON)" : ` (integers in [${lo}, ${hi}])`}`);
  if (x < Number(min) || x > Number(max))
    fail(`input "${vi.name}" element ${j} = ${x} is outside the provable range of an integer input: [${min}, ${max}] (${settings})`);
  return BigInt(x);
}
