// The page (app/index.html) and its prover worker, bundled with the plugin's own TypeScript from src/.
// `npm run app` builds it (app/node/build.ts) and serves it with the compiled models (app/node/server.ts).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 4096 },
  worker: { format: "es" },
});
