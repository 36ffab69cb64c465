import * as fs from "fs";
import { importOnnx } from "../src/onnx/import";
import { quantizeModel, evaluateQuantized } from "../src/quantize";
import { quantizeInputs } from "../src/pipeline/input";
import { dequantize } from "../src/quantize/fixed-point";
import { runOnnxRuntime } from "../src/pipeline/reference";
const quant = { scaleBits: 12, inputBits: 24 };
(async () => {
for (const name of process.argv.slice(2)) {
  const file = `/work/shared/models/ezkl/${name}/network.onnx`;
  try {
    const g = importOnnx(fs.readFileSync(file), name);
    const inp = JSON.parse(fs.readFileSync(`/work/shared/models/ezkl/${name}/input.json`, "utf8")).input_data as number[][];
    const m = quantizeModel(g, quant);
    const q = quantizeInputs(inp, g.inputs, quant);
    const out = evaluateQuantized(m, q).map((o) => o.data.map((v) => dequantize(v, o.scale)));
    const ref = await runOnnxRuntime(file, g.inputs, inp).catch((e) => [[String(e).slice(0, 80)]]);
    console.log(name, "sites", m.sites.length, "ours", out[0].slice(0, 8), "ort", ref[0].slice(0, 8));
  } catch (e) { console.log(name, "ERR", (e as Error).message.slice(0, 300)); }
}
})();
