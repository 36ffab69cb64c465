// Radix-2 number-theoretic transforms over Fr, with ffjavascript's roots of unity (so the H
// polynomial's evaluations line up with the H points snarkjs's setups write).
#pragma once
#include <cstdint>
#include <vector>

#include "field.h"

namespace zkml {

// ω of order 2^k, as ffjavascript's Fr.w[k]: the first quadratic non-residue g (5 for BN254's Fr)
// raised to (r - 1) / 2^28, then squared 28 - k times.
Fr root_of_unity(int k);
// The shift snarkjs multiplies coefficients by before evaluating H: ω of order 2^(k+1), or the
// square of the non-residue when the domain is already 2^28.
Fr coset_shift(int k);

// In place: values at ω^i for i < n (forward), or back to coefficients, divided by n (inverse).
void ntt(Fr* a, size_t n, bool inverse);

// In place: a_i ← a_i · g^i.
void scale_by_powers(Fr* a, size_t n, const Fr& g);

}  // namespace zkml
