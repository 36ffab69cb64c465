import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fs from "fs";
import hre from "hardhat";
import path from "path";
import { ensureExampleModel, exampleModelDir } from "../../src/examples";
import { answerToModelInput, readFeedInputs, thousandsToAnswer, WINDOW } from "../../src/statements/vault-inputs";
import { compileModel } from "../../src/pipeline/compile";
import { BN254_P, BN254_Q, unpackGroup } from "./helpers";
import { solidityLayout } from "../../src/privacy/layout";

const MODEL = "price_forecaster";
const ALT_MODEL = "price_forecaster_alt"; // the same ONNX and circuit, compiled again: another proving key
const FEED_DECIMALS = 8;
const USD = (n: bigint) => n * 10n ** 6n; // MockUSD has 6 decimals
const DEPOSIT = USD(100_000n);
const Direction = { Hold: 0n, Buy: 1n, Sell: 2n };

type Contract = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Proved = Awaited<ReturnType<typeof hre.zkml.prove>>;
const asProof = (cd: Proved["calldata"]) => ({ a: cd.a, b: cd.b, c: cd.c });

/**
 * AiVault: an ERC-4626 vault that trades only on a proven forecast, computed from the feed's own rounds
 * and bound to the vault's epoch.
 */
describe("AiVault (proven forecasts)", () => {
  let scenarios: { buy: number[]; sell: number[] };
  let vaultModule: unknown;
  let altModel: Contract;

  before(async () => {
    const root = hre.config.paths.root;
    ensureExampleModel(root, undefined, MODEL);
    const [built] = await hre.zkml.compile({ name: MODEL });
    const z = hre.config.zkml;
    await compileModel({
      name: ALT_MODEL, onnx: path.join(exampleModelDir(root, MODEL), "network.onnx"), buildDir: z.buildDir, verifiersDir: z.verifiersDir,
      quant: built.manifest.quant, bindings: ["epoch"], log: () => undefined,
    });
    await hre.run("compile", { quiet: true });
    scenarios = JSON.parse(fs.readFileSync(path.join(exampleModelDir(root, MODEL), "scenarios.json"), "utf8"));
    vaultModule = (await import("../../deploy/modules/vault")).default; // reads the manifest: only after compiling
  });

  /** deploy/modules/vault.ts on the dev network (mocks included), a depositor, and the "buy" window in the feed. */
  async function deployed() {
    const { vault, model, asset, riskAsset, feed, swapper } = await (hre as any).ignition.deploy(vaultModule); // eslint-disable-line @typescript-eslint/no-explicit-any
    altModel = (await hre.zkml.deployModel(ALT_MODEL)).model;
    const [owner, alice] = await hre.ethers.getSigners();
    await asset.mint(alice.address, DEPOSIT);
    await asset.connect(alice).approve(await vault.getAddress(), DEPOSIT);
    await vault.connect(alice).deposit(DEPOSIT, alice.address);
    for (const p of scenarios.buy) await feed.pushPrice(thousandsToAnswer(p, FEED_DECIMALS));
    return { vault, model, asset, riskAsset, feed, swapper, owner, alice };
  }

  /** Proves the forecaster on the feed's current rounds, read and converted exactly as the vault does. */
  async function proveOnFeed(feed: Contract, epoch: bigint, name = MODEL): Promise<{ proved: Proved; prediction: bigint }> {
    const inputs = await readFeedInputs(feed);
    const proved = await hre.zkml.prove(name, { prices: inputs.floats }, { bindings: { epoch }, reference: false });
    return { proved, prediction: unpackGroup(hre.zkml.manifest(name), "outputs", proved.calldata.publicSignals)[0] };
  }

  const balances = async (f: { vault: Contract; asset: Contract; riskAsset: Contract }) => {
    const at = await f.vault.getAddress();
    return { a: await f.asset.balanceOf(at), b: await f.riskAsset.balanceOf(at) };
  };

  it("reads the feed's rounds into the same model inputs as src/statements/vault-inputs.ts", async () => {
    const { vault, model, asset, riskAsset, feed, swapper, owner } = await loadFixture(deployed);
    const ts = await readFeedInputs(feed);
    const onChain: bigint[] = [...(await vault.currentModelInputs())];
    expect(onChain).to.deep.equal(ts.q);
    expect(ts.answers).to.deep.equal(scenarios.buy.map((p) => thousandsToAnswer(p, FEED_DECIMALS)));
    expect(ts.q[WINDOW - 1]).to.equal(BigInt(Math.floor(scenarios.buy[WINDOW - 1] * 4096 + 0.5)));
    // Rounded half up: with 18 decimals 10^21 / 2^13 is an exact tie; with 8 decimals there is none.
    const tie = 10n ** 21n / 8192n;
    expect(answerToModelInput(tie, 18)).to.equal(1n);
    expect(answerToModelInput(tie - 1n, 18)).to.equal(0n);
    expect(answerToModelInput(12_207_032n, 8)).to.equal(1n); // 5e10 / 4096 = 12207031.25
    expect(answerToModelInput(12_207_031n, 8)).to.equal(0n);
    // ... and the vault agrees on such edge answers, at both feed decimals.
    const edges: Record<number, bigint[]> = {
      8: [1n, 12_207_031n, 12_207_032n, 299_999_999_999n, 300_000_000_001n, 204_799_999_999_999n, 123_456_789n, 10n ** 11n],
      18: [1n, tie - 1n, tie, tie + 1n, 3_000n * 10n ** 18n, 2_047_999n * 10n ** 18n, 10n ** 21n - 1n, 42n * 10n ** 17n + 7n],
    };
    for (const [decimals, answers] of Object.entries(edges)) {
      const edgeFeed: Contract = await hre.ethers.deployContract("MockPriceFeed", [Number(decimals), "edges", owner.address]);
      for (const a of answers) await edgeFeed.pushPrice(a);
      const edgeVault = await hre.ethers.deployContract("AiVault", [asset, riskAsset, edgeFeed, swapper, model, [3600, 100, 5000, 50], "e", "e", owner.address]);
      const want = await readFeedInputs(edgeFeed);
      expect(want.q).to.deep.equal(answers.map((a) => answerToModelInput(a, Number(decimals))));
      expect([...(await edgeVault.currentModelInputs())], `${decimals} decimals`).to.deep.equal(want.q);
    }

    // The proof's input signals are the vault's inputs, so hre.zkml.prove quantized the floats back to q.
    const { proved, prediction } = await proveOnFeed(feed, 0n);
    expect(unpackGroup(hre.zkml.manifest(MODEL), "inputs", proved.calldata.publicSignals)).to.deep.equal(ts.q);
    expect((await vault.publicSignals(prediction)).map(BigInt)).to.deep.equal(proved.calldata.publicSignals.map(BigInt));
  });

  it("rebalances into the risk asset on a proven rise, and back on a proven fall", async () => {
    const f = await loadFixture(deployed);
    const { vault, feed, asset, riskAsset, swapper } = f;
    const strategy = await vault.strategy();
    expect(await vault.epoch()).to.equal(0n);
    expect(await vault.totalAssets()).to.equal(DEPOSIT);

    // Step 0: the "buy" window; the model predicts a rise of more than thresholdBps.
    const { proved, prediction } = await proveOnFeed(feed, 0n);
    const price = thousandsToAnswer(scenarios.buy[WINDOW - 1], FEED_DECIMALS);
    const predictedPrice = (prediction * 1000n * 10n ** 8n) / 4096n;
    expect(predictedPrice * 10_000n).to.be.greaterThan(price * (10_000n + strategy.thresholdBps));
    const amountIn = (DEPOSIT * strategy.tradeBps) / 10_000n;
    const amountOut = (amountIn * 10n ** 18n * 10n ** 8n) / (price * 10n ** 6n);
    const tx = await vault.rebalance(asProof(proved.calldata), prediction);
    await expect(tx).to.emit(vault, "Rebalanced").withArgs(0n, predictedPrice, price, Direction.Buy, amountIn, amountOut);
    await expect(tx).to.emit(swapper, "Swapped");
    const receipt = await tx.wait();
    const verifyGas = await f.model.verify.estimateGas(asProof(proved.calldata), proved.calldata.publicSignals);
    console.log(`      rebalance gas: ${receipt.gasUsed} (${WINDOW} feed rounds + proof check + swap); ZkmlModel.verify alone as a transaction: ${verifyGas}`);
    expect(await balances(f)).to.deep.equal({ a: DEPOSIT - amountIn, b: amountOut });
    expect(await vault.epoch()).to.equal(1n);
    expect(await vault.totalAssets()).to.be.closeTo(DEPOSIT, 1n); // traded at the feed price: only rounding is lost
    const maxWithdraw = await vault.maxWithdraw(f.alice.address); // only the idle stablecoin (less rounding)
    expect(maxWithdraw).to.be.at.most(DEPOSIT - amountIn).and.at.least(DEPOSIT - amountIn - 1n);
    await expect(vault.connect(f.alice).redeem(await vault.balanceOf(f.alice.address), f.alice.address, f.alice.address)).to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxRedeem");

    // Step 1: eight new rounds (the "sell" window); the proof is bound to epoch 1.
    for (const p of scenarios.sell) await feed.pushPrice(thousandsToAnswer(p, FEED_DECIMALS));
    const down = await proveOnFeed(feed, 1n);
    const sellPrice = thousandsToAnswer(scenarios.sell[WINDOW - 1], FEED_DECIMALS);
    const sellIn = (amountOut * strategy.tradeBps) / 10_000n;
    const sellOut = (sellIn * sellPrice * 10n ** 6n) / (10n ** 18n * 10n ** 8n);
    await expect(vault.rebalance(asProof(down.proved.calldata), down.prediction))
      .to.emit(vault, "Rebalanced")
      .withArgs(1n, (down.prediction * 10n ** 11n) / 4096n, sellPrice, Direction.Sell, sellIn, sellOut);
    expect(await balances(f)).to.deep.equal({ a: DEPOSIT - amountIn + sellOut, b: amountOut - sellIn });
    expect(await asset.balanceOf(await vault.getAddress())).to.be.greaterThan(DEPOSIT - amountIn);
    expect(await riskAsset.balanceOf(await vault.getAddress())).to.equal(amountOut - sellIn);
    expect(await vault.epoch()).to.equal(2n);
  });

  it("holds, and still spends the epoch, when the predicted move is below the threshold", async () => {
    const f = await loadFixture(deployed);
    const { vault, feed, owner } = f;
    const s = { maxAge: 3600n, thresholdBps: 9_000n, tradeBps: 5_000n, maxSlippageBps: 50n };
    await expect(vault.connect(owner).setStrategy(s)).to.emit(vault, "StrategyUpdated").withArgs(s.maxAge, s.thresholdBps, s.tradeBps, s.maxSlippageBps);
    await expect(vault.connect(f.alice).setStrategy(s)).to.be.revertedWithCustomError(vault, "OwnableUnauthorizedAccount");
    await expect(vault.connect(owner).setStrategy({ ...s, tradeBps: 10_001n })).to.be.revertedWithCustomError(vault, "InvalidStrategy");
    await expect(vault.connect(owner).setStrategy({ ...s, maxAge: 0n })).to.be.revertedWithCustomError(vault, "InvalidStrategy");
    const { proved, prediction } = await proveOnFeed(feed, 0n);
    await expect(vault.rebalance(asProof(proved.calldata), prediction)).to.emit(vault, "Rebalanced").withArgs(0n, (prediction * 10n ** 11n) / 4096n, thousandsToAnswer(scenarios.buy[WINDOW - 1], FEED_DECIMALS), Direction.Hold, 0n, 0n);
    expect(await balances(f)).to.deep.equal({ a: DEPOSIT, b: 0n });
    expect(await vault.epoch()).to.equal(1n);
  });

  it("deploys from deploy/modules/vault.ts off a dev network with the tokens, feed and swap as parameters", async () => {
    const { asset, riskAsset, feed, swapper, model } = await loadFixture(deployed);
    const { buildVaultModule } = await import("../../deploy/modules/vault");
    const addr = async (c: Contract) => c.getAddress();
    const parameters = { AiVault: { asset: await addr(asset), riskAsset: await addr(riskAsset), feed: await addr(feed), swapper: await addr(swapper), thresholdBps: 250 } };
    const { vault } = await (hre as any).ignition.deploy(buildVaultModule(hre.zkml.manifest(MODEL), false), { parameters }); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(await vault.asset()).to.equal(parameters.AiVault.asset);
    expect(await vault.riskAsset()).to.equal(parameters.AiVault.riskAsset);
    expect(await vault.feed()).to.equal(parameters.AiVault.feed);
    expect(await vault.swapper()).to.equal(parameters.AiVault.swapper);
    expect((await vault.strategy()).thresholdBps).to.equal(250n);
    const own = await hre.ethers.getContractAt("ZkmlModel", await vault.model());
    expect(await own.modelHash()).to.equal(await model.modelHash());
    expect(await vault.model()).to.not.equal(await model.getAddress()); // its own verifier and adapter
  });

  describe("rejects", () => {
    it("a tampered proof", async () => {
      const { vault, feed } = await loadFixture(deployed);
      const { proved, prediction } = await proveOnFeed(feed, 0n);
      const p = asProof(proved.calldata);
      const negated = { ...p, a: [p.a[0], String(BN254_Q - BigInt(p.a[1]))] }; // -A: still a curve point, a wrong proof
      await expect(vault.rebalance(negated, prediction)).to.be.revertedWithCustomError(vault, "InvalidProof");
      const offCurve = { ...p, c: [p.c[0], String((BigInt(p.c[1]) + 1n) % BN254_Q)] };
      await expect(vault.rebalance(offCurve, prediction)).to.be.revertedWithCustomError(vault, "InvalidProof");
      await vault.rebalance(p, prediction); // the untouched proof still works
    });

    it("a prediction other than the proven one", async () => {
      const { vault, feed } = await loadFixture(deployed);
      const { proved, prediction } = await proveOnFeed(feed, 0n);
      for (const other of [prediction + 1n, prediction - 1n, prediction * 2n, -prediction]) {
        await expect(vault.rebalance(asProof(proved.calldata), other)).to.be.revertedWithCustomError(vault, "InvalidProof");
      }
    });

    it("a prediction outside the output's packing width (it would alias another packed value)", async () => {
      const { vault, model, feed } = await loadFixture(deployed);
      const { proved, prediction } = await proveOnFeed(feed, 0n);
      const half = 1n << BigInt(hre.zkml.manifest(MODEL).publicSignals.outputs.packing.bits - 1);
      for (const aliased of [prediction + BN254_P, prediction - BN254_P, half, -half - 1n, prediction + 2n * half]) {
        await expect(vault.rebalance(asProof(proved.calldata), aliased)).to.be.revertedWithCustomError(model, "ValueOutOfRange");
      }
    });

    it("a stale feed", async () => {
      const { vault, feed } = await loadFixture(deployed);
      const { proved, prediction } = await proveOnFeed(feed, 0n);
      const { maxAge } = await vault.strategy();
      const [, , , updatedAt] = await feed.latestRoundData();
      await time.increase(maxAge + 1n);
      await expect(vault.rebalance(asProof(proved.calldata), prediction)).to.be.revertedWithCustomError(vault, "StalePrice").withArgs(updatedAt, maxAge);
    });

    it("a replayed proof (the epoch has moved on)", async () => {
      const { vault, feed } = await loadFixture(deployed);
      const { proved, prediction } = await proveOnFeed(feed, 0n);
      await vault.rebalance(asProof(proved.calldata), prediction);
      await expect(vault.rebalance(asProof(proved.calldata), prediction)).to.be.revertedWithCustomError(vault, "InvalidProof");
      // A proof bound to a future epoch is no good now either.
      const ahead = await proveOnFeed(feed, 5n);
      await expect(vault.rebalance(asProof(ahead.proved.calldata), ahead.prediction)).to.be.revertedWithCustomError(vault, "InvalidProof");
    });

    it("a proof on inputs that are no longer the feed's (a round pushed after proving)", async () => {
      const { vault, feed } = await loadFixture(deployed);
      const { proved, prediction } = await proveOnFeed(feed, 0n);
      await feed.pushPrice(thousandsToAnswer(scenarios.buy[WINDOW - 1], FEED_DECIMALS)); // even an unchanged price shifts the window
      expect(await vault.publicSignals(prediction)).to.not.deep.equal(proved.calldata.publicSignals.map(BigInt));
      await expect(vault.rebalance(asProof(proved.calldata), prediction)).to.be.revertedWithCustomError(vault, "InvalidProof");
    });

    it("a proof of another model (same circuit, another key)", async () => {
      const { vault, feed } = await loadFixture(deployed);
      const { proved, prediction } = await proveOnFeed(feed, 0n, ALT_MODEL);
      const signals: bigint[] = [...(await vault.publicSignals(prediction))];
      expect(signals.map(String)).to.deep.equal(proved.calldata.publicSignals.map((s) => BigInt(s).toString()));
      expect(await altModel.verify(asProof(proved.calldata), signals)).to.equal(true); // a genuine proof, of the other model
      await expect(vault.rebalance(asProof(proved.calldata), prediction)).to.be.revertedWithCustomError(vault, "InvalidProof");
    });

    it("a step before the feed has a full window", async () => {
      const { vault, model, asset, riskAsset, swapper, owner } = await loadFixture(deployed);
      const feed = await hre.ethers.deployContract("MockPriceFeed", [FEED_DECIMALS, "fresh", owner.address]);
      const s = await vault.strategy();
      const fresh = await hre.ethers.deployContract("AiVault", [asset, riskAsset, feed, swapper, model, [s.maxAge, s.thresholdBps, s.tradeBps, s.maxSlippageBps], "v", "v", owner.address]);
      for (const p of scenarios.buy.slice(1)) await feed.pushPrice(thousandsToAnswer(p, FEED_DECIMALS));
      await expect(fresh.currentModelInputs()).to.be.revertedWithCustomError(fresh, "NotEnoughRounds").withArgs(WINDOW - 1);
      await feed.pushPrice(0n);
      await expect(fresh.currentModelInputs()).to.be.revertedWithCustomError(fresh, "InvalidPrice").withArgs(WINDOW, 0n);
    });

    it("a model with another signal layout, at deployment", async () => {
      const { vault, model, asset, riskAsset, feed, swapper, owner } = await loadFixture(deployed);
      const layout = solidityLayout(hre.zkml.manifest(MODEL).publicSignals, 12);
      const unbound = await hre.ethers.deployContract("ZkmlModel", [await model.verifier(), await model.modelHash(), { ...layout, signalCount: layout.bindingsOffset, bindingCount: 0 }, 0n]);
      const s = await vault.strategy();
      const args = (m: Contract) => [asset, riskAsset, feed, swapper, m, [s.maxAge, s.thresholdBps, s.tradeBps, s.maxSlippageBps], "v", "v", owner.address];
      await expect(hre.ethers.deployContract("AiVault", args(unbound))).to.be.revertedWithCustomError(vault, "InvalidModelLayout").withArgs(1, WINDOW, 0);
    });

    it("deposits and withdrawals priced with a stale feed while holding the risk asset", async () => {
      const f = await loadFixture(deployed);
      const { vault, feed, asset, alice } = f;
      const { proved, prediction } = await proveOnFeed(feed, 0n);
      await vault.rebalance(asProof(proved.calldata), prediction);
      const { maxAge } = await vault.strategy();
      await time.increase(maxAge + 1n);
      await asset.mint(alice.address, USD(1n));
      await asset.connect(alice).approve(await vault.getAddress(), USD(1n));
      await expect(vault.connect(alice).deposit(USD(1n), alice.address)).to.be.revertedWithCustomError(vault, "StalePrice");
      await expect(vault.connect(alice).withdraw(USD(1n), alice.address, alice.address)).to.be.revertedWithCustomError(vault, "StalePrice");
      await feed.pushPrice(thousandsToAnswer(scenarios.buy[WINDOW - 1], FEED_DECIMALS));
      await vault.connect(alice).withdraw(USD(1n), alice.address, alice.address);
      const max = await vault.maxWithdraw(alice.address);
      await expect(vault.connect(alice).withdraw(max + 1n, alice.address, alice.address)).to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxWithdraw");
    });
  });
});
