import { Listr } from "listr2";
import { StepRunner } from "../pipeline/compile";

/**
 * Long steps as listr2 tasks: a spinner and the elapsed time on a terminal, one line per finished
 * step otherwise (CI logs).
 */
export function listrSteps(): StepRunner {
  return async <T>(label: string, fn: () => T | Promise<T>): Promise<T> => {
    let result: T | undefined;
    await new Listr(
      [
        {
          title: label,
          task: async (_ctx, task) => {
            const t0 = Date.now();
            result = await fn();
            task.title = `${label} (${((Date.now() - t0) / 1000).toFixed(1)} s)`;
          },
        },
      ],
      { renderer: process.stdout.isTTY ? "default" : "simple", rendererOptions: { collapseErrors: false } },
    ).run();
    return result as T;
  };
}
