import { ElemType, ValueInfo } from "../ir/graph";

type Ort = typeof import("onnxruntime-node");
type OrtTensor = InstanceType<Ort["Tensor"]>;

/**
 * An input as onnxruntime takes it: a tensor of the model's own element type (a float32 tensor for an
 * int64 or double input is refused by onnxruntime: "Unexpected input data type").
 */
function feedTensor(ort: Ort, vi: ValueInfo, values: number[]): OrtTensor {
  const t: ElemType = vi.elemType ?? "float32";
  switch (t) {
    case "float32": return new ort.Tensor("float32", Float32Array.from(values), vi.shape);
    case "float64": return new ort.Tensor("float64", Float64Array.from(values), vi.shape);
    case "int64": return new ort.Tensor("int64", BigInt64Array.from(values, (v) => BigInt(v)), vi.shape);
    case "int32": return new ort.Tensor("int32", Int32Array.from(values), vi.shape);
    case "int8": return new ort.Tensor("int8", Int8Array.from(values), vi.shape);
    case "uint8": return new ort.Tensor("uint8", Uint8Array.from(values), vi.shape);
    case "bool": return new ort.Tensor("bool", Uint8Array.from(values, (v) => (v ? 1 : 0)), vi.shape);
  }
}

/** Any output tensor's values as numbers (float64, int64 and bool outputs included). */
function outputValues(t: OrtTensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint | boolean>, Number);
}

/** The float reference: onnxruntime's CPU execution of the original ONNX file. */
export async function runOnnxRuntime(onnxFile: string, inputs: ValueInfo[], values: number[][]): Promise<number[][]> {
  return (await runOnnxRuntimeBatch(onnxFile, inputs, [values]))[0];
}

/** onnxruntime on many samples with one session: each sample is a flat list per graph input. */
export async function runOnnxRuntimeBatch(onnxFile: string, inputs: ValueInfo[], samples: number[][][]): Promise<number[][][]> {
  // Loaded lazily: the native binding is only needed when a reference run is asked for.
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(onnxFile);
  try {
    const out: number[][][] = [];
    for (const values of samples) {
      const feeds: Record<string, OrtTensor> = {};
      inputs.forEach((vi, i) => (feeds[vi.name] = feedTensor(ort, vi, values[i])));
      const result = await session.run(feeds);
      out.push(session.outputNames.map((name) => outputValues(result[name])));
    }
    return out;
  } finally {
    await session.release();
  }
}

/** The first line of onnxruntime's error: what a user is told when there is no float reference. */
export function firstLine(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).split("\n")[0];
}

/**
 * Why onnxruntime cannot be the float reference (it refuses to load the model, e.g. an opset-6
 * BatchNormalization, or to run it on `sample`), or undefined when it runs.
 */
export async function onnxRuntimeError(onnxFile: string, inputs: ValueInfo[], sample: number[][]): Promise<string | undefined> {
  const loadError = await onnxRuntimeLoadError(onnxFile);
  if (loadError) return loadError;
  try {
    await runOnnxRuntimeBatch(onnxFile, inputs, [sample]);
    return undefined;
  } catch (e) {
    return firstLine(e);
  }
}

/** The load error when onnxruntime refuses a model (some valid exports have no CPU kernel), else undefined. */
export async function onnxRuntimeLoadError(onnxFile: string): Promise<string | undefined> {
  const ort = await import("onnxruntime-node");
  try {
    const session = await ort.InferenceSession.create(onnxFile);
    await session.release();
    return undefined;
  } catch (e) {
    return firstLine(e);
  }
}
