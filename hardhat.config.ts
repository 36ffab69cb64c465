import "@nomicfoundation/hardhat-toolbox";
import { TASK_TEST_GET_TEST_FILES } from "hardhat/builtin-tasks/task-names";
import { HardhatUserConfig, subtask } from "hardhat/config";
import path from "path";
import "./src";

// test/fixture-projects/* are user projects with their own tests, run by test/package/*.test.ts inside them.
subtask(TASK_TEST_GET_TEST_FILES, async (args, _hre, runSuper) =>
  ((await runSuper(args)) as string[]).filter((f) => !f.includes(`${path.sep}fixture-projects${path.sep}`)),
);

const config: HardhatUserConfig = {
  // Must equal the npm `solc` package's version: the compiler is served from it, never downloaded.
  solidity: { version: "0.8.28", settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" } },
  zkml: {
    models: {
      // Built by `npm run build:examples` (scripts/build-example-models.ts); the demo default.
      // The examples pin their scale (the contracts' fixtures and the README's gas figures assume 2^12);
      // a model without scaleBits gets one chosen by calibration.
      credit_mlp: { onnx: "examples/models/credit_mlp/network.onnx", scaleBits: 12 },
      // The ERC-7007 collection's generator: each proof is bound to the NFT's recipient.
      pixel_gen: { onnx: "examples/models/pixel_gen/network.onnx", scaleBits: 12, bind: ["recipient"] },
      // The AI vault's forecaster: each proof is bound to the vault's epoch, so it cannot be replayed.
      price_forecaster: { onnx: "examples/models/price_forecaster/network.onnx", scaleBits: 12, bind: ["epoch"] },
      // HumanityPass (public model, private data): the embedding stays private; its unsalted commitment is the
      // pass's nullifier (one person, one pass), and each proof is bound to the pass's recipient.
      face_match: { onnx: "examples/models/face_match/network.onnx", scaleBits: 12, bind: ["recipient"], visibility: { input: "hashed", params: "fixed", output: "public" } },
      // ModelCompetition (private model, public data): competitors' weights are private, bound by their registered
      // model commitment; the public test set is hashed (flat verification gas); proofs are bound to the competitor.
      kaggle_scorer: { onnx: "examples/models/kaggle_scorer/network.onnx", scaleBits: 12, bind: ["participant"], visibility: { input: "hashed", params: "private", output: "public" } },
      // A reduced copy of mnist_gan's graph (src/examples/models/gan_mini.ts) for the flagship's test: the same ops and
      // public statement, with its gadgets written as R1CS directly as mnist_gan's must be.
      gan_mini: {
        onnx: "examples/models/gan_mini/network.onnx",
        scaleBits: 8,
        inputBits: 10,
        body: "direct",
        visibility: { input: "seeded", params: "fixed", output: "fingerprint" },
      },
      // The flagship (issue 8): EZKL's MNIST GAN generator from the reference corpus beside the clone (never copied
      // here). A prompt's keccak hash seeds the 100 latent numbers, expanded in the circuit; the 28x28 image is public
      // through a fingerprint at a challenge bound to the recipient (contracts/ProvenImageCollection.sol). ~1.2M
      // constraints: its gadgets are written as R1CS directly, and the fidelity report runs on 20 seeds. At 2^10 the
      // latent is uniform over [-2, 2) in steps of 2^-10 and the pixels are within 0.5% of onnxruntime's.
      mnist_gan: {
        onnx: `${process.env.ZKML_MODELS_DIR ?? "../shared/models/ezkl"}/mnist_gan/network.onnx`,
        scaleBits: 10,
        inputBits: 12,
        calibrationSamples: 20,
        visibility: { input: "seeded", params: "fixed", output: "fingerprint" },
      },
    },
  },
  // Ignition modules live in deploy/modules (deployments go to deploy/deployments).
  paths: { ignition: "deploy" },
  mocha: { timeout: 600_000 },
};

export default config;
