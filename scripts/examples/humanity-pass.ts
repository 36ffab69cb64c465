// HumanityPass, end to end (public model, private data): one person, one pass.
//
//   npx hardhat run scripts/examples/humanity-pass.ts
//
// A person's biometric embedding stays on their device. They prove that the public face_match model scores
// it above the pass's threshold, and publish only the score and a Poseidon commitment to the embedding; the
// commitment is the pass's nullifier, and the proof is bound to the pass's recipient. The script compiles
// the model, deploys its verifier, the ZkmlModel adapter and a HumanityPass with an allow-list on Hardhat's
// in-process network, enrolls the person, proves and claims, then shows that the same face cannot claim a
// second pass and that a spoof does not pass. Exits non-zero if any step or check fails.
import hre from "hardhat";
import { releaseSnarkjs } from "../../src/backend/snarkjs";
import { Contract, embedding, ensurePrivacyExamples, FACE_MODEL, fixedPoint, readCaptures, revertReason, verifyStatementGas } from "../../src/examples/privacy";
import { asProof, statement } from "../../src/statements/zkml-model";

/** The lowest liveness score that earns a pass: a logit of 4 (p ~ 0.98). */
const THRESHOLD = 4;

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`humanity-pass check failed: ${what}`);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const log = (msg: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
  const root = hre.config.paths.root;
  ensurePrivacyExamples(root, log);

  await hre.zkml.compile({ name: FACE_MODEL, log });
  await hre.run("compile", { quiet: true });
  const m = hre.zkml.manifest(FACE_MODEL);
  log(`${FACE_MODEL}: ${m.circuit.constraints} constraints, ${m.publicSignals.count} public signals (score, input commitment, recipient)`);

  const [registrar, person, relayer, thief] = await hre.ethers.getSigners();
  const { model } = await hre.zkml.deployModel(FACE_MODEL);
  const threshold = fixedPoint(THRESHOLD, m.quant.scaleBits);
  const pass: Contract = await (await hre.ethers.getContractFactory("HumanityPass")).deploy(await model.getAddress(), threshold, true, "Humanity Pass", "HUMAN", registrar.address);
  await pass.waitForDeployment();
  log(`deployed ${m.contractName}, ZkmlModel and HumanityPass (threshold ${THRESHOLD} = ${threshold} at 2^${m.quant.scaleBits}, allow-list on) at ${await pass.getAddress()}`);

  // Enrolment: the registrar computes the commitment of the person's embedding (e.g. at an in-person check).
  const { live, spoof } = readCaptures(root);
  const commitment = BigInt(hre.zkml.commitments(FACE_MODEL, embedding(live[0])).input!);
  const enrolled = await (await pass.enroll(commitment)).wait();
  log(`enrolled commitment ${commitment} (gasUsed ${enrolled!.gasUsed})`);

  // The person proves on their own device; only the score and the commitment leave it.
  log(`proving: embedding stays private, proof bound to recipient ${person.address} ...`);
  const proved = await hre.zkml.prove(FACE_MODEL, embedding(live[0]), { bindings: { recipient: person.address } });
  const score = fixedPoint(proved.outputs[0].values[0], m.quant.scaleBits);
  check(proved.commitments.input === commitment.toString(), "the proof's commitment is the enrolled one");
  log(`proved score ${proved.outputs[0].values[0]} (onnxruntime: ${proved.reference?.outputs[0][0].toFixed(4)}), input commitment ${proved.commitments.input}`);

  const s = statement({ outputs: [score], inputCommitment: commitment, bindings: [person.address] });
  const verifyGas = await verifyStatementGas(model, proved.calldata, s);
  // A relayer may submit: the proof is bound to the person, so the pass can only go to them.
  log(`front-running with another recipient: ${await revertReason(pass, pass.connect(relayer).claim(asProof(proved.calldata), score, commitment, thief.address))}`);
  const receipt = await (await pass.connect(relayer).claim(asProof(proved.calldata), score, commitment, person.address)).wait();
  check((await pass.ownerOf(1n)) === person.address, "the pass went to the proof's recipient");
  log(`claim: pass #1 minted to ${person.address}`);
  log(`gas: ZkmlModel.verifyStatement ${verifyGas} (as its own transaction), HumanityPass.claim ${receipt!.gasUsed}`);

  // The same face again, for another account: the nullifier is spent.
  const again = await hre.zkml.prove(FACE_MODEL, embedding(live[0]), { bindings: { recipient: thief.address }, reference: false });
  log(`same face, second pass for ${thief.address}: ${await revertReason(pass, pass.claim(asProof(again.calldata), score, commitment, thief.address))}`);

  // A printed photo: enrolled or not, it scores below the threshold.
  const photo = await hre.zkml.prove(FACE_MODEL, embedding(spoof[0]), { bindings: { recipient: thief.address }, reference: false });
  await (await pass.enroll(BigInt(photo.commitments.input!))).wait();
  const photoScore = fixedPoint(photo.outputs[0].values[0], m.quant.scaleBits);
  log(`printed photo scores ${photo.outputs[0].values[0]}: ${await revertReason(pass, pass.claim(asProof(photo.calldata), photoScore, BigInt(photo.commitments.input!), thief.address))}`);
  log(`claiming a passing score for it instead: ${await revertReason(pass, pass.claim(asProof(photo.calldata), threshold, BigInt(photo.commitments.input!), thief.address))}`);
  check((await pass.totalSupply()) === 1n, "exactly one pass was minted");
  log("done: one person, one pass");
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(releaseSnarkjs);
