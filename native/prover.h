// Groth16 proofs from a snarkjs .zkey and a full witness, as snarkjs's groth16.prove makes them.
#pragma once
#include <cstdint>
#include <string>

#include "curve.h"

namespace zkml {

struct Proof {
  G1Affine a;  // standard form coordinates
  G2Affine b;
  G1Affine c;
  uint32_t nPublic;
};

// `witness`: nVars field elements, 32 bytes little-endian standard form each, wire 0 = 1.
// Throws std::runtime_error with a one-line message on a malformed key or witness.
Proof prove(const std::string& zkeyPath, const uint8_t* witness, size_t witnessBytes, unsigned threads);

// A uniform element of Fr from the operating system's CSPRNG (getrandom), standard form.
void random_fr(uint64_t* out);

}  // namespace zkml
