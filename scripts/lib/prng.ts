// The PRNG lives in src so the library can use it; scripts and tests import it from here too.
export { mulberry32 } from "../../src/util/prng";
