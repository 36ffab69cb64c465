// Multi-scalar multiplication Σ k_i·P_i by Pippenger's bucket method with signed digits.
//
// Scalars (standard form, below 2^254) are cut into c-bit windows and recoded to digits in
// [-2^(c-1), 2^(c-1)], so each window needs 2^(c-1) buckets instead of 2^c - 1 (a negative digit
// adds -P, which costs one field negation). Windows are shared among threads; a thread sums its
// window's buckets with the running-sum trick (2·2^(c-1) additions), and the windows are combined
// with c doublings each. Zero digits cost nothing, which matters here: most wires of a quantized
// model are bits or small integers, whose upper windows are all zero.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstring>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include "curve.h"

namespace zkml {

unsigned default_threads();

// The window width for n points: about log2(n) - 4 minimises n·(254/c) mixed additions plus
// 2^c·(254/c) bucket additions (at n = 2^17: c = 13, 20 windows). Capped at 15 so digits fit int16.
inline int msm_window_bits(size_t n) {
  int lg = 0;
  while (((size_t)1 << (lg + 1)) <= n) lg++;
  if (lg >= 14) return std::min(15, lg - 4);  // batch-affine buckets: measured best at 2^16..2^21
  // Small MSMs use Jacobian buckets: the c minimizing windows × (n additions + 2^c for the running sums).
  int best = 2;
  double bestCost = 1e300;
  for (int c = 2; c <= 12; c++) {
    double cost = (254.0 / c + 1) * ((double)n + (double)((size_t)1 << c));
    if (cost < bestCost) bestCost = cost, best = c;
  }
  return best;
}

// Signed digits of every scalar, window-major: digits[w * n + i].
inline void signed_digits(const uint64_t* scalars, size_t n, int c, int windows, std::vector<int16_t>& digits) {
  // A digit lies in [-2^(c-1) + 1, 2^(c-1)]: it fits int16_t only for c <= 15.
  if (c < 1 || c > 15) throw std::runtime_error("signed digits of 1..15 bits only");
  digits.assign((size_t)windows * n, 0);
  const int64_t half = (int64_t)1 << (c - 1), full = (int64_t)1 << c;
  for (size_t i = 0; i < n; i++) {
    const uint64_t* k = scalars + 4 * i;
    int64_t carry = 0;
    for (int w = 0; w < windows; w++) {
      int bit = w * c;
      int64_t d = 0;
      if (bit < 256) {
        int limb = bit / 64, off = bit % 64;
        uint64_t bits = k[limb] >> off;
        if (off + c > 64 && limb + 1 < 4) bits |= k[limb + 1] << (64 - off);
        d = (int64_t)(bits & (uint64_t)(full - 1));
      }
      d += carry;
      carry = 0;
      if (d > half) {
        d -= full;
        carry = 1;
      }
      digits[(size_t)w * n + i] = (int16_t)d;
    }
  }
}

// One window's buckets. Additions are done in affine coordinates, a batch at a time, sharing one
// field inversion per batch (Montgomery's trick): about 6 multiplications per addition instead of
// 11 for a mixed Jacobian addition. A point whose bucket already has an addition pending in the
// batch (or would need a doubling) goes to that bucket's Jacobian accumulator instead, so skewed
// digit distributions (bits: every point in bucket 0) cost no more than plain Jacobian buckets.
template <typename F>
class BucketWindow {
 public:
  typedef Jacobian<F> J;
  // A batch of a quarter of the buckets at most: a larger one would send most points to the
  // Jacobian accumulators (their bucket already pending) before it is ever flushed.
  explicit BucketWindow(size_t nBuckets)
      : batch_(std::max<size_t>(1, std::min<size_t>(MAX_BATCH, nBuckets / 4))), batched_(batch_ >= MIN_BATCH), affine_(nBuckets), state_(nBuckets), jacobian_(nBuckets) {
    idx_.reserve(batch_);
    pending_.reserve(batch_);
    prefix_.resize(batch_);
  }

  void clear() {
    std::fill(state_.begin(), state_.end(), EMPTY);
    std::fill(jacobian_.begin(), jacobian_.end(), J::infinity());
    idx_.clear();
    pending_.clear();
  }

  void add(size_t b, const Affine<F>& p) {
    if (!batched_) {
      jacobian_[b] = J::add_mixed(jacobian_[b], p);
      return;
    }
    if (state_[b] == EMPTY) {
      affine_[b] = p;
      state_[b] = FULL;
    } else if (state_[b] == PENDING || affine_[b].x == p.x) {
      jacobian_[b] = J::add_mixed(jacobian_[b], p);
    } else {
      state_[b] = PENDING;
      idx_.push_back((uint32_t)b);
      pending_.push_back(p);
      if (idx_.size() == batch_) flush();
    }
  }

  // Σ (b+1)·bucket[b], with running sums from the top bucket down.
  J sum() {
    flush();
    J running = J::infinity(), total = J::infinity();
    for (size_t b = state_.size(); b-- > 0;) {
      if (state_[b] != EMPTY) running = J::add_mixed(running, affine_[b]);
      if (!jacobian_[b].is_infinity()) running = J::add(running, jacobian_[b]);
      total = J::add(total, running);
    }
    return total;
  }

 private:
  static const size_t MAX_BATCH = 1024;  // one inversion (~380 multiplications) per 1024 additions
  // Below this a batch's inversion outweighs its savings (an affine addition saves ~5 of a mixed
  // Jacobian one's 11 multiplications: break-even near 380 / 5 = 76 additions per inversion). With
  // batches of 2 (8 buckets), msm H of a 256-point key took 120 ms instead of 2 ms.
  static const size_t MIN_BATCH = 128;
  enum : uint8_t { EMPTY = 0, FULL = 1, PENDING = 2 };

  void flush() {
    size_t k = idx_.size();
    if (k == 0) return;
    // prefix_[t] = Π_{u<t} dx_u; then walk back with the inverse of the whole product.
    F acc = F::one();
    for (size_t t = 0; t < k; t++) {
      prefix_[t] = acc;
      acc = F::mul(acc, F::sub(pending_[t].x, affine_[idx_[t]].x));
    }
    F inv = F::inv(acc);
    for (size_t t = k; t-- > 0;) {
      Affine<F>& a = affine_[idx_[t]];
      const Affine<F>& p = pending_[t];
      F dx = F::sub(p.x, a.x);
      F dxInv = F::mul(inv, prefix_[t]);
      inv = F::mul(inv, dx);
      F lambda = F::mul(F::sub(p.y, a.y), dxInv);
      F x3 = F::sub(F::sub(F::sqr(lambda), a.x), p.x);
      a.y = F::sub(F::mul(lambda, F::sub(a.x, x3)), a.y);
      a.x = x3;
      state_[idx_[t]] = FULL;
    }
    idx_.clear();
    pending_.clear();
  }

  size_t batch_;
  bool batched_;
  std::vector<Affine<F>> affine_;
  std::vector<uint8_t> state_;
  std::vector<J> jacobian_;
  std::vector<uint32_t> idx_;
  std::vector<Affine<F>> pending_;
  std::vector<F> prefix_;
};

// `points` are n affine points as a .zkey stores them (sizeof(Affine<F>) bytes each, possibly unaligned).
template <typename F>
Jacobian<F> msm(const uint8_t* points, const uint64_t* scalars, size_t n, unsigned threads = 0) {
  typedef Jacobian<F> J;
  if (n == 0) return J::infinity();
  if (threads == 0) threads = default_threads();
  const int c = msm_window_bits(n);
  // Scalars are below 2^254; the top window may carry once more.
  int maxBits = 0;
  for (size_t i = 0; i < n; i++) {
    for (int l = 3; l >= 0; l--) {
      if (scalars[4 * i + l]) {
        maxBits = std::max(maxBits, 64 * l + 64 - __builtin_clzll(scalars[4 * i + l]));
        break;
      }
    }
  }
  if (maxBits == 0) return J::infinity();
  const int windows = (maxBits + c - 1) / c + 1;
  std::vector<int16_t> digits;
  signed_digits(scalars, n, c, windows, digits);

  std::vector<J> windowSums(windows, J::infinity());
  std::atomic<int> next(0);
  const size_t nBuckets = (size_t)1 << (c - 1);
  auto worker = [&]() {
    BucketWindow<F> win(nBuckets);
    for (int w = next++; w < windows; w = next++) {
      win.clear();
      const int16_t* dw = digits.data() + (size_t)w * n;
      for (size_t i = 0; i < n; i++) {
        int d = dw[i];
        if (d == 0) continue;
        Affine<F> p;
        memcpy(&p, points + i * sizeof(Affine<F>), sizeof p);
        if (p.is_infinity()) continue;
        if (d < 0) p.y = F::neg(p.y);
        win.add(d > 0 ? d - 1 : -d - 1, p);
      }
      windowSums[w] = win.sum();
    }
  };
  unsigned nt = std::max(1u, std::min<unsigned>(threads, (unsigned)windows));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < nt; t++) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();

  J acc = windowSums[windows - 1];
  for (int w = windows - 2; w >= 0; w--) {
    for (int k = 0; k < c; k++) acc = J::dbl(acc);
    acc = J::add(acc, windowSums[w]);
  }
  return acc;
}

}  // namespace zkml
