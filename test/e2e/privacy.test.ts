import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { releaseSnarkjs } from "../../src/backend/snarkjs";
import type { ProveResult } from "../../src/pipeline/prove";
import {
  Contract,
  embedding,
  ensurePrivacyExamples,
  FACE_MODEL,
  fixedPoint,
  proveWithWeights,
  readCaptures,
  readTestSet,
  rivalOnnx,
  SCORER_MODEL,
  verifyStatementGas,
} from "../../src/examples/privacy";
import { asProof, statement } from "../../src/statements/zkml-model";

/**
 * Issue 7's two private examples, end to end: ONNX model -> circuit with hashed inputs (and private
 * parameters) -> Groth16 proof -> the example contract verifying it through its ZkmlModel adapter.
 */
describe("privacy examples", () => {
  const root = hre.config.paths.root;
  after(releaseSnarkjs);

  before(async () => {
    ensurePrivacyExamples(root);
    await hre.zkml.compile({ name: FACE_MODEL });
    await hre.zkml.compile({ name: SCORER_MODEL });
    await hre.run("compile", { quiet: true });
  });

  const gasLine = (what: string, verify: bigint, tx: bigint) => console.log(`      gas ${what}: verifyStatement ${verify}, whole transaction ${tx}`);

  describe("HumanityPass: public model, private data", () => {
    /** 4.0 at scale 2^12: a liveness logit of 4 (p ~ 0.98). */
    const THRESHOLD = 4n * 4096n;
    const captures = () => readCaptures(root);
    let scaleBits: number;
    let alice: ProveResult; // live[0], bound to signer 1
    let bob: ProveResult; // live[1], bound to signer 2
    let aliceForCarol: ProveResult; // live[0] again, bound to signer 3
    let spoof: ProveResult; // a printed photo, bound to signer 1

    before(async () => {
      const [, a, b, c] = await hre.ethers.getSigners();
      const live = captures().live;
      scaleBits = hre.zkml.manifest(FACE_MODEL).quant.scaleBits;
      alice = await hre.zkml.prove(FACE_MODEL, embedding(live[0]), { bindings: { recipient: a.address } });
      bob = await hre.zkml.prove(FACE_MODEL, embedding(live[1]), { bindings: { recipient: b.address }, reference: false });
      aliceForCarol = await hre.zkml.prove(FACE_MODEL, embedding(live[0]), { bindings: { recipient: c.address }, reference: false });
      spoof = await hre.zkml.prove(FACE_MODEL, embedding(captures().spoof[0]), { bindings: { recipient: a.address }, reference: false });
    });

    const score = (r: ProveResult) => fixedPoint(r.outputs[0].values[0], scaleBits);
    const nullifier = (r: ProveResult) => BigInt(r.commitments.input!);

    async function deploy(enrollmentRequired: boolean) {
      const [owner, a, b, c, relayer] = await hre.ethers.getSigners();
      const { model } = await hre.zkml.deployModel(FACE_MODEL);
      const factory = await hre.ethers.getContractFactory("HumanityPass");
      const pass: Contract = await factory.deploy(await model.getAddress(), THRESHOLD, enrollmentRequired, "Humanity Pass", "HUMAN", owner.address);
      await pass.waitForDeployment();
      return { model: model as Contract, pass, owner, a, b, c, relayer };
    }
    const openPass = () => deploy(false);
    const allowListPass = () => deploy(true);

    it("publishes only the score and the embedding's commitment, which equals the off-chain one", async () => {
      const m = hre.zkml.manifest(FACE_MODEL);
      expect(m.visibility).to.include({ input: "hashed", params: "fixed", output: "public", inputSalt: false });
      expect(m.publicSignals.count).to.equal(3); // packed score, input commitment, recipient
      const live = captures().live;
      expect(hre.zkml.commitments(FACE_MODEL, embedding(live[0]))).to.deep.equal(alice.commitments);
      expect(hre.zkml.commitments(FACE_MODEL, embedding(live[1]))).to.deep.equal(bob.commitments);
      // Unsalted: the same embedding always has the same commitment (the nullifier), whoever the recipient.
      expect(aliceForCarol.commitments.input).to.equal(alice.commitments.input);
      expect(bob.commitments.input).to.not.equal(alice.commitments.input);
      expect(alice.publicSignals).to.include(alice.commitments.input);
      for (const v of live[0]) expect(alice.publicSignals).to.not.include(String(fixedPoint(v, scaleBits)));
      expect((await hre.zkml.verify(FACE_MODEL, alice.proof, alice.publicSignals)).valid).to.equal(true);
      expect(alice.outputs[0].values[0]).to.be.greaterThan(4);
      expect(spoof.outputs[0].values[0]).to.be.lessThan(0);
    });

    it("claims a pass with a proof verified on-chain", async () => {
      const { model, pass, a, b, relayer } = await loadFixture(openPass);
      const verifyGas = await verifyStatementGas(model, alice.calldata, statement({ outputs: [score(alice)], inputCommitment: nullifier(alice), bindings: [a.address] }));
      expect(await model.verifyStatement(asProof(alice.calldata), statement({ outputs: [score(alice)], inputCommitment: nullifier(alice), bindings: [a.address] }))).to.equal(true);
      // Anyone may relay the claim: the pass goes to the proof's recipient.
      const tx = await pass.connect(relayer).claim(asProof(alice.calldata), score(alice), nullifier(alice), a.address);
      await expect(tx).to.emit(pass, "PassClaimed").withArgs(a.address, 1n, nullifier(alice), score(alice));
      await expect(tx).to.emit(pass, "Transfer").withArgs(hre.ethers.ZeroAddress, a.address, 1n);
      const receipt = await tx.wait();
      gasLine("HumanityPass.claim", verifyGas, receipt.gasUsed);
      expect(await pass.ownerOf(1n)).to.equal(a.address);
      expect(await pass.hasPass(a.address)).to.equal(true);
      expect(await pass.passOf(nullifier(alice))).to.equal(1n);
      expect(await pass.totalSupply()).to.equal(1n);
      await pass.claim(asProof(bob.calldata), score(bob), nullifier(bob), b.address);
      expect(await pass.ownerOf(2n)).to.equal(b.address);
    });

    it("rejects a reused nullifier: the same embedding claims once, whatever the recipient or proof", async () => {
      const { pass, a, c } = await loadFixture(openPass);
      await pass.claim(asProof(alice.calldata), score(alice), nullifier(alice), a.address);
      await expect(pass.claim(asProof(aliceForCarol.calldata), score(aliceForCarol), nullifier(aliceForCarol), c.address))
        .to.be.revertedWithCustomError(pass, "NullifierUsed").withArgs(nullifier(alice), 1n);
      await expect(pass.claim(asProof(alice.calldata), score(alice), nullifier(alice), a.address)).to.be.revertedWithCustomError(pass, "NullifierUsed");
    });

    it("rejects a proof for another recipient", async () => {
      const { pass, a, c } = await loadFixture(openPass);
      // Front-running alice's claim with her proof, to carol: the proof is bound to alice.
      await expect(pass.claim(asProof(alice.calldata), score(alice), nullifier(alice), c.address)).to.be.revertedWithCustomError(pass, "InvalidProof");
      // Carol's own proof of the same embedding does not mint to alice either.
      await expect(pass.claim(asProof(aliceForCarol.calldata), score(alice), nullifier(alice), a.address)).to.be.revertedWithCustomError(pass, "InvalidProof");
      expect(await pass.totalSupply()).to.equal(0n);
    });

    it("rejects another input's commitment for the proof, and a tampered score", async () => {
      const { pass, a } = await loadFixture(openPass);
      await expect(pass.claim(asProof(alice.calldata), score(alice), nullifier(bob), a.address)).to.be.revertedWithCustomError(pass, "InvalidProof");
      await expect(pass.claim(asProof(alice.calldata), score(alice) + 1n, nullifier(alice), a.address)).to.be.revertedWithCustomError(pass, "InvalidProof");
      // A spoof's proof scores below the threshold; claiming a passing score for it fails verification.
      await expect(pass.claim(asProof(spoof.calldata), score(spoof), nullifier(spoof), a.address))
        .to.be.revertedWithCustomError(pass, "ScoreTooLow").withArgs(score(spoof), THRESHOLD);
      await expect(pass.claim(asProof(spoof.calldata), THRESHOLD, nullifier(spoof), a.address)).to.be.revertedWithCustomError(pass, "InvalidProof");
      // Nothing was used up by the failed claims.
      await pass.claim(asProof(alice.calldata), score(alice), nullifier(alice), a.address);
    });

    it("holds one pass per account, and passes cannot be transferred", async () => {
      const { pass, a, b } = await loadFixture(openPass);
      await pass.claim(asProof(alice.calldata), score(alice), nullifier(alice), a.address);
      await expect(pass.connect(a).transferFrom(a.address, b.address, 1n)).to.be.revertedWithCustomError(pass, "Soulbound");
      const [, signerA] = await hre.ethers.getSigners();
      const again = await hre.zkml.prove(FACE_MODEL, embedding(captures().live[2]), { bindings: { recipient: signerA.address }, reference: false });
      await expect(pass.claim(asProof(again.calldata), fixedPoint(again.outputs[0].values[0], scaleBits), BigInt(again.commitments.input!), a.address))
        .to.be.revertedWithCustomError(pass, "AlreadyHoldsPass").withArgs(a.address);
    });

    it("with the allow-list on, claims only enrolled commitments, which the owner enrolls and revokes", async () => {
      const { model, pass, owner, a, b } = await loadFixture(allowListPass);
      expect(await pass.enrollmentRequired()).to.equal(true);
      // The registrar enrolls a commitment it computed off-chain (no proof needed).
      const aliceCommitment = BigInt(hre.zkml.commitments(FACE_MODEL, embedding(captures().live[0])).input!);
      expect(aliceCommitment).to.equal(nullifier(alice));
      await expect(pass.claim(asProof(alice.calldata), score(alice), nullifier(alice), a.address))
        .to.be.revertedWithCustomError(pass, "NotEnrolled").withArgs(nullifier(alice));
      await expect(pass.connect(a).enroll(aliceCommitment)).to.be.revertedWithCustomError(pass, "OwnableUnauthorizedAccount");
      await expect(pass.enroll(aliceCommitment)).to.emit(pass, "Enrolled").withArgs(aliceCommitment);
      await expect(pass.enroll(aliceCommitment)).to.be.revertedWithCustomError(pass, "AlreadyEnrolled");
      await expect(pass.enroll(0n)).to.be.revertedWithCustomError(pass, "InvalidCommitment");
      await expect(pass.enroll(await model.FIELD_MODULUS())).to.be.revertedWithCustomError(pass, "InvalidCommitment");
      // An enrolled commitment does not let another embedding's proof through.
      await expect(pass.claim(asProof(bob.calldata), score(bob), aliceCommitment, b.address)).to.be.revertedWithCustomError(pass, "InvalidProof");
      const tx = await pass.claim(asProof(alice.calldata), score(alice), nullifier(alice), a.address);
      gasLine("HumanityPass.claim (allow-list)", await verifyStatementGas(model, alice.calldata, statement({ outputs: [score(alice)], inputCommitment: nullifier(alice), bindings: [a.address] })), (await tx.wait()).gasUsed);
      // Revoked before claiming: bob cannot claim.
      await pass.connect(owner).enroll(nullifier(bob));
      await expect(pass.revoke(nullifier(bob))).to.emit(pass, "Revoked").withArgs(nullifier(bob));
      await expect(pass.revoke(nullifier(bob))).to.be.revertedWithCustomError(pass, "NotEnrolled");
      await expect(pass.claim(asProof(bob.calldata), score(bob), nullifier(bob), b.address)).to.be.revertedWithCustomError(pass, "NotEnrolled");
    });

    it("refuses enrolment without an allow-list, and a model of the wrong shape", async () => {
      const { pass, owner } = await loadFixture(openPass);
      await expect(pass.enroll(nullifier(alice))).to.be.revertedWithCustomError(pass, "EnrollmentDisabled");
      // kaggle_scorer has private parameters: not a fixed public model.
      const { model: scorer } = await hre.zkml.deployModel(SCORER_MODEL);
      const factory = await hre.ethers.getContractFactory("HumanityPass");
      await expect(factory.deploy(await scorer.getAddress(), THRESHOLD, false, "x", "x", owner.address)).to.be.revertedWithCustomError(pass, "InvalidModelLayout");
    });
  });

  describe("ModelCompetition: private model, public data", () => {
    let scaleBits: number;
    let aliceRun: ProveResult; // alice's model (network.onnx), bound to alice
    let bobRun: ProveResult; // bob's model (rival.onnx) on the same circuit, bound to bob
    let swapped: ProveResult; // bob's weights, bound to alice
    let otherTestSet: ProveResult; // alice's model on a test set with one label flipped

    before(async () => {
      const [, , , , , a, b] = await hre.ethers.getSigners();
      scaleBits = hre.zkml.manifest(SCORER_MODEL).quant.scaleBits;
      const testSet = readTestSet(root);
      aliceRun = await hre.zkml.prove(SCORER_MODEL, testSet, { bindings: { participant: a.address } });
      bobRun = await proveWithWeights(hre, SCORER_MODEL, rivalOnnx(root), testSet, { bindings: { participant: b.address }, reference: false });
      swapped = await proveWithWeights(hre, SCORER_MODEL, rivalOnnx(root), testSet, { bindings: { participant: a.address }, reference: false });
      const flipped = JSON.parse(JSON.stringify(testSet));
      flipped.input_data[1][0] = 1 - flipped.input_data[1][0];
      otherTestSet = await hre.zkml.prove(SCORER_MODEL, flipped, { bindings: { participant: a.address }, reference: false });
    });

    const correct = (r: ProveResult) => BigInt(r.outputs[0].values[0]);
    const modelCommitment = (r: ProveResult) => BigInt(r.commitments.model!);
    const testSetCommitment = () => BigInt(aliceRun.commitments.input!);

    async function registered() {
      const signers = await hre.ethers.getSigners();
      const [host, a, b, carol] = [signers[0], signers[5], signers[6], signers[7]];
      const { model } = await hre.zkml.deployModel(SCORER_MODEL); // modelCommitment 0: one per competitor
      const factory = await hre.ethers.getContractFactory("ModelCompetition");
      const competition: Contract = await factory.deploy(await model.getAddress(), host.address);
      await competition.waitForDeployment();
      await competition.connect(a).register(modelCommitment(aliceRun));
      await competition.connect(b).register(modelCommitment(bobRun));
      return { model: model as Contract, competition, host, a, b, carol };
    }
    async function scoring() {
      const f = await registered();
      await f.competition.connect(f.host).closeRegistration(testSetCommitment());
      return f;
    }

    it("hides the weights behind a model commitment, and the commitments equal the off-chain ones", async () => {
      const m = hre.zkml.manifest(SCORER_MODEL);
      expect(m.visibility).to.include({ input: "hashed", params: "private", output: "public" });
      expect(m.params?.count).to.equal(6 * 8 + 8 + 8 * 2 + 2); // both Gemm layers' weights and biases
      expect(m.publicSignals.count).to.equal(4); // packed count, model commitment, test-set commitment, participant
      const testSet = readTestSet(root);
      expect(hre.zkml.commitments(SCORER_MODEL, testSet)).to.deep.equal(aliceRun.commitments);
      expect(correct(aliceRun)).to.equal(14n);
      expect(correct(bobRun)).to.equal(12n);
      expect(aliceRun.reference?.outputs[0]).to.deep.equal([14]);
      // Same test set, other weights: same input commitment, another model commitment.
      expect(bobRun.commitments.input).to.equal(aliceRun.commitments.input);
      expect(bobRun.commitments.model).to.not.equal(aliceRun.commitments.model);
      expect(swapped.commitments.model).to.equal(bobRun.commitments.model);
      expect(otherTestSet.commitments.input).to.not.equal(aliceRun.commitments.input);
      expect((await hre.zkml.verify(SCORER_MODEL, bobRun.proof, bobRun.publicSignals)).valid).to.equal(true);
    });

    it("registers models while registration is open, one commitment per participant", async () => {
      const { competition, host, a, b, carol } = await loadFixture(registered);
      expect(await competition.registrationOpen()).to.equal(true);
      expect((await competition.entryOf(a.address)).modelCommitment).to.equal(modelCommitment(aliceRun));
      expect(await competition.participantOf(modelCommitment(bobRun))).to.equal(b.address);
      await expect(competition.connect(a).register(123n)).to.be.revertedWithCustomError(competition, "AlreadyRegistered");
      await expect(competition.connect(carol).register(modelCommitment(aliceRun)))
        .to.be.revertedWithCustomError(competition, "CommitmentTaken").withArgs(modelCommitment(aliceRun), a.address);
      await expect(competition.connect(carol).register(0n)).to.be.revertedWithCustomError(competition, "InvalidCommitment");
      await expect(competition.connect(a).submitScore(asProof(aliceRun.calldata), correct(aliceRun))).to.be.revertedWithCustomError(competition, "RegistrationStillOpen");
      await expect(competition.connect(a).closeRegistration(testSetCommitment())).to.be.revertedWithCustomError(competition, "OwnableUnauthorizedAccount");
      await expect(competition.connect(host).closeRegistration(testSetCommitment())).to.emit(competition, "RegistrationClosed").withArgs(testSetCommitment());
      expect(await competition.testSetCommitment()).to.equal(testSetCommitment());
      await expect(competition.connect(carol).register(42n)).to.be.revertedWithCustomError(competition, "RegistrationIsClosed");
      await expect(competition.connect(host).closeRegistration(testSetCommitment())).to.be.revertedWithCustomError(competition, "RegistrationIsClosed");
    });

    it("records proven scores, verified on-chain against each competitor's commitment", async () => {
      const { model, competition, a, b } = await loadFixture(scoring);
      const s = statement({ outputs: [correct(aliceRun) << BigInt(scaleBits)], modelCommitment: modelCommitment(aliceRun), inputCommitment: testSetCommitment(), bindings: [a.address] });
      expect(await model.verifyStatement(asProof(aliceRun.calldata), s)).to.equal(true);
      const verifyGas = await verifyStatementGas(model, aliceRun.calldata, s);
      const tx = await competition.connect(a).submitScore(asProof(aliceRun.calldata), correct(aliceRun));
      await expect(tx).to.emit(competition, "ScoreSubmitted").withArgs(a.address, 14n, 14n);
      await expect(tx).to.emit(competition, "LeaderChanged").withArgs(a.address, 14n);
      gasLine("ModelCompetition.submitScore", verifyGas, (await tx.wait()).gasUsed);
      // Bob's weaker model, proven on the same circuit with his own weights.
      await expect(competition.connect(b).submitScore(asProof(bobRun.calldata), correct(bobRun)))
        .to.emit(competition, "ScoreSubmitted").withArgs(b.address, 12n, 12n)
        .and.not.to.emit(competition, "LeaderChanged");
      expect(await competition.leader()).to.equal(a.address);
      expect(await competition.leaderScore()).to.equal(14n);
      const entry = await competition.entryOf(b.address);
      expect([entry.bestScore, entry.scored]).to.deep.equal([12n, true]);
    });

    it("rejects swapped weights: another model's proof against the registered commitment", async () => {
      const { competition, a } = await loadFixture(scoring);
      // A valid proof of the same circuit, test set and participant, made with bob's weights.
      expect((await hre.zkml.verify(SCORER_MODEL, swapped.proof, swapped.publicSignals)).valid).to.equal(true);
      await expect(competition.connect(a).submitScore(asProof(swapped.calldata), correct(swapped))).to.be.revertedWithCustomError(competition, "InvalidProof");
    });

    it("rejects a submission by an unregistered participant, and another participant's proof", async () => {
      const { competition, b, carol } = await loadFixture(scoring);
      await expect(competition.connect(carol).submitScore(asProof(aliceRun.calldata), correct(aliceRun)))
        .to.be.revertedWithCustomError(competition, "NotRegistered").withArgs(carol.address);
      await expect(competition.connect(b).submitScore(asProof(aliceRun.calldata), correct(aliceRun))).to.be.revertedWithCustomError(competition, "InvalidProof");
    });

    it("rejects score tampering and a proof on another test set", async () => {
      const { competition, a } = await loadFixture(scoring);
      await expect(competition.connect(a).submitScore(asProof(aliceRun.calldata), correct(aliceRun) + 1n)).to.be.revertedWithCustomError(competition, "InvalidProof");
      await expect(competition.connect(a).submitScore(asProof(aliceRun.calldata), 16n)).to.be.revertedWithCustomError(competition, "InvalidProof");
      await expect(competition.connect(a).submitScore(asProof(aliceRun.calldata), 2n ** 32n)).to.be.revertedWithCustomError(competition, "ScoreOutOfRange");
      await expect(competition.connect(a).submitScore(asProof(otherTestSet.calldata), correct(otherTestSet))).to.be.revertedWithCustomError(competition, "InvalidProof");
      expect((await competition.entryOf(a.address)).scored).to.equal(false);
    });

    it("needs a scorer adapter without a fixed model commitment", async () => {
      const [host] = await hre.ethers.getSigners();
      const factory = await hre.ethers.getContractFactory("ModelCompetition");
      const fixed = await hre.zkml.deployModel(SCORER_MODEL, { modelCommitment: modelCommitment(aliceRun) });
      await expect(factory.deploy(await fixed.model.getAddress(), host.address)).to.be.revertedWithCustomError(factory, "InvalidModelLayout");
      const face = await hre.zkml.deployModel(FACE_MODEL);
      await expect(factory.deploy(await face.model.getAddress(), host.address)).to.be.revertedWithCustomError(factory, "InvalidModelLayout");
    });
  });
});
