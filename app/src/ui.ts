// What the three flows share on the page: one action at a time per card, progress in its status line, and
// failures as one sentence in its alert (./errors.ts).
import { explain } from "./errors";
import type { Session } from "./session";

export interface Card {
  el: HTMLElement;
  status(message: string): void;
  /** Runs `action` with the card's button disabled; an error becomes the card's alert. */
  run(button: HTMLButtonElement, action: () => Promise<void>, session: () => Session | undefined): Promise<void>;
}

export function card(id: string): Card {
  const el = document.getElementById(id)!;
  const status = el.querySelector<HTMLElement>(".status")!;
  const alert = el.querySelector<HTMLElement>(".error")!;
  return {
    el,
    status: (message) => {
      status.textContent = message;
    },
    async run(button, action, session) {
      button.disabled = true;
      alert.hidden = true;
      alert.textContent = "";
      for (const result of el.querySelectorAll<HTMLElement>(".result")) result.hidden = true;
      el.dataset.state = "busy";
      try {
        await action();
        el.dataset.state = "done";
      } catch (e) {
        console.error(e);
        status.textContent = "";
        alert.textContent = explain(e, session()?.interfaces ?? []);
        alert.hidden = false;
        el.dataset.state = "error";
      } finally {
        button.disabled = false;
      }
    },
  };
}

/** Fills a <dl> with term/value rows. */
export function facts(dl: HTMLElement, rows: [string, string, string?][]): void {
  dl.replaceChildren(
    ...rows.flatMap(([term, value, testId]) => {
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = value;
      if (testId) dd.dataset.testid = testId;
      return [dt, dd];
    }),
  );
  dl.hidden = false;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** A signed fixed-point integer at 2^scaleBits as a decimal. */
export const fixedPoint = (v: bigint, scaleBits: number, digits = 3) => (Number(v) / 2 ** scaleBits).toFixed(digits);
export const short = (hex: string) => (hex.length > 18 ? `${hex.slice(0, 10)}…${hex.slice(-6)}` : hex);
