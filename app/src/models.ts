// Compiled models' manifests, as the server publishes them (/zkml/<name>/manifest.json): the page encodes each
// proof's witness input and decodes its public signals with the plugin's own code, from the same manifest.
import type { Manifest } from "../../src/pipeline/manifest";
import { AppError } from "./errors";

const manifests = new Map<string, Promise<Manifest>>();

export function manifest(name: string): Promise<Manifest> {
  let m = manifests.get(name);
  if (!m) {
    m = fetch(`/zkml/${name}/manifest.json`).then(async (res) => {
      if (!res.ok) throw new AppError(`The model "${name}" is not served here (HTTP ${res.status}); start the app with \`npm run app\`.`);
      return (await res.json()) as Manifest;
    });
    manifests.set(name, m);
  }
  return m;
}

/** The number of values a model's first input takes. */
export const inputSize = (m: Manifest): number => m.inputs[0].shape.reduce((a, b) => a * b, 1);
