// ModelCompetition, end to end (private model, public data): a "decentralised Kaggle".
//
//   npx hardhat run scripts/examples/kaggle.ts
//
// The host compiles the scoring circuit kaggle_scorer (a fixed classifier architecture whose weights are
// private, committed inputs, followed by its evaluation on a labelled test set) and deploys its verifier,
// a ZkmlModel adapter with model commitment 0 and the competition. Two competitors register the commitments
// to their weights (alice: examples/models/kaggle_scorer/network.onnx, bob: rival.onnx). The host closes
// registration by publishing the test set's commitment; each competitor proves, with the shared circuit and
// their own weights, how many test rows their model gets right, and submits. The script then shows that
// swapped weights, a tampered score and an unregistered submitter are rejected. Exits non-zero on failure.
import hre from "hardhat";
import { releaseSnarkjs } from "../../src/backend/snarkjs";
import { Contract, ensurePrivacyExamples, proveWithWeights, readTestSet, revertReason, rivalOnnx, SCORER_MODEL, verifyStatementGas } from "../../src/examples/privacy";
import { asProof, statement } from "../../src/statements/zkml-model";

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`kaggle check failed: ${what}`);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const log = (msg: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
  const root = hre.config.paths.root;
  ensurePrivacyExamples(root, log);

  await hre.zkml.compile({ name: SCORER_MODEL, log });
  await hre.run("compile", { quiet: true });
  const m = hre.zkml.manifest(SCORER_MODEL);
  log(`${SCORER_MODEL}: ${m.circuit.constraints} constraints, ${m.params?.count} private parameters, ${m.publicSignals.count} public signals (count, model commitment, test-set commitment, participant)`);

  const [host, alice, bob, mallory] = await hre.ethers.getSigners();
  const { model } = await hre.zkml.deployModel(SCORER_MODEL); // modelCommitment 0: each competitor brings theirs
  const competition: Contract = await (await hre.ethers.getContractFactory("ModelCompetition")).deploy(await model.getAddress(), host.address);
  await competition.waitForDeployment();
  log(`deployed ${m.contractName}, ZkmlModel and ModelCompetition at ${await competition.getAddress()}`);

  // Registration: competitors publish only the commitments to their weights (computed off-chain, no proof).
  const testSet = readTestSet(root);
  const aliceCommitment = BigInt(hre.zkml.commitments(SCORER_MODEL, testSet).model!);
  log(`alice and bob prove their runs on the test set (shared circuit, each with their own private weights) ...`);
  const aliceRun = await hre.zkml.prove(SCORER_MODEL, testSet, { bindings: { participant: alice.address } });
  const bobRun = await proveWithWeights(hre, SCORER_MODEL, rivalOnnx(root), testSet, { bindings: { participant: bob.address } });
  check(aliceRun.commitments.model === aliceCommitment.toString(), "alice's proof carries her published commitment");
  const bobCommitment = BigInt(bobRun.commitments.model!);
  for (const [who, signer, c] of [["alice", alice, aliceCommitment], ["bob", bob, bobCommitment]] as const) {
    const r = await (await competition.connect(signer).register(c)).wait();
    log(`${who} registered model commitment ${c} (gasUsed ${r!.gasUsed})`);
  }

  // The host publishes the test set (input.json) off-chain and its commitment on-chain.
  const testSetCommitment = BigInt(aliceRun.commitments.input!);
  const closed = await (await competition.connect(host).closeRegistration(testSetCommitment)).wait();
  log(`host closed registration with test-set commitment ${testSetCommitment} (gasUsed ${closed!.gasUsed})`);

  const correct = (r: typeof aliceRun) => BigInt(r.outputs[0].values[0]);
  const s = statement({ outputs: [correct(aliceRun) << BigInt(m.quant.scaleBits)], modelCommitment: aliceCommitment, inputCommitment: testSetCommitment, bindings: [alice.address] });
  const verifyGas = await verifyStatementGas(model, aliceRun.calldata, s);
  const aliceTx = await (await competition.connect(alice).submitScore(asProof(aliceRun.calldata), correct(aliceRun))).wait();
  log(`alice: ${correct(aliceRun)}/16 correct (onnxruntime: ${aliceRun.reference?.outputs[0][0]}), accepted`);
  log(`gas: ZkmlModel.verifyStatement ${verifyGas} (as its own transaction), ModelCompetition.submitScore ${aliceTx!.gasUsed}`);
  const bobTx = await (await competition.connect(bob).submitScore(asProof(bobRun.calldata), correct(bobRun))).wait();
  log(`bob: ${correct(bobRun)}/16 correct (onnxruntime: ${bobRun.reference?.outputs[0][0]}), accepted (gasUsed ${bobTx!.gasUsed})`);
  check((await competition.leader()) === alice.address && (await competition.leaderScore()) === correct(aliceRun), "alice leads");
  log(`leader: alice with ${await competition.leaderScore()}`);

  // Cheating attempts.
  const swapped = await proveWithWeights(hre, SCORER_MODEL, rivalOnnx(root), testSet, { bindings: { participant: alice.address }, reference: false });
  log(`alice submits a proof made with bob's weights: ${await revertReason(competition, competition.connect(alice).submitScore(asProof(swapped.calldata), correct(swapped)))}`);
  log(`bob claims 16/16 with his proof: ${await revertReason(competition, competition.connect(bob).submitScore(asProof(bobRun.calldata), 16n))}`);
  log(`bob submits alice's proof: ${await revertReason(competition, competition.connect(bob).submitScore(asProof(aliceRun.calldata), correct(aliceRun)))}`);
  log(`mallory (unregistered) submits alice's proof: ${await revertReason(competition, competition.connect(mallory).submitScore(asProof(aliceRun.calldata), correct(aliceRun)))}`);
  check((await competition.entryOf(bob.address)).bestScore === correct(bobRun), "bob's best is his proven score");
  log("done");
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(releaseSnarkjs);
