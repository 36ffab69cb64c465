#include "fixed_base.h"

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "msm.h"

namespace zkml {

namespace {

// The generators in standard form: G1 = (1, 2); G2 as snarkjs/EIP-197 define it.
const uint64_t G1_X[4] = {1, 0, 0, 0}, G1_Y[4] = {2, 0, 0, 0};
const uint64_t G2_X0[4] = {0x46debd5cd992f6edULL, 0x674322d4f75edaddULL, 0x426a00665e5c4479ULL, 0x1800deef121f1e76ULL};
const uint64_t G2_X1[4] = {0x97e485b7aef312c2ULL, 0xf1aa493335a9e712ULL, 0x7260bfb731fb5d25ULL, 0x198e9393920d483aULL};
const uint64_t G2_Y0[4] = {0x4ce6cc0166fa7daaULL, 0xe3d1e7690c43d37bULL, 0x4aab71808dcb408fULL, 0x12c85ea5db8c6debULL};
const uint64_t G2_Y1[4] = {0x55acdadcd122975bULL, 0xbc4b313370b38ef3ULL, 0xec9e99ad690c3395ULL, 0x090689d0585ff075ULL};

Affine<Fq> g1_generator() { return Affine<Fq>{Fq::from_std(G1_X), Fq::from_std(G1_Y)}; }
Affine<Fq2> g2_generator() {
  return Affine<Fq2>{Fq2{Fq::from_std(G2_X0), Fq::from_std(G2_X1)}, Fq2{Fq::from_std(G2_Y0), Fq::from_std(G2_Y1)}};
}

// Jacobian points to affine with one inversion for all of them (Montgomery's trick).
template <typename F>
void batch_to_affine(const std::vector<Jacobian<F>>& in, Affine<F>* out) {
  size_t n = in.size();
  std::vector<F> prefix(n);
  F acc = F::one();
  for (size_t i = 0; i < n; i++) {
    prefix[i] = acc;
    if (!in[i].is_infinity()) acc = F::mul(acc, in[i].Z);
  }
  F inv = F::inv(acc);
  for (size_t i = n; i-- > 0;) {
    if (in[i].is_infinity()) {
      out[i] = Affine<F>{F::zero(), F::zero()};
      continue;
    }
    F zi = F::mul(inv, prefix[i]);
    inv = F::mul(inv, in[i].Z);
    F zi2 = F::sqr(zi);
    out[i] = Affine<F>{F::mul(in[i].X, zi2), F::mul(in[i].Y, F::mul(zi2, zi))};
  }
}

template <typename F>
std::unique_ptr<FixedBaseTable<F>> build_table(const Affine<F>& g, int w) {
  // Digits are int16_t (signed_digits): a 16-bit window's digit 2^15 would not fit.
  if (w < 2 || w > 15) throw std::runtime_error("fixed-base window must be 2..15 bits");
  auto t = std::make_unique<FixedBaseTable<F>>();
  t->w = w;
  t->windows = 254 / w + 1;
  const size_t half = (size_t)1 << (w - 1);
  t->entries.resize((size_t)t->windows * half);
  Jacobian<F> base = Jacobian<F>::from_affine(g);
  std::vector<Jacobian<F>> row(half);
  for (int j = 0; j < t->windows; j++) {
    row[0] = base;
    for (size_t k = 1; k < half; k++) row[k] = Jacobian<F>::add(row[k - 1], base);
    batch_to_affine(row, t->entries.data() + (size_t)j * half);
    for (int b = 0; b < w; b++) base = Jacobian<F>::dbl(base);
  }
  return t;
}

template <typename F>
const FixedBaseTable<F>& cached_table(std::map<int, std::unique_ptr<FixedBaseTable<F>>>& cache, std::mutex& m, const Affine<F>& g, int w) {
  std::lock_guard<std::mutex> lock(m);  // worker threads of one process share the tables
  auto it = cache.find(w);
  if (it == cache.end()) it = cache.emplace(w, build_table(g, w)).first;
  return *it->second;
}

std::mutex g1m, g2m;
std::map<int, std::unique_ptr<FixedBaseTable<Fq>>> g1cache;
std::map<int, std::unique_ptr<FixedBaseTable<Fq2>>> g2cache;

// Every point accumulates one table entry per window; the additions of a window are independent
// (one per point), so they are done in affine coordinates with one shared inversion. A sum that
// meets its own negation or itself (x equal) is finished in Jacobian coordinates instead.
template <typename F>
void fixed_base(const FixedBaseTable<F>& t, const uint64_t* scalars, size_t n, Affine<F>* out) {
  const int w = t.w, nw = t.windows;
  const size_t half = (size_t)1 << (w - 1);
  std::vector<int16_t> digits;
  signed_digits(scalars, n, w, nw, digits);
  std::vector<uint8_t> started(n, 0);
  std::vector<Jacobian<F>> slow;  // rare: sums that needed a doubling or hit infinity
  std::vector<size_t> slowIdx;
  std::vector<uint32_t> slotOf(n, 0);  // 0, or 1 + the point's index in `slow`
  std::vector<size_t> idx;
  std::vector<Affine<F>> add;
  std::vector<F> prefix;
  idx.reserve(n);
  add.reserve(n);
  prefix.resize(n);
  for (int j = 0; j < nw; j++) {
    idx.clear();
    add.clear();
    const int16_t* dj = digits.data() + (size_t)j * n;
    for (size_t i = 0; i < n; i++) {
      int d = dj[i];
      if (d == 0) continue;
      Affine<F> e = t.entries[(size_t)j * half + (size_t)(d > 0 ? d : -d) - 1];
      if (d < 0) e.y = F::neg(e.y);
      if (slotOf[i]) {
        slow[slotOf[i] - 1] = Jacobian<F>::add_mixed(slow[slotOf[i] - 1], e);
      } else if (!started[i]) {
        out[i] = e;
        started[i] = 1;
      } else if (out[i].x == e.x) {
        slow.push_back(Jacobian<F>::add_mixed(Jacobian<F>::from_affine(out[i]), e));
        slowIdx.push_back(i);
        slotOf[i] = (uint32_t)slow.size();
      } else {
        idx.push_back(i);
        add.push_back(e);
      }
    }
    size_t k = idx.size();
    F acc = F::one();
    for (size_t q = 0; q < k; q++) {
      prefix[q] = acc;
      acc = F::mul(acc, F::sub(add[q].x, out[idx[q]].x));
    }
    F inv = F::inv(acc);
    for (size_t q = k; q-- > 0;) {
      Affine<F>& a = out[idx[q]];
      const Affine<F>& p = add[q];
      F dx = F::sub(p.x, a.x);
      F dxInv = F::mul(inv, prefix[q]);
      inv = F::mul(inv, dx);
      F lambda = F::mul(F::sub(p.y, a.y), dxInv);
      F x3 = F::sub(F::sub(F::sqr(lambda), a.x), p.x);
      a.y = F::sub(F::mul(lambda, F::sub(a.x, x3)), a.y);
      a.x = x3;
    }
  }
  for (size_t i = 0; i < n; i++) {
    if (!started[i]) out[i] = Affine<F>{F::zero(), F::zero()};  // scalar 0
  }
  for (size_t s = 0; s < slow.size(); s++) out[slowIdx[s]] = slow[s].to_affine();
}

}  // namespace

const FixedBaseTable<Fq>& g1_table(int w) { return cached_table(g1cache, g1m, g1_generator(), w); }
const FixedBaseTable<Fq2>& g2_table(int w) { return cached_table(g2cache, g2m, g2_generator(), w); }

void fixed_base_g1(const FixedBaseTable<Fq>& t, const uint64_t* scalars, size_t n, Affine<Fq>* out) { fixed_base(t, scalars, n, out); }
void fixed_base_g2(const FixedBaseTable<Fq2>& t, const uint64_t* scalars, size_t n, Affine<Fq2>* out) { fixed_base(t, scalars, n, out); }

}  // namespace zkml
