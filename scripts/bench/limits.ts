/**
 * Above this many public signals no Solidity verifier is built: it could never be deployed (24 KB
 * limit, ~6.8k gas per signal) and exhausts solc's memory; packing signals is what makes such models
 * verifiable on-chain.
 */
export const MAX_ONCHAIN_SIGNALS = 300;
