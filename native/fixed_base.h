// Fixed-base multiplication k_i·G for many scalars and one generator (G1 or G2), for the
// development setup, whose every key element is a known scalar times a generator.
#pragma once
#include <cstdint>
#include <vector>

#include "curve.h"

namespace zkml {

// Multiples of one generator, window by window: entry (j, k) = (k + 1)·2^(w·j)·G for k < 2^(w-1),
// affine, Montgomery form (64 or 128 bytes each), so a scalar's signed w-bit digits each select one
// entry and a point costs ⌊254/w⌋ + 1 additions, no doublings.
template <typename F>
struct FixedBaseTable {
  int w = 0, windows = 0;
  std::vector<Affine<F>> entries;
};

const FixedBaseTable<Fq>& g1_table(int w);
const FixedBaseTable<Fq2>& g2_table(int w);

// n points k_i·G, affine, Montgomery form (all zeros for infinity), from standard-form scalars below 2^254.
void fixed_base_g1(const FixedBaseTable<Fq>& t, const uint64_t* scalars, size_t n, Affine<Fq>* out);
void fixed_base_g2(const FixedBaseTable<Fq2>& t, const uint64_t* scalars, size_t n, Affine<Fq2>* out);

}  // namespace zkml
