/**
 * The plugin's tasks, declared once: Hardhat 2 (src/hardhat/tasks.ts) and Hardhat 3 (src/hardhat3)
 * each register them with their own task builder and run the named action of src/hardhat/actions.ts.
 * Hardhat-free and import-free, so registering the tasks loads nothing else.
 */
export interface TaskArgSpec {
  name: string;
  description: string;
  /** "required" and "optional" take a value; "flag" is a boolean switch. */
  kind: "required" | "optional" | "flag";
  type?: "string" | "int";
  default?: string | number;
}

export interface TaskSpec {
  name: string;
  description: string;
  /** The function of src/hardhat/actions.ts that runs the task. */
  action: "compileAction" | "proveAction" | "verifyAction" | "contributeAction" | "beaconAction" | "verifySetupAction" | "workerAction";
  args: TaskArgSpec[];
}

const MODEL: TaskArgSpec = { name: "model", description: "Model name", kind: "required" };

/** --distributed and the queue it needs: `what` the workers do for a chained model, `store` how they use the store. */
const distributedArgs = (what: string, store: string): TaskArgSpec[] => [
  { name: "distributed", description: `A chained model (zkml.models.<name>.segments): ${what}`, kind: "flag" },
  { name: "redis", description: "With --distributed: the queue's Redis URL, e.g. redis://127.0.0.1:6379", kind: "optional" },
  { name: "store", description: `With --distributed: the shared artifact store directory the workers ${store}`, kind: "optional" },
];

export const TASKS: readonly TaskSpec[] = [
  {
    name: "zkml:compile",
    description: "Compiles ONNX models to circuits, Groth16 keys and Solidity verifiers",
    action: "compileAction",
    args: [
      { name: "model", description: "An ONNX file to compile (default: every model in zkml.models)", kind: "optional" },
      { name: "name", description: "Model name (from zkml.models, or the name for --model)", kind: "optional" },
      { name: "ptau", description: "A ceremony powers-of-tau file (default: a development-only key from fresh, discarded secrets)", kind: "optional" },
      { name: "scaleBits", description: "Fixed-point fraction bits (default: calibrated per model)", kind: "optional", type: "int" },
      { name: "calibration", description: "Calibration inputs: a JSON file with one input or an array of inputs", kind: "optional" },
      { name: "inputBits", description: "Bits of the quantized input range", kind: "optional", type: "int" },
      { name: "maxConstraints", description: "Refuse, before calibrating, a model estimated above this many constraints (default: what this machine's memory can set up)", kind: "optional", type: "int" },
      { name: "force", description: "Rebuild even when nothing changed", kind: "flag" },
      { name: "noSolidity", description: "Do not run Hardhat's Solidity compile afterwards", kind: "flag" },
      { name: "snarkjsLog", description: "Show snarkjs progress lines", kind: "flag" },
      ...distributedArgs("build and key its segments as setup jobs on the queue's workers", "read and write"),
    ],
  },
  {
    name: "zkml:prove",
    description: "Proves one inference of a compiled model",
    action: "proveAction",
    args: [
      MODEL,
      { name: "input", description: 'Input JSON: EZKL\'s {"input_data": [[...]]} or {"<inputName>": [...]}', kind: "optional" },
      { name: "prompt", description: 'A seeded model\'s prompt (visibility.input "seeded"), instead of --input', kind: "optional" },
      { name: "context", description: "A fingerprinted model's challenge context, e.g. the NFT recipient's address (default 0)", kind: "optional" },
      { name: "out", description: "Output directory (default: <buildDir>/proofs/<model>)", kind: "optional" },
      { name: "bind", description: "Values of the model's bound inputs: name=value[,name=value] (e.g. recipient=0xabc...)", kind: "optional" },
      { name: "salt", description: "Salt of a salted input commitment (visibility.inputSalt), a field element", kind: "optional" },
      { name: "prover", description: 'Proving system: "native" or "snarkjs" (default: zkml.prover, else "native", which falls back to snarkjs when its addon is not built)', kind: "optional" },
      { name: "noReference", description: "Skip the onnxruntime comparison", kind: "flag" },
      ...distributedArgs("prove its segments through the queue's workers", "read"),
    ],
  },
  {
    name: "zkml:verify",
    description: "Verifies a proof off-chain; fails unless it is valid for the model",
    action: "verifyAction",
    args: [MODEL, { name: "proof", description: "Directory with proof.json and public.json (as written by zkml:prove)", kind: "required" }],
  },
  {
    name: "zkml:contribute",
    description: "Adds a phase-2 contribution to a compiled model's Groth16 key",
    action: "contributeAction",
    args: [
      MODEL,
      { name: "participant", description: "Contributor name recorded in the key", kind: "optional", default: "anonymous" },
      { name: "entropy", description: "Extra entropy (default: 32 random bytes)", kind: "optional" },
    ],
  },
  {
    name: "zkml:beacon",
    description: "Finishes a model's phase-2 ceremony with a public random beacon",
    action: "beaconAction",
    args: [
      MODEL,
      { name: "beacon", description: "Beacon as hex (e.g. a future block hash, announced in advance)", kind: "required" },
      { name: "iterations", description: "log2 of the beacon's hash iterations", kind: "optional", type: "int", default: 10 },
    ],
  },
  {
    name: "zkml:verify-setup",
    description: "Checks a model's Groth16 key against its circuit and powers of tau (snarkjs zkey verify)",
    action: "verifySetupAction",
    args: [MODEL],
  },
  {
    name: "zkml:worker",
    description: "Runs chained models' setup, witness and prove jobs from a BullMQ queue on Redis until stopped (SIGINT/SIGTERM)",
    action: "workerAction",
    args: [
      { name: "redis", description: "Redis URL, e.g. redis://127.0.0.1:6379", kind: "required" },
      { name: "store", description: "The shared artifact store directory the coordinator publishes chains to", kind: "required" },
      { name: "cache", description: "This worker's artifact cache (default: <buildDir>/worker-cache)", kind: "optional" },
      { name: "name", description: "The worker's name in progress events and results (default: host:pid)", kind: "optional" },
      { name: "concurrency", description: "Jobs at once (default 1)", kind: "optional", type: "int" },
      { name: "lockMs", description: "Job lock duration in ms: a dead worker's job returns to the queue after it (default 30000)", kind: "optional", type: "int" },
      { name: "timeoutS", description: "Abort a job (kill its process) after this many seconds; the attempt fails and the job is retried (default: none)", kind: "optional", type: "int" },
      { name: "prover", description: 'Proving system: "native" or "snarkjs" (default: zkml.prover)', kind: "optional" },
    ],
  },
];
