// The web dApp (app/) end to end in Debian's Chromium: the page is built with Vite and served with the compiled
// models; its contracts are deployed with the Ignition modules on the in-process network; a test wallet injected as
// window.ethereum signs with Hardhat's third account. Each flow runs to its on-chain result, a tampered proof and a
// replayed pass are refused with their sentences, and no request the page makes carries the private embedding.
// Screenshots go to test-artifacts/app/; each flow's proof time in the browser and in Node to
// test-artifacts/app/proof-times.json.
import { expect } from "chai";
import { Contract, HDNodeWallet, toBeHex, zeroPadValue } from "ethers";
import fs from "fs";
import hre from "hardhat";
import path from "path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { buildApp } from "../../app/node/build";
import { deployApp } from "../../app/node/deploy";
import { serveApp, type AppServer } from "../../app/node/server";
import type { AppConfig } from "../../app/src/config";
import { releaseSnarkjs, useSnarkjs } from "../../src/backend/snarkjs";
import { embedding, FACE_MODEL, readCaptures } from "../../src/examples/privacy";
import { toField } from "../../src/numeric/field";
import { artifact, type Manifest } from "../../src/pipeline/manifest";
import { circuitInput, commitmentsIn, decodeOutputs, quantizedInputs } from "../../src/pipeline/statement";
import { packWords } from "../../src/privacy/packing";
import { encodeValues, promptValues, svgPixels, tokenIdOf } from "../../src/statements/aigc";
import { decodeSvgUri, decodeTokenUri, expectedGray } from "../../src/statements/token-uri";
import { readFeedInputs, type RoundFeed } from "../../src/statements/vault-inputs";
import { launchChromium } from "../../app/node/chromium";
import { hardhatAccount, recordRequests, TestWallet, type RecordedRequest } from "./app-browser";
import { BN254_Q } from "./helpers";

const ARTIFACTS = path.join(hre.config.paths.root, "test-artifacts", "app");

interface ProofTimes {
  model: string;
  constraints: number;
  /** snarkjs fullProve (witness + Groth16) in a Web Worker in Chromium, as the page measured it. */
  browserMs: number;
  /** The same snarkjs fullProve, same witness input, wasm and zkey (in memory), in Node: the median of 5 after a warm-up. */
  nodeSnarkjsMs: number;
  /** hre.zkml.prove's Groth16 time with the plugin's default prover (the native one when its addon loads). */
  nodeDefaultMs: number;
  nodeDefaultProver: string;
}

describe("app: the web dApp in Chromium (playwright-core)", function () {
  let config: AppConfig;
  let server: AppServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let wallet: TestWallet;
  let requests: RecordedRequest[];
  const pageErrors: string[] = [];
  const times: ProofTimes[] = [];
  const contract = (name: keyof AppConfig["contracts"]) => new Contract(config.contracts[name].address, config.contracts[name].abi as never, hre.ethers.provider);

  before(async function () {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    config = await deployApp(hre);
    server = await serveApp({ distDir: buildApp(), buildDir: hre.config.zkml.buildDir, config });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1500, height: 1100 } });
    wallet = new TestWallet(hre.network.provider, hardhatAccount(hre.config.networks.hardhat.accounts, 2), config.chainId);
    await wallet.install(context);
    requests = recordRequests(context);
    page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    await page.click("#connect");
    await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
  });

  after(async function () {
    if (times.length) {
      fs.writeFileSync(path.join(ARTIFACTS, "proof-times.json"), JSON.stringify(times, null, 2) + "\n");
      console.log("      proof times (witness + Groth16 unless noted):");
      for (const t of times)
        console.log(
          `        ${t.model} (${t.constraints} constraints): browser ${t.browserMs} ms, Node snarkjs ${t.nodeSnarkjsMs} ms, ratio ${(t.browserMs / t.nodeSnarkjsMs).toFixed(2)}; Node ${t.nodeDefaultProver} Groth16 ${t.nodeDefaultMs} ms`,
        );
    }
    await page?.screenshot({ path: path.join(ARTIFACTS, "app.png"), fullPage: true });
    await browser?.close();
    await server?.close();
    await releaseSnarkjs();
  });

  /** Clicks `button` and waits for the card to finish ("done" or "error"); returns its alert text. */
  async function act(cardId: string, button: string): Promise<{ state: string; alert: string }> {
    await page.click(button);
    await page.waitForSelector(`#${cardId}[data-state=busy]`, { state: "detached" });
    const card = page.locator(`#${cardId}`);
    return { state: (await card.getAttribute("data-state"))!, alert: (await card.locator(".error").textContent())!.trim() };
  }
  const shot = (cardId: string, name: string) => page.locator(`#${cardId}`).screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  const text = async (testId: string) => (await page.locator(`[data-testid=${testId}]`).first().textContent())!.trim();
  const proveMs = async (cardId: string) => Number(await page.locator(`#${cardId}`).getAttribute("data-prove-ms"));

  /**
   * The same proof in Node: snarkjs fullProve on the same witness input with the wasm and zkey in memory, as the
   * worker has them (the median of 5 after a warm-up), and hre.zkml.prove with the plugin's default prover. Returns
   * the public signals, which the browser's proof must equal.
   */
  async function nodeTimes(m: Manifest, input: Record<string, unknown>, rawInput: unknown, bindings: Record<string, string | bigint>, browserMs: number): Promise<string[]> {
    const dir = hre.zkml.modelDir(m.name);
    const [wasm, zkey] = [artifact(dir, m, "wasm"), artifact(dir, m, "zkey")].map((f) => new Uint8Array(fs.readFileSync(f)));
    const fullProve = () => useSnarkjs((s) => s.groth16.fullProve(input, wasm, zkey)) as Promise<{ publicSignals: string[] }>;
    const { publicSignals } = await fullProve();
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await fullProve();
      runs.push(performance.now() - t0);
    }
    const nodeSnarkjsMs = Math.round(runs.sort((a, b) => a - b)[2]);
    const r = await hre.zkml.prove(m.name, rawInput, { bindings, reference: false });
    times.push({ model: m.name, constraints: m.circuit.constraints, browserMs, nodeSnarkjsMs, nodeDefaultMs: Math.round(r.proveMs), nodeDefaultProver: r.prover });
    expect(r.publicSignals).to.deep.equal(publicSignals);
    return publicSignals;
  }

  it("tells a wallet on another network to switch, in one sentence", async function () {
    const other = await browser.newContext();
    try {
      await new TestWallet(hre.network.provider, wallet.signer, 1).install(other);
      const p = await other.newPage();
      await p.goto(server.url);
      await p.click("#connect");
      const alert = p.locator("#wallet-error");
      await alert.waitFor({ state: "visible" });
      expect(await alert.textContent()).to.equal("Your wallet is on chain 1, but the app's contracts are on the local Hardhat network (chain 31337); switch networks in your wallet and connect again.");
      expect(await p.locator("#studio-mint").isDisabled()).to.equal(true);
    } finally {
      await other.close();
    }
  });

  describe("AI vault", function () {
    let m: Manifest;
    let epoch0: bigint;
    before(async function () {
      m = hre.zkml.manifest(config.models.vault);
      epoch0 = await contract("vault").epoch();
    });

    it("shows the vault's state and the feed's last rounds read on-chain", async function () {
      const inputs = await readFeedInputs(contract("feed") as unknown as RoundFeed, m.quant.scaleBits);
      expect(await text("vault-epoch")).to.equal(epoch0.toString());
      expect(await text("vault-total")).to.equal("100000.0 mUSD");
      expect(await text("vault-feed")).to.equal(inputs.q.map((q) => (Number(q) / 4096).toFixed(2)).join(", "));
    });

    it("refuses a proof tampered with on its way to the chain, in one sentence, and nothing moves", async function () {
      const vault = config.contracts.vault.address;
      // The proof's A point negated (still on the curve): the pairing check fails.
      wallet.tamper = {
        to: vault,
        data: (data) => {
          const at = 2 + 8 + 64; // after 0x, the selector and A.x
          const y = BigInt("0x" + data.slice(at, at + 64));
          return data.slice(0, at) + zeroPadValue(toBeHex(BN254_Q - y), 32).slice(2) + data.slice(at + 64);
        },
      };
      try {
        const r = await act("vault", "#vault-rebalance");
        expect(r).to.deep.equal({ state: "error", alert: "The contract refused the proof: it does not verify for this statement, so nothing changed on-chain." });
      } finally {
        wallet.tamper = undefined;
      }
      expect(await contract("vault").epoch()).to.equal(epoch0);
      expect(wallet.calls.some((c) => c.method === "eth_estimateGas" && (c.params[0] as { to?: string }).to?.toLowerCase() === vault.toLowerCase())).to.equal(true);
      await shot("vault", "vault-tampered-proof");
    });

    it("rebalances on the forecast proven in the browser, and shows the transaction's gas", async function () {
      const vault = contract("vault");
      const feedInputs = await readFeedInputs(contract("feed") as unknown as RoundFeed, m.quant.scaleBits);
      const r = await act("vault", "#vault-rebalance");
      expect(r).to.deep.equal({ state: "done", alert: "" });
      expect(await vault.epoch()).to.equal(epoch0 + 1n);
      const [event] = await vault.queryFilter(vault.filters.Rebalanced(epoch0));
      const receipt = await event.getTransactionReceipt();
      expect(receipt.from).to.equal(wallet.address);
      expect((event as unknown as { args: { direction: bigint } }).args.direction).to.equal(1n); // the feed holds the "buy" window
      expect(await text("vault-direction")).to.equal("buy");
      expect(await text("vault-gas")).to.equal(receipt.gasUsed.toString());
      expect(await text("vault-epoch")).to.equal((epoch0 + 1n).toString());
      // The proof the page sent proves what Node proves for the same feed inputs and epoch.
      const tx = vault.interface.parseTransaction(await hre.ethers.provider.getTransaction(event.transactionHash).then((t) => t!))!;
      const q = quantizedInputs(m, { input_data: [feedInputs.floats] });
      const signals = await nodeTimes(m, circuitInput(m, q, { bindings: { epoch: epoch0 } }), { input_data: [feedInputs.floats] }, { epoch: epoch0 }, await proveMs("vault"));
      expect(tx.args.prediction).to.equal(decodeOutputs(m, signals)[0]);
      await shot("vault", "vault-rebalanced");
    });

    it("says so when the feed's last round is older than the vault's maximum age", async function () {
      const vault = contract("vault");
      const { maxAge } = await vault.strategy();
      const node = hre.network.provider;
      const snapshot = await node.request({ method: "evm_snapshot", params: [] });
      try {
        await node.request({ method: "evm_increaseTime", params: [Number(maxAge) + 1] });
        await node.request({ method: "evm_mine", params: [] });
        const epoch = await vault.epoch();
        expect(await act("vault", "#vault-rebalance")).to.deep.equal({ state: "error", alert: "The price feed's last round is older than the vault's maximum age; a new price must be pushed before the vault can rebalance." });
        expect(await vault.epoch()).to.equal(epoch);
      } finally {
        await node.request({ method: "evm_revert", params: [snapshot] });
      }
    });

    it("tells an account without ETH that it cannot pay for the transaction", async function () {
      const poor = await browser.newContext();
      try {
        await new TestWallet(hre.network.provider, HDNodeWallet.createRandom(), config.chainId).install(poor);
        const p = await poor.newPage();
        await p.goto(server.url);
        await p.click("#connect");
        await p.waitForSelector("body[data-ready=true]");
        const epoch = await contract("vault").epoch();
        await p.click("#vault-rebalance");
        await p.waitForSelector("#vault[data-state=error]");
        expect(await p.locator("#vault .error").textContent()).to.equal("Your account does not have enough ETH to pay for this transaction and its gas.");
        expect(await contract("vault").epoch()).to.equal(epoch);
      } finally {
        await poor.close();
      }
    });
  });

  describe("HumanityPass", function () {
    let m: Manifest;
    let live: number[];
    let typed: string;
    before(function () {
      m = hre.zkml.manifest(config.models.pass);
      live = readCaptures(hre.config.paths.root).live[0];
      typed = live.join(", ");
    });

    it("claims a pass with the embedding proven in the browser: only the score, the commitment and the proof are sent", async function () {
      const pass = contract("pass");
      await page.fill("#pass-embedding", typed);
      const r = await act("pass", "#pass-claim");
      expect(r).to.deep.equal({ state: "done", alert: "" });
      expect(await pass.balanceOf(wallet.address)).to.equal(1n);
      const nullifier = hre.zkml.commitments(FACE_MODEL, embedding(live)).input!;
      expect(await pass.passOf(nullifier)).to.equal(1n);
      expect(await text("pass-commitment")).to.equal(nullifier);
      // The claim's arguments are exactly (proof, score, commitment, recipient), as Node proves them.
      const [claimed] = await pass.queryFilter(pass.filters.PassClaimed(wallet.address));
      const tx = pass.interface.parseTransaction((await hre.ethers.provider.getTransaction(claimed.transactionHash))!)!;
      const q = quantizedInputs(m, embedding(live));
      const signals = await nodeTimes(m, circuitInput(m, q, { bindings: { recipient: wallet.address } }), embedding(live), { recipient: wallet.address }, await proveMs("pass"));
      expect([tx.args.score, tx.args.inputCommitment.toString(), tx.args.to]).to.deep.equal([decodeOutputs(m, signals)[0], commitmentsIn(m, signals).input, wallet.address]);
      await shot("pass", "pass-claimed");
    });

    it("refuses the same embedding's pass again with a sentence (its nullifier is spent)", async function () {
      const r = await act("pass", "#pass-claim");
      expect(r).to.deep.equal({ state: "error", alert: "This pass was already claimed: the private input's commitment is spent (pass #1), and one person gets one pass." });
      expect(await contract("pass").totalSupply()).to.equal(1n);
      expect(await page.locator("#pass-result").isVisible()).to.equal(false); // the first claim's result is not shown as this one's
      await shot("pass", "pass-replayed");
    });

    it("no network request and no wallet call made by the page carries the private embedding", async function () {
      const q = quantizedInputs(m, embedding(live));
      const words = [...q.map(toField), ...packWords(q, m.publicSignals.inputs.packing)];
      const numbers = [...live.map(String), ...q.map(String), ...words.map(String)];
      // A number as a whole token: not inside a longer number or a hex string (calldata words are compared below).
      const bounded = (s: string) => new RegExp(`(?<![0-9A-Za-z.])${s.replace(/[.]/g, "\\.")}(?![0-9A-Za-z])`);
      /** What of the embedding a text (a URL, a body, a wallet call's JSON) or its calldata words would reveal. */
      const leaks = (textOf: string, calldata: string[] = []): string[] => [
        ...(textOf.includes(typed) ? ["the typed text"] : []),
        ...numbers.filter((n) => bounded(n).test(textOf)),
        ...calldata.flatMap((d) => {
          const w = new Set(d.slice(10).match(/.{64}/g) ?? []);
          return words.filter((x) => w.has(zeroPadValue(toBeHex(x), 32).slice(2))).map((x) => `word ${x}`);
        }),
      ];
      // The detector finds the embedding where it is.
      expect(leaks(JSON.stringify({ embedding: live }))).to.include.members(live.map(String));
      expect(leaks(`{"q":[${q.join(",")}]}`)).to.include.members(q.map(String));
      expect(leaks(`0xab${q[0]}cd`)).to.deep.equal([]);
      expect(leaks("", ["0x12345678" + zeroPadValue(toBeHex(words[0]), 32).slice(2)])).to.deep.equal([`word ${words[0]}`]);

      // The recording sees the worker's requests (the proving key) and the claim the wallet sent.
      // Two proofs (the claim and the replay), one download of each model file: the worker keeps them in the Cache API.
      const paths = requests.map((r) => new URL(r.url).pathname);
      expect(paths.filter((p) => p === `/zkml/${FACE_MODEL}/model.zkey`)).to.have.length(1);
      expect(paths.filter((p) => p === `/zkml/${FACE_MODEL}/model.wasm`)).to.have.length(1);
      const passAddress = config.contracts.pass.address.toLowerCase();
      const claims = wallet.calls.filter((c) => c.method === "eth_sendTransaction" && (c.params[0] as { to: string }).to.toLowerCase() === passAddress);
      expect(claims).to.have.length(1);
      for (const r of requests) expect(leaks(`${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`), `${r.method} ${r.url}`).to.deep.equal([]);
      for (const c of wallet.calls) {
        const data = (c.params as { data?: string }[]).map((p) => p?.data).filter((d): d is string => typeof d === "string");
        expect(leaks(JSON.stringify(c.params), data), c.method).to.deep.equal([]);
      }
    });
  });

  describe("ERC-7007 studio", function () {
    const PROMPT = "a lighthouse at dusk";
    let m: Manifest;
    before(function () {
      m = hre.zkml.manifest(config.models.studio);
    });

    it("mints the prompt's image with a proof made in the browser, and the gallery draws the token's on-chain SVG", async function () {
      const collection = contract("collection");
      const values = promptValues(PROMPT, 4, m.quant.scaleBits);
      const q = quantizedInputs(m, { input_data: [values] });
      const tokenId = tokenIdOf(encodeValues(q));
      await page.fill("#studio-prompt", PROMPT);
      const r = await act("studio", "#studio-mint");
      expect(r).to.deep.equal({ state: "done", alert: "" });
      expect(await collection.ownerOf(tokenId)).to.equal(wallet.address);

      const meta = decodeTokenUri(await collection.tokenURI(tokenId)) as { image: string; model_hash: string };
      const figure = page.locator(`#gallery figure[data-token-id="${tokenId}"]`);
      expect(await figure.locator("img").getAttribute("src")).to.equal(meta.image);
      expect(await figure.locator("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).to.equal(true);
      expect(await figure.locator("[data-testid=token-name]").textContent()).to.contain(`“${PROMPT}”`);
      expect(await figure.locator("[data-testid=token-prompt]").textContent()).to.equal(`prompt values: ${values.map((v) => v.toFixed(3)).join(", ")}`);
      expect(meta.model_hash).to.equal(m.modelHash);
      expect(await figure.locator("[data-testid=token-model]").textContent()).to.contain(m.modelHash.slice(0, 10));

      // The image is what the model computes for this prompt: Node's proof of the same prompt has the same outputs.
      const signals = await nodeTimes(m, circuitInput(m, q, { bindings: { recipient: wallet.address } }), { input_data: [values] }, { recipient: wallet.address }, await proveMs("studio"));
      const { grays } = svgPixels(decodeSvgUri(meta.image));
      expect(grays).to.deep.equal(decodeOutputs(m, signals).map((v) => expectedGray(v, m.quant.scaleBits)));
      await shot("studio", "studio-minted");
      await page.screenshot({ path: path.join(ARTIFACTS, "app-flows.png"), fullPage: true }); // every flow at its on-chain result
    });

    it("says so when the prompt was already minted", async function () {
      const r = await act("studio", "#studio-mint");
      expect(r.state).to.equal("error");
      expect(r.alert).to.match(/^This prompt was already minted as token 0x[0-9a-f]{8}…[0-9a-f]{6}; each prompt mints once, so try another prompt\.$/);
    });

    it("says so when the user rejects the transaction in the wallet, and nothing is sent", async function () {
      const sent = wallet.calls.filter((c) => c.method === "eth_sendTransaction").length;
      await page.fill("#studio-prompt", "a rejected lighthouse");
      wallet.rejectTransactions = true;
      try {
        expect(await act("studio", "#studio-mint")).to.deep.equal({ state: "error", alert: "You rejected the request in your wallet, so nothing was sent." });
      } finally {
        wallet.rejectTransactions = false;
      }
      expect(wallet.calls.filter((c) => c.method === "eth_sendTransaction").length).to.equal(sent + 1);
      const values = promptValues("a rejected lighthouse", 4, m.quant.scaleBits);
      const collection = contract("collection");
      await expect(collection.ownerOf(tokenIdOf(encodeValues(quantizedInputs(m, { input_data: [values] }))))).to.be.revertedWithCustomError(collection, "ERC721NonexistentToken");
    });

    it("ran without an uncaught error in the page", function () {
      expect(pageErrors).to.deep.equal([]);
    });
  });
});
