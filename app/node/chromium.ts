// Debian's Chromium (apt-get install chromium) through playwright-core, for the app's browser tests and its bench:
// headless, with nothing running in the background (no update checks, no sync, no QUIC probes). Playwright's own
// browser download is never used.
import fs from "fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.ZKML_CHROMIUM ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (or set ZKML_CHROMIUM)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
