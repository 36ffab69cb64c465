// Runs a task of ../hardhat/task-specs.js with the shared action of ../hardhat/actions.js, from Hardhat 3.
import { createRequire } from "node:module";
import { HardhatPluginError } from "hardhat/plugins";

const require = createRequire(import.meta.url);
const actions = require("../hardhat/actions.js");
const { ZkmlError } = require("../errors.js");

/** Hardhat 3 passes every value option as a string (or undefined): required ones and integers are checked here. */
function argsOf(spec, raw) {
  const args = {};
  for (const a of spec.args) {
    const v = raw[a.name];
    if (a.kind === "flag") args[a.name] = v === true;
    else if (v === undefined || v === "") {
      if (a.kind === "required") throw new ZkmlError(`${spec.name} needs --${kebab(a.name)}`);
    } else if (a.type === "int") {
      if (!/^-?\d+$/.test(v)) throw new ZkmlError(`--${kebab(a.name)} must be an integer, got "${v}"`);
      args[a.name] = Number(v);
    } else args[a.name] = v;
  }
  return args;
}

const kebab = (name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The task's action: a user error is one line (HardhatPluginError); anything else keeps its stack. */
export function actionFor(spec) {
  return async (raw, hre) => {
    const ctx = {
      zkml: hre.zkml,
      config: hre.config.zkml,
      root: hre.config.paths.root,
      compileSolidity: async () => {
        await hre.tasks.getTask("build").run({ quiet: true });
      },
      importPackageContracts: false,
    };
    try {
      return await actions.withRelease(async () => actions[spec.action](argsOf(spec, raw), ctx));
    } catch (e) {
      if (e instanceof ZkmlError) throw new HardhatPluginError("hardhat-zkml", e.message);
      throw e;
    }
  };
}
