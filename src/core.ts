/**
 * `hardhat-zkml/core`: the compiler, prover and statement encoders without Hardhat, for scripts,
 * servers and bundlers. Everything here is written once and used by both Hardhat entries too.
 */
export { ZkmlError } from "./errors";
export { compileModel, writeVerifier } from "./pipeline/compile";
export type { CompileOptions, CompiledModel, CalibrationSettings, CircuitBody, StepRunner } from "./pipeline/compile";
export { proveModel, verifyModelProof, verifyProofDir, writeProof, computeCommitments, decodeOutputs } from "./pipeline/prove";
export type { ProveOptions, ProveResult, VerifyResult, Commitments, ProvedOutput } from "./pipeline/prove";
export { compileChain, proveChain, proveSegment, verifyChain, loadChain, chainActivations, chainInputs, chainCutPoints, chainHash } from "./pipeline/chain";
export type { ChainManifest, ChainSegment, ChainCompileOptions, CompiledChain, ChainProof, SegmentProof, SegmentSettings } from "./pipeline/chain";
export { contributeModel, beaconModel, verifySetup } from "./pipeline/phase2";
export { loadManifest, verifierContractName, MANIFEST_FILE } from "./pipeline/manifest";
export type { Manifest } from "./pipeline/manifest";
export { PROVING_SYSTEMS, DEFAULT_PROVER, provingSystem, releaseProvingSystems } from "./backend/provers";
export type { ProvingSystem } from "./backend/proving-system";
export type { Groth16Proof, Groth16VerificationKey, Groth16Calldata } from "./backend/groth16";
export { signalLayout, solidityLayout } from "./privacy/layout";
export { commitValues } from "./privacy/commitment";
export type { Visibility } from "./privacy/visibility";
export { resolveZkmlConfig } from "./hardhat/config";
export type { ZkmlConfig, ZkmlModelConfig, ZkmlUserConfig, ZkmlModelUserConfig } from "./hardhat/config";
export { ZkmlRuntime } from "./hardhat/runtime";
export type { ZkmlHost, ContractFactorySource } from "./hardhat/runtime";
export { zkmlModules } from "./hardhat/ignition";
export * as statements from "./statements";

export * as mint from "./mint";
