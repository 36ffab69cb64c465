import { releaseSnarkjs } from "../src/backend/snarkjs";

// Root-level hook: whatever a test file leaves behind, snarkjs's worker threads never keep mocha alive.
after(releaseSnarkjs);
