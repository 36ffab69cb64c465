/** The statements contracts check, encoded for calls (what a dApp or script sends with a proof). */
export * from "./aigc";
export * from "./prompt-commitment";
export * from "./proven-image";
export * from "./token-uri";
export * from "./vault-inputs";
export * from "./verifier";
export * from "./zkml-model";
