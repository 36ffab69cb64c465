import crypto from "crypto";

/** SHA-256 (hex) of the parts, each followed by a NUL so that ("ab", "c") and ("a", "bc") differ: cache and content keys. */
export function sha256(...parts: (string | Uint8Array)[]): string {
  const h = crypto.createHash("sha256");
  for (const p of parts) {
    h.update(p);
    h.update("\0");
  }
  return h.digest("hex");
}
