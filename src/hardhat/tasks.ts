import { task, types } from "hardhat/config";
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { ZkmlError } from "../errors";
import type { TaskContext } from "./actions";
import { TASKS } from "./task-specs";

/** Hardhat 2's registration of the tasks in task-specs.ts; actions load only when a task runs. */
function context(hre: HardhatRuntimeEnvironment): TaskContext {
  return {
    zkml: hre.zkml,
    config: hre.config.zkml,
    root: hre.config.paths.root,
    compileSolidity: async () => {
      await hre.run("compile", { quiet: true });
    },
    importPackageContracts: true,
  };
}

for (const spec of TASKS) {
  const t = task(spec.name, spec.description);
  for (const a of spec.args) {
    const type = a.type === "int" ? types.int : types.string;
    if (a.kind === "flag") t.addFlag(a.name, a.description);
    else if (a.kind === "required") t.addParam(a.name, a.description, undefined, type);
    else t.addOptionalParam(a.name, a.description, a.default, type);
  }
  t.setAction(async (args, hre) => {
    const actions = await import("./actions");
    try {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return await actions.withRelease(() => (actions[spec.action] as (a: any, c: TaskContext) => Promise<unknown>)(args, context(hre)));
    } catch (e) {
      // A user error is one line; anything else keeps its stack.
      if (e instanceof ZkmlError) throw new HardhatPluginError("hardhat-zkml", e.message);
      throw e;
    }
  });
}
