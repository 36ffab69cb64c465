#include "ntt.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace zkml {

static const int FR_TWO_ADICITY = 28;

static Fr first_non_residue() {
  const FieldParams& P = fr_params();
  uint64_t half[4];  // (r - 1) / 2
  for (int i = 0; i < 4; i++) half[i] = (P.p[i] >> 1) | (i < 3 ? P.p[i + 1] << 63 : 0);
  Fr minusOne = Fr::neg(Fr::one());
  Fr g = Fr::add(Fr::one(), Fr::one());
  while (Fr::pow(g, half) != minusOne) g = Fr::add(g, Fr::one());
  return g;
}

static const Fr& non_residue() {
  static const Fr g = first_non_residue();
  return g;
}

Fr root_of_unity(int k) {
  if (k < 0 || k > FR_TWO_ADICITY) throw std::runtime_error("no root of unity of order 2^" + std::to_string(k) + " in Fr");
  const FieldParams& P = fr_params();
  uint64_t t[4];  // (r - 1) >> 28
  for (int i = 0; i < 4; i++) t[i] = (P.p[i] >> FR_TWO_ADICITY) | (i < 3 ? P.p[i + 1] << (64 - FR_TWO_ADICITY) : 0);
  Fr w = Fr::pow(non_residue(), t);
  for (int i = FR_TWO_ADICITY; i > k; i--) w = Fr::sqr(w);
  return w;
}

Fr coset_shift(int k) { return k == FR_TWO_ADICITY ? Fr::sqr(non_residue()) : root_of_unity(k + 1); }

void scale_by_powers(Fr* a, size_t n, const Fr& g) {
  Fr x = Fr::one();
  for (size_t i = 0; i < n; i++) {
    a[i] = Fr::mul(a[i], x);
    x = Fr::mul(x, g);
  }
}

void ntt(Fr* a, size_t n, bool inverse) {
  if (n <= 1) return;
  int k = 0;
  while (((size_t)1 << k) < n) k++;
  if (((size_t)1 << k) != n) throw std::runtime_error("transform size is not a power of two");
  for (size_t i = 1, j = 0; i < n; i++) {  // bit-reversal permutation
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  Fr w = root_of_unity(k);
  if (inverse) w = Fr::inv(w);
  // Twiddles of the last stage, ω^j for j < n/2; stage with span m reads every (n/2m)-th one.
  std::vector<Fr> tw(n / 2);
  tw[0] = Fr::one();
  for (size_t j = 1; j < n / 2; j++) tw[j] = Fr::mul(tw[j - 1], w);
  // The first stages work inside blocks of BLOCK elements (128 KiB, within a core's L2), so they
  // run block by block while it stays in cache; only the last log2(n / BLOCK) stages stream over
  // the whole array (at n = 2^18: 6 passes over 8 MiB instead of 18).
  const size_t BLOCK = std::min<size_t>(n, 4096);
  auto stage = [&](size_t m, size_t from, size_t to) {
    size_t stride = n / (2 * m);
    for (size_t s = from; s < to; s += 2 * m) {
      for (size_t j = 0; j < m; j++) {
        Fr t = Fr::mul(a[s + j + m], tw[j * stride]);
        a[s + j + m] = Fr::sub(a[s + j], t);
        a[s + j] = Fr::add(a[s + j], t);
      }
    }
  };
  for (size_t b = 0; b < n; b += BLOCK) {
    for (size_t m = 1; m < BLOCK; m <<= 1) stage(m, b, b + BLOCK);
  }
  for (size_t m = BLOCK; m < n; m <<= 1) stage(m, 0, n);
  if (inverse) {
    uint64_t nStd[4] = {(uint64_t)n, 0, 0, 0};
    Fr nInv = Fr::inv(Fr::from_std(nStd));
    for (size_t i = 0; i < n; i++) a[i] = Fr::mul(a[i], nInv);
  }
}

}  // namespace zkml
