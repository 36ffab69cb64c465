import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder } from "ethers";
import { expect } from "chai";
import hre from "hardhat";
import fs from "fs";
import os from "os";
import path from "path";
import { deepMlpOnnx } from "../../src/examples/models/deep_mlp";
import { asProof, statement, Statement } from "../../src/statements/zkml-model";
import { modelInputToFloat, thousandsToAnswer } from "../../src/statements/vault-inputs";
import { commitPrompt } from "../../src/statements/prompt-commitment";
import { zkmlModules } from "../../src/hardhat/ignition";
import { chainActivations, chainInputs, ChainProof, compileChain, CompiledChain, proveChain, proveSegment, SegmentProof } from "../../src/pipeline/chain";

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Issue 20, on-chain: a model proven as a chain of segments plugs into the AI vault and an ERC-7007 collection
 * like a single-proof model.
 * ChainModel (an IZkmlModel over a ChainVerifier) records a statement once its segment proofs and links verify
 * (`attest`); the vault and the collection, unchanged, then find the statement they derive (from the feed and the
 * epoch; from the prompt, the AIGC data and the recipient).
 */
describe("ChainModel: a chain as the model of the AI vault and of a collection", function () {
  const QUANT = { scaleBits: 8, inputBits: 12 };
  const WIDTHS = [8, 12, 12, 1]; // the vault's shape: 8 prices in, the next one out; cut after the first ReLU
  const FEED_DECIMALS = 8;
  const PRICES = [2.0, 2.05, 1.98, 2.1, 2.2, 2.15, 2.3, 2.4]; // thousands of quote units, oldest first
  const USD = (n: bigint) => n * 10n ** 6n;
  const DEPOSIT = USD(100_000n);
  const STRATEGY = [3600, 1, 5000, 50]; // maxAge, thresholdBps, tradeBps, maxSlippageBps
  const Direction = { Hold: 0n, Buy: 1n, Sell: 2n };
  const NO_PROOF = { a: [0n, 0n], b: [[0n, 0n], [0n, 0n]], c: [0n, 0n] };
  let dir: string;
  let compiled: CompiledChain;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkml-chain-vault-"));
    const onnx = path.join(dir, "forecaster.onnx");
    fs.writeFileSync(onnx, deepMlpOnnx({ widths: WIDTHS, seed: 7 }));
    compiled = await compileChain({ name: "chain_forecaster", onnx, buildDir: path.join(dir, "build"), verifiersDir: hre.config.zkml.verifiersDir, quant: QUANT, bindings: ["epoch"], segments: { cuts: ["a1"] }, log: () => undefined });
    await hre.run("compile", { quiet: true });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** hre.zkml.deployChain on a chain compiled into this test's build directory (hre.zkml's is left alone). */
  async function deployChain(name: string): Promise<{ segments: { model: Contract }[]; chain: Contract; model: Contract }> {
    const saved = hre.config.zkml.buildDir;
    hre.config.zkml.buildDir = path.join(dir, "build");
    try {
      return await hre.zkml.deployChain(name);
    } finally {
      hre.config.zkml.buildDir = saved;
    }
  }

  /** The segments' verifiers and adapters, the ChainVerifier, the ChainModel, and the vault on mocks holding both assets. */
  async function deployed() {
    const [owner, alice] = await hre.ethers.getSigners();
    const { segments, chain, model } = await deployChain("chain_forecaster");
    const adapters = segments.map((s) => s.model);
    const asset: Contract = await hre.ethers.deployContract("MockERC20", ["Mock USD", "mUSD", 6]);
    const riskAsset: Contract = await hre.ethers.deployContract("MockERC20", ["Mock ETH", "mETH", 18]);
    const feed: Contract = await hre.ethers.deployContract("MockPriceFeed", [FEED_DECIMALS, "mETH / mUSD", owner.address]);
    const swapper: Contract = await hre.ethers.deployContract("MockSwap", [feed, asset, riskAsset]);
    const vault: Contract = await hre.ethers.deployContract("AiVault", [asset, riskAsset, feed, swapper, model, STRATEGY, "Chain vault", "cvUSD", owner.address]);
    await asset.mint(await swapper.getAddress(), USD(10_000_000n));
    await riskAsset.mint(await swapper.getAddress(), 10n ** 24n);
    for (const p of PRICES) await feed.pushPrice(thousandsToAnswer(p, FEED_DECIMALS));
    await asset.mint(alice.address, DEPOSIT);
    await asset.connect(alice).approve(await vault.getAddress(), DEPOSIT);
    await vault.connect(alice).deposit(DEPOSIT, alice.address);
    await riskAsset.mint(await vault.getAddress(), 10n ** 18n); // so that a proven fall trades too
    return { owner, adapters, chain, model, asset, riskAsset, feed, swapper, vault };
  }

  /** Proves the chain on the vault's own inputs (read from the feed as it reads them), bound to `epoch`. */
  async function proveOnVault(vault: Contract, epoch: bigint): Promise<{ proved: ChainProof; q: bigint[]; prediction: bigint }> {
    const q: bigint[] = [...(await vault.currentModelInputs())];
    const proved = await proveChain(compiled.dir, { x: [q.map((v) => modelInputToFloat(v, QUANT.scaleBits))] }, { bindings: { epoch } });
    return { proved, q, prediction: BigInt(proved.outputs[0]) };
  }

  const proofsOf = (segs: SegmentProof[]) => segs.map((p) => asProof(p.calldata));
  const linksOf = (segs: SegmentProof[]) => segs.slice(0, -1).map((p, i) => BigInt(p.publicSignals[compiled.manifest.segments[i].publicSignals.outputs.offset]));
  const vaultStatement = async (vault: Contract, prediction: bigint): Promise<Statement> => {
    const s = await vault.statement(prediction);
    return statement({ outputs: [...s.outputs], inputs: [...s.inputs], bindings: [...s.bindings] });
  };

  /** What AiVault._decide does, in integers. */
  function decide(prediction: bigint, price: bigint, thresholdBps: bigint): bigint {
    const predicted = prediction * 1000n * 10n ** BigInt(FEED_DECIMALS) * 10_000n;
    const scaled = price * (1n << BigInt(QUANT.scaleBits));
    if (predicted >= scaled * (10_000n + thresholdBps)) return Direction.Buy;
    if (predicted <= scaled * (10_000n - thresholdBps)) return Direction.Sell;
    return Direction.Hold;
  }

  it("deploys through Ignition (zkmlModules.chainModel) wired as deployChain wires it, and attests a real chain proof", async () => {
    const { buildModule } = await import("@nomicfoundation/hardhat-ignition/modules");
    const deployed: Record<string, Contract> = await (hre as any).ignition.deploy(zkmlModules(buildModule).chainModel(compiled.manifest)); // eslint-disable-line @typescript-eslint/no-explicit-any
    const { chain, model } = deployed;
    expect(await model.modelHash()).to.equal(compiled.manifest.chainHash);
    expect(await model.verifier()).to.equal(await chain.getAddress());
    expect(await chain.segmentCount()).to.equal(2n);
    for (let i = 0; i < 2; i++) {
      expect(await chain.segment(i)).to.equal(await deployed[`segment${i}`].getAddress());
      expect(await deployed[`segment${i}`].verifier()).to.equal(await deployed[`verifier${i}`].getAddress());
      expect(await deployed[`segment${i}`].modelHash()).to.equal(compiled.manifest.segments[i].modelHash);
    }
    const q = PRICES.map((p) => BigInt(Math.round(p * 2 ** QUANT.scaleBits)));
    const proved = await proveChain(compiled.dir, { x: [q.map((v) => modelInputToFloat(v, QUANT.scaleBits))] }, { bindings: { epoch: 3n } });
    const s = statement({ inputs: chainInputs(compiled.dir, compiled.manifest, { x: [q.map((v) => modelInputToFloat(v, QUANT.scaleBits))] }), outputs: proved.outputs.map(BigInt), bindings: [3n] });
    await expect(model.attest(proofsOf(proved.segments), linksOf(proved.segments), s)).to.emit(model, "StatementAttested");
    expect(await model.verifyStatement(NO_PROOF, s)).to.equal(true);
  });

  it("stands where a ZkmlModel does: the vault's layout checks, the chain's identity, a single model's signals", async () => {
    const { adapters, chain, model, vault } = await loadFixture(deployed);
    expect(await vault.model()).to.equal(await model.getAddress());
    expect([await model.outputCount(), await model.inputCount(), await model.bindingCount(), await model.valuesArePublic()]).to.deep.equal([1n, 8n, 1n, true]);
    expect(await model.modelHash()).to.equal(compiled.manifest.chainHash);
    // hre.zkml.deployChain: one adapter per segment, in order, each with its segment's identity.
    expect(await chain.segmentCount()).to.equal(2n);
    for (let i = 0; i < 2; i++) {
      expect(await chain.segment(i)).to.equal(await adapters[i].getAddress());
      expect(await adapters[i].modelHash()).to.equal(compiled.manifest.segments[i].modelHash);
    }
    expect(await model.verifier()).to.equal(await chain.getAddress());
    expect(await model.scaleBits()).to.equal(BigInt(QUANT.scaleBits));
    expect(await model.modelCommitment()).to.equal(0n);
    // Signals: the last segment's output word, the first segment's input words, the binding (the epoch).
    const { proved, prediction } = await proveOnVault(vault, 0n);
    const [first, last] = compiled.manifest.segments.map((s) => s.publicSignals);
    const [p0, p1] = proved.segments.map((p) => p.publicSignals.map(BigInt));
    const expected = [
      ...p1.slice(last.outputs.offset, last.outputs.offset + last.outputs.count),
      ...p0.slice(first.inputs.offset, first.inputs.offset + first.inputs.count),
      ...last.bindings.map((b) => p1[b.offset]),
    ];
    expect(expected.length).to.equal(3); // 1 output, 8 inputs of 12 bits in one word, the epoch
    expect(expected[2]).to.equal(0n);
    expect((await vault.publicSignals(prediction)).map(BigInt)).to.deep.equal(expected);
    expect(await model.publicSignalCount()).to.equal(3n);
    const l = await model.layout();
    expect([l.outputs.offset, l.inputs.offset, l.bindingsOffset, l.signalCount]).to.deep.equal([0n, 1n, 2n, 3n]);
  });

  it("rebalances on a chain-proven prediction once attested, and the epoch spends it", async () => {
    const { owner, model, vault, feed, asset, riskAsset } = await loadFixture(deployed);
    const { proved, q, prediction } = await proveOnVault(vault, 0n);
    // The chain computed the prediction from exactly the vault's inputs.
    const first = compiled.manifest.segments[0].publicSignals;
    expect(chainInputs(compiled.dir, compiled.manifest, { x: [q.map((v) => modelInputToFloat(v, QUANT.scaleBits))] })).to.deep.equal(q);
    const s = await vaultStatement(vault, prediction);
    expect((await model.publicSignals(s))[1]).to.equal(BigInt(proved.segments[0].publicSignals[first.inputs.offset]));

    // Not attested yet: the vault refuses the step.
    await expect(vault.rebalance(NO_PROOF, prediction)).to.be.revertedWithCustomError(vault, "InvalidProof");
    const key = await model.statementKey(s);
    expect(await model.attested(key)).to.equal(false);
    const attestTx = await model.attest(proofsOf(proved.segments), linksOf(proved.segments), s);
    await expect(attestTx).to.emit(model, "StatementAttested").withArgs(key, owner.address);
    const attestGas = (await attestTx.wait()).gasUsed;
    expect(await model.attested(key)).to.equal(true);
    expect(await model.verifyStatement(NO_PROOF, s)).to.equal(true);
    expect(await model.verify(NO_PROOF, (await vault.publicSignals(prediction)).map(BigInt))).to.equal(true);
    // Attesting again changes nothing and emits nothing.
    await expect(model.attest(proofsOf(proved.segments), linksOf(proved.segments), s)).not.to.emit(model, "StatementAttested");

    // The vault acts on it exactly as on a single proof.
    const latest = await feed.latestRoundData();
    const price = BigInt(latest[1]);
    const strategy = await vault.strategy();
    const direction = decide(prediction, price, BigInt(strategy.thresholdBps));
    const at = await vault.getAddress();
    const before = { a: BigInt(await asset.balanceOf(at)), b: BigInt(await riskAsset.balanceOf(at)) };
    const amountIn = ((direction === Direction.Buy ? before.a : before.b) * BigInt(strategy.tradeBps)) / 10_000n;
    const amountOut =
      direction === Direction.Buy ? (amountIn * 10n ** 18n * 10n ** 8n) / (price * 10n ** 6n) : (amountIn * price * 10n ** 6n) / (10n ** 18n * 10n ** 8n);
    const predictedPrice = (prediction * 1000n * 10n ** 8n) / (1n << BigInt(QUANT.scaleBits));
    const tx = await vault.rebalance(NO_PROOF, prediction);
    await expect(tx).to.emit(vault, "Rebalanced").withArgs(0n, predictedPrice, price, direction, direction === Direction.Hold ? 0n : amountIn, direction === Direction.Hold ? 0n : amountOut);
    const rebalanceGas = (await tx.wait()).gasUsed;
    expect(direction).to.not.equal(Direction.Hold); // 1 bps threshold: this window trades
    const after = { a: BigInt(await asset.balanceOf(at)), b: BigInt(await riskAsset.balanceOf(at)) };
    if (direction === Direction.Buy) expect([before.a - after.a, after.b - before.b]).to.deep.equal([amountIn, amountOut]);
    else expect([after.a - before.a, before.b - after.b]).to.deep.equal([amountOut, amountIn]);
    expect(await vault.epoch()).to.equal(1n);
    console.log(`      prediction ${prediction} (${predictedPrice} feed units, latest ${price}): ${direction === Direction.Buy ? "Buy" : "Sell"}`);
    const lookupGas = await model.verifyStatement.estimateGas(NO_PROOF, s); // as a transaction, incl. the 21k base
    console.log(`      gas: attest (2 segment proofs, 1 link) ${attestGas}; rebalance on the attested statement ${rebalanceGas}; ChainModel.verifyStatement alone ${lookupGas}`);

    // Replay: the attested statement is bound to epoch 0; the vault now states epoch 1.
    await expect(vault.rebalance(NO_PROOF, prediction)).to.be.revertedWithCustomError(vault, "InvalidProof");
  });

  it("refuses a forged link, a wrong output and a proof for another epoch, at attest and in the vault", async () => {
    const { model, vault } = await loadFixture(deployed);
    const { proved, q, prediction } = await proveOnVault(vault, 0n);
    const honest = await vaultStatement(vault, prediction);

    // A wrong output: the honest proofs do not prove it, so it cannot be attested, and the vault refuses it.
    const wrong = await vaultStatement(vault, prediction + 1n);
    await expect(model.attest(proofsOf(proved.segments), linksOf(proved.segments), wrong)).to.be.revertedWithCustomError(model, "InvalidProof");
    await expect(vault.rebalance(NO_PROOF, prediction + 1n)).to.be.revertedWithCustomError(vault, "InvalidProof");

    // A forged link: the last segment proven on other activations than the first segment's outputs. Its proof is
    // valid alone (for the epoch), but neither the honest link nor its own input commitment joins it to segment 0.
    const acts = chainActivations(compiled.dir, compiled.manifest, q);
    const forged = acts[1].slice();
    forged[0] += 5n;
    const other = await proveSegment(compiled.dir, 1, forged, { bindings: { epoch: 0n } });
    const otherPrediction = BigInt(other.outputs[0]);
    expect(otherPrediction).to.not.equal(prediction);
    const forgedProofs = proofsOf([proved.segments[0], other]);
    const forgedStatement = await vaultStatement(vault, otherPrediction);
    const forgedLink = BigInt(other.publicSignals[compiled.manifest.segments[1].publicSignals.inputs.offset]);
    expect(forgedLink).to.not.equal(linksOf(proved.segments)[0]);
    expect(await model.verify(NO_PROOF, (await model.publicSignals(forgedStatement)).map(BigInt))).to.equal(false);
    await expect(model.attest(forgedProofs, linksOf(proved.segments), forgedStatement)).to.be.revertedWithCustomError(model, "InvalidProof");
    await expect(model.attest(forgedProofs, [forgedLink], forgedStatement)).to.be.revertedWithCustomError(model, "InvalidProof");
    await expect(vault.rebalance(NO_PROOF, otherPrediction)).to.be.revertedWithCustomError(vault, "InvalidProof");

    // A statement carrying a model commitment is refused (a chain's parameters are public).
    await expect(model.attest(proofsOf(proved.segments), linksOf(proved.segments), { ...honest, modelCommitment: 1n }))
      .to.be.revertedWithCustomError(model, "UnexpectedCommitment")
      .withArgs("model");

    // Proofs made for epoch 0 do not prove the step of epoch 1.
    await model.attest(proofsOf(proved.segments), linksOf(proved.segments), honest);
    await vault.rebalance(NO_PROOF, prediction);
    const next = await vaultStatement(vault, prediction);
    expect(next.bindings).to.deep.equal([1n]);
    await expect(model.attest(proofsOf(proved.segments), linksOf(proved.segments), next)).to.be.revertedWithCustomError(model, "InvalidProof");
    expect(await vault.epoch()).to.equal(1n);
  });
  describe("an AigcCollection on a chain", () => {
    const WIDTHS_ART = [4, 8, 8, 4]; // 4 prompt values in, 4 pixels out; cut after the first ReLU
    const PROMPT = [0.5, -0.25, 0.75, 0.125];
    const abi = AbiCoder.defaultAbiCoder();
    let art: CompiledChain;

    before(async () => {
      const onnx = path.join(dir, "art.onnx");
      fs.writeFileSync(onnx, deepMlpOnnx({ widths: WIDTHS_ART, seed: 9 }));
      art = await compileChain({ name: "chain_art", onnx, buildDir: path.join(dir, "build"), verifiersDir: hre.config.zkml.verifiersDir, quant: QUANT, bindings: ["recipient"], segments: { cuts: ["a1"] }, log: () => undefined });
      await hre.run("compile", { quiet: true });
    });

    async function collectionDeployed() {
      const [, alice, bob] = await hre.ethers.getSigners();
      const { model } = await deployChain("chain_art");
      const collection: Contract = await hre.ethers.deployContract("AigcCollection", [model, "Chain art", "CART", 1]);
      return { alice, bob, model, collection };
    }

    /** `proof` as the collection takes it: `abi.encode(a, b, c, recipient)`, here with a zero Groth16 proof. */
    const proofBytes = (recipient: string) => abi.encode(["uint256[2]", "uint256[2][2]", "uint256[2]", "address"], [NO_PROOF.a, NO_PROOF.b, NO_PROOF.c, recipient]);
    const ints = (v: bigint[]) => abi.encode(["int256[]"], [v]);

    it("mints a chain-proven generation once attested for its recipient, and refuses other outputs or recipients", async () => {
      const { alice, bob, model, collection } = await loadFixture(collectionDeployed);
      const q = chainInputs(art.dir, art.manifest, { x: [PROMPT] });
      const proved = await proveChain(art.dir, { x: [PROMPT] }, { bindings: { recipient: alice.address } });
      const outputs = proved.outputs.map(BigInt);
      const s = statement({ inputs: q, outputs, bindings: [BigInt(alice.address)] });
      const [prompt, aigcData] = [ints(q), ints(outputs)];

      // Commit first (the attest makes the prompt public), then attest, then reveal. Not attested: refused.
      const commit = await commitPrompt(collection, prompt, alice.address, alice);
      await expect(collection.connect(alice).mintWithProof(alice.address, prompt, aigcData, proofBytes(alice.address), commit.salt)).to.be.revertedWithCustomError(collection, "InvalidProof");
      expect(await collection.verify(prompt, aigcData, proofBytes(alice.address))).to.equal(false);
      const attestGas = (await (await model.attest(proofsOf(proved.segments), linksOf(proved.segments), s)).wait()).gasUsed;
      expect(await collection.verify(prompt, aigcData, proofBytes(alice.address))).to.equal(true);

      // Another output, or the same generation for another recipient, was never proven.
      const other = outputs.map((v, i) => (i === 0 ? v + 1n : v));
      expect(await collection.verify(prompt, ints(other), proofBytes(alice.address))).to.equal(false);
      await expect(model.attest(proofsOf(proved.segments), linksOf(proved.segments), { ...s, outputs: other })).to.be.revertedWithCustomError(model, "InvalidProof");
      await expect(model.attest(proofsOf(proved.segments), linksOf(proved.segments), { ...s, bindings: [BigInt(bob.address)] })).to.be.revertedWithCustomError(model, "InvalidProof");
      const bobCommit = await commitPrompt(collection, prompt, bob.address, bob);
      await expect(collection.connect(bob).mintWithProof(bob.address, prompt, aigcData, proofBytes(bob.address), bobCommit.salt)).to.be.revertedWithCustomError(collection, "InvalidProof");
      await expect(collection.connect(alice).mintWithProof(alice.address, prompt, ints(other), proofBytes(alice.address), commit.salt)).to.be.revertedWithCustomError(collection, "InvalidProof");

      // The attested generation, revealed with the commitment made before the attest.
      const tx = await collection.connect(alice).mintWithProof(alice.address, prompt, aigcData, proofBytes(alice.address), commit.salt);
      const tokenId = BigInt(hre.ethers.keccak256(prompt));
      await expect(tx).to.emit(collection, "Transfer").withArgs(hre.ethers.ZeroAddress, alice.address, tokenId);
      expect(await collection.ownerOf(tokenId)).to.equal(alice.address);
      expect(await collection.aigcData(tokenId)).to.equal(aigcData);
      const mintGas = (await tx.wait()).gasUsed;
      console.log(`      gas: attest (2 segment proofs, 1 link) ${attestGas}; mintWithProof on the attested statement ${mintGas}`);
    });
  });

  describe("a HumanityPass on a chain (private input, public score, bound to the recipient)", () => {
    const WIDTHS_PASS = [6, 10, 10, 1]; // an embedding in, a score out; cut after the first ReLU
    const EMBEDDING = [0.5, -0.25, 0.75, 0.125, -0.5, 0.25];
    let pass: CompiledChain;

    before(async () => {
      const onnx = path.join(dir, "pass.onnx");
      fs.writeFileSync(onnx, deepMlpOnnx({ widths: WIDTHS_PASS, seed: 11 }));
      pass = await compileChain({
        name: "chain_pass", onnx, buildDir: path.join(dir, "build"), verifiersDir: hre.config.zkml.verifiersDir, quant: QUANT, bindings: ["recipient"],
        visibility: { input: "hashed", inputSalt: false, params: "fixed", output: "public" }, segments: { cuts: ["a1"] }, log: () => undefined,
      });
      await hre.run("compile", { quiet: true });
    });

    it("claims a pass on a chain-proven score for its recipient only; the embedding is never public", async () => {
      const [owner, alice, bob] = await hre.ethers.getSigners();
      const { model } = await deployChain("chain_pass");
      const threshold = -(1n << 40n); // every score passes: the test is about the proof, not the model
      const humanity: Contract = await hre.ethers.deployContract("HumanityPass", [model, threshold, false, "Chain pass", "CPASS", owner.address]);
      const proved = await proveChain(pass.dir, { x: [EMBEDDING] }, { bindings: { recipient: alice.address } });
      const [first] = pass.manifest.segments.map((s) => s.publicSignals);
      expect(first.inputs.encoding).to.equal("commitment");
      const inputCommitment = BigInt(proved.segments[0].publicSignals[first.inputs.offset]);
      const score = BigInt(proved.outputs[0]);
      const links = [BigInt(proved.segments[0].publicSignals[first.outputs.offset])];
      const proofs = proved.segments.map((p) => asProof(p.calldata));
      // Not attested: refused; attested for alice: her claim mints, bob's (same score and commitment) does not.
      await expect(humanity.claim(NO_PROOF, score, inputCommitment, alice.address)).to.be.revertedWithCustomError(humanity, "InvalidProof");
      await model.attest(proofs, links, statement({ outputs: [score], inputCommitment, bindings: [BigInt(alice.address)] }));
      await expect(humanity.claim(NO_PROOF, score, inputCommitment, bob.address)).to.be.revertedWithCustomError(humanity, "InvalidProof");
      await expect(humanity.claim(NO_PROOF, score + 1n, inputCommitment, alice.address)).to.be.revertedWithCustomError(humanity, "InvalidProof");
      await expect(humanity.claim(NO_PROOF, score, inputCommitment, alice.address)).to.emit(humanity, "PassClaimed");
      expect(await humanity.hasPass(alice.address)).to.equal(true);
      // The attest's calldata and the public signals carry the commitment, never the quantized embedding.
      const q = chainInputs(pass.dir, pass.manifest, { x: [EMBEDDING] });
      const published = new Set(proved.segments.flatMap((p) => p.publicSignals.map((v) => BigInt(v))));
      for (const v of q.filter((x) => x > 1n)) expect(published.has(v)).to.equal(false);
    });
  });
});

