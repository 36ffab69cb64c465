import { ValueInfo } from "../ir/graph";

/** The float reference: onnxruntime's CPU execution of the original ONNX file. */
export async function runOnnxRuntime(onnxFile: string, inputs: ValueInfo[], values: number[][]): Promise<number[][]> {
  // Loaded lazily: the native binding is only needed when a reference run is asked for.
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(onnxFile);
  try {
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    inputs.forEach((vi, i) => (feeds[vi.name] = new ort.Tensor("float32", Float32Array.from(values[i]), vi.shape)));
    const result = await session.run(feeds);
    return session.outputNames.map((name) => Array.from(result[name].data as Float32Array, Number));
  } finally {
    await session.release();
  }
}

/** onnxruntime on many samples with one session: each sample is a flat list per graph input. */
export async function runOnnxRuntimeBatch(onnxFile: string, inputs: ValueInfo[], samples: number[][][]): Promise<number[][][]> {
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(onnxFile);
  try {
    const out: number[][][] = [];
    for (const values of samples) {
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
      inputs.forEach((vi, i) => (feeds[vi.name] = new ort.Tensor("float32", Float32Array.from(values[i]), vi.shape)));
      const result = await session.run(feeds);
      out.push(session.outputNames.map((name) => Array.from(result[name].data as Float32Array, Number)));
    }
    return out;
  } finally {
    await session.release();
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
    return ((e as Error).message ?? String(e)).split("\n")[0];
  }
}
