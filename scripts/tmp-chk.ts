import fs from "fs";
import { proveModel } from "../src/pipeline/prove";
import { releaseSnarkjs } from "../src/backend/snarkjs";
(async () => {
  const name = process.argv[2];
  const r = await proveModel(`/work/main/zkml-build/conformance/${name}`, JSON.parse(fs.readFileSync(`/work/shared/models/ezkl/${name}/input.json`, "utf8")));
  console.log(r.outputs[0].values.slice(0, 12), r.reference!.outputs[0].slice(0, 12));
  await releaseSnarkjs();
})();
