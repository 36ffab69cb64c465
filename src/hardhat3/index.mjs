// hardhat-zkml for Hardhat 3: `import zkml from "hardhat-zkml"` and `plugins: [zkml]` in hardhat.config.ts.
// The tasks are declared once (../hardhat/task-specs.js) and run the same actions as under Hardhat 2
// (../hardhat/actions.js); config and `hre.zkml` come from hook handlers. Loading this file loads the task
// declarations only: the compiler, snarkjs, circom and onnxruntime load when a task runs.
import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import specs from "../hardhat/task-specs.js";

/** A task spec as a Hardhat 3 task; every value option is a string, converted and checked by the action. */
function declare(spec) {
  const t = task(spec.name, spec.description);
  for (const arg of spec.args) {
    if (arg.kind === "flag") t.addFlag({ name: arg.name, description: arg.description });
    else if (arg.default !== undefined) t.addOption({ name: arg.name, description: arg.description, type: ArgumentType.STRING, defaultValue: String(arg.default) });
    else t.addOption({ name: arg.name, description: arg.description, type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined });
  }
  return t.setAction(() => import("./actions.mjs").then((m) => ({ default: m.actionFor(spec) }))).build();
}

const plugin = {
  id: "hardhat-zkml",
  npmPackage: "hardhat-zkml",
  hookHandlers: {
    config: () => import("./hooks/config.mjs"),
    hre: () => import("./hooks/hre.mjs"),
  },
  tasks: specs.TASKS.map(declare),
};

export default plugin;
