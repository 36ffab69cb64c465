// BN254 prime fields in Montgomery form: four 64-bit limbs, little-endian, R = 2^256.
//
// Layout is exactly snarkjs's "LEM" encoding (32 bytes little-endian, Montgomery form), so
// points in a .zkey are used in place without conversion.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <x86intrin.h>

namespace zkml {

typedef unsigned __int128 u128;

struct Limbs {
  uint64_t v[4];
};

inline bool limbs_geq(const uint64_t* a, const uint64_t* b) {
  for (int i = 3; i >= 0; i--) {
    if (a[i] != b[i]) return a[i] > b[i];
  }
  return true;
}

// a -= b, returns the borrow.
inline uint64_t limbs_sub(uint64_t* a, const uint64_t* b) {
  uint64_t borrow = 0;
  for (int i = 0; i < 4; i++) {
    u128 d = (u128)a[i] - b[i] - borrow;
    a[i] = (uint64_t)d;
    borrow = (uint64_t)(d >> 64) ? 1 : 0;
  }
  return borrow;
}

// a += b, returns the carry.
inline uint64_t limbs_add(uint64_t* a, const uint64_t* b) {
  uint64_t carry = 0;
  for (int i = 0; i < 4; i++) {
    u128 s = (u128)a[i] + b[i] + carry;
    a[i] = (uint64_t)s;
    carry = (uint64_t)(s >> 64);
  }
  return carry;
}

// r = a - b, returns the borrow (0 or 1); with a carry chain the compiler keeps in flags.
inline uint64_t sub4(uint64_t* r, const uint64_t* a, const uint64_t* b) {
  unsigned long long o;
  unsigned char c = 0;
  c = _subborrow_u64(c, a[0], b[0], &o); r[0] = o;
  c = _subborrow_u64(c, a[1], b[1], &o); r[1] = o;
  c = _subborrow_u64(c, a[2], b[2], &o); r[2] = o;
  c = _subborrow_u64(c, a[3], b[3], &o); r[3] = o;
  return c;
}
inline uint64_t add4(uint64_t* r, const uint64_t* a, const uint64_t* b) {
  unsigned long long o;
  unsigned char c = 0;
  c = _addcarry_u64(c, a[0], b[0], &o); r[0] = o;
  c = _addcarry_u64(c, a[1], b[1], &o); r[1] = o;
  c = _addcarry_u64(c, a[2], b[2], &o); r[2] = o;
  c = _addcarry_u64(c, a[3], b[3], &o); r[3] = o;
  return c;
}
// t mod p for t < 2p, without a branch: a mispredicted branch here (taken about half the time
// on random values) costs more than the subtraction itself.
inline void reduce_once(uint64_t* t, const uint64_t* p) {
  uint64_t s[4];
  uint64_t mask = (uint64_t)0 - sub4(s, t, p);  // all ones when t < p
  for (int i = 0; i < 4; i++) t[i] = (t[i] & mask) | (s[i] & ~mask);
}

// The constants of one prime field, derived from the modulus at compile time (no hand-typed tables
// beyond the modulus itself, so a typo cannot hide in them). Being constants, they become
// immediates in the multiplication: 37 ns -> see bench/native.md for the measured gain.
struct FieldParams {
  uint64_t p[4];
  uint64_t inv;     // -p^-1 mod 2^64
  uint64_t one[4];  // R mod p
  uint64_t r2[4];   // R^2 mod p
  uint64_t pm2[4];  // p - 2, the exponent of Fermat inversion

  constexpr FieldParams(uint64_t p0, uint64_t p1, uint64_t p2, uint64_t p3)
      : p{p0, p1, p2, p3}, inv(0), one{0, 0, 0, 0}, r2{0, 0, 0, 0}, pm2{p0 - 2, p1, p2, p3} {
    // Newton iteration for p^-1 mod 2^64: each step doubles the correct low bits (p odd).
    uint64_t x = 1;
    for (int i = 0; i < 7; i++) x *= 2 - p[0] * x;
    inv = (uint64_t)0 - x;
    // R mod p and R^2 mod p by doubling 1 modulo p, 256 and 512 times.
    uint64_t t[4] = {1, 0, 0, 0};
    for (int i = 0; i < 512; i++) {
      uint64_t carry = t[3] >> 63;
      for (int k = 3; k > 0; k--) t[k] = (t[k] << 1) | (t[k - 1] >> 63);
      t[0] <<= 1;
      bool geq = true;
      for (int k = 3; k >= 0; k--) {
        if (t[k] != p[k]) {
          geq = t[k] > p[k];
          break;
        }
      }
      if (carry || geq) {
        uint64_t borrow = 0;
        for (int k = 0; k < 4; k++) {
          uint64_t d = t[k] - p[k] - borrow;
          borrow = (t[k] < p[k] + borrow || (p[k] + borrow == 0 && borrow)) ? 1 : 0;
          t[k] = d;
        }
      }
      if (i == 255) for (int k = 0; k < 4; k++) one[k] = t[k];
    }
    for (int k = 0; k < 4; k++) r2[k] = t[k];
  }
};

// BN254's base field modulus q and scalar field modulus r, little-endian limbs.
constexpr FieldParams FQ_PARAMS(0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL);
constexpr FieldParams FR_PARAMS(0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL);
static_assert(FQ_PARAMS.inv == 0x87d20782e4866389ULL, "Montgomery constant of q");
static_assert(FR_PARAMS.inv == 0xc2e1f593efffffffULL, "Montgomery constant of r");

// A field element. Params is a type with `static const FieldParams& P()`.
template <typename Params>
struct Fp {
  uint64_t v[4];

  static Fp zero() { return Fp{{0, 0, 0, 0}}; }
  static Fp one() {
    Fp r;
    memcpy(r.v, Params::P().one, 32);
    return r;
  }
  bool is_zero() const { return (v[0] | v[1] | v[2] | v[3]) == 0; }
  bool operator==(const Fp& o) const { return memcmp(v, o.v, 32) == 0; }
  bool operator!=(const Fp& o) const { return !(*this == o); }

  // Montgomery product a·b·R^-1. The modulus's top limb is below 2^62, so the running sum never
  // needs a fifth limb (t < 2p at every step); one conditional subtraction at the end.
  static inline Fp mul(const Fp& a, const Fp& b) {
    const FieldParams& P = Params::P();
    uint64_t t[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
      u128 A = (u128)a.v[0] * b.v[i] + t[0];
      t[0] = (uint64_t)A;
      uint64_t m = t[0] * P.inv;
      u128 C = (u128)m * P.p[0] + t[0];
      for (int j = 1; j < 4; j++) {
        A = (u128)a.v[j] * b.v[i] + t[j] + (uint64_t)(A >> 64);
        t[j] = (uint64_t)A;
        C = (u128)m * P.p[j] + t[j] + (uint64_t)(C >> 64);
        t[j - 1] = (uint64_t)C;
      }
      t[3] = (uint64_t)(A >> 64) + (uint64_t)(C >> 64);
    }
    reduce_once(t, P.p);
    Fp r;
    memcpy(r.v, t, 32);
    return r;
  }
  static inline Fp sqr(const Fp& a) { return mul(a, a); }

  static inline Fp add(const Fp& a, const Fp& b) {
    Fp r;
    add4(r.v, a.v, b.v);  // a, b < p < 2^254: no carry out of 256 bits
    reduce_once(r.v, Params::P().p);
    return r;
  }
  static inline Fp sub(const Fp& a, const Fp& b) {
    Fp r;
    uint64_t mask = (uint64_t)0 - sub4(r.v, a.v, b.v);  // add p back when a < b
    const uint64_t* p = Params::P().p;
    uint64_t pm[4] = {p[0] & mask, p[1] & mask, p[2] & mask, p[3] & mask};
    add4(r.v, r.v, pm);
    return r;
  }
  static inline Fp neg(const Fp& a) { return a.is_zero() ? a : sub(zero(), a); }
  static inline Fp dbl(const Fp& a) { return add(a, a); }

  // a^e for e in standard form (four limbs).
  static Fp pow(const Fp& a, const uint64_t* e) {
    Fp r = one();
    for (int i = 255; i >= 0; i--) {
      r = sqr(r);
      if ((e[i / 64] >> (i % 64)) & 1) r = mul(r, a);
    }
    return r;
  }
  static Fp inv(const Fp& a) { return pow(a, Params::P().pm2); }

  // Conversions between the standard form (an integer below p) and Montgomery form.
  static Fp from_std(const uint64_t* s) {
    Fp t;
    memcpy(t.v, s, 32);
    Fp r2;
    memcpy(r2.v, Params::P().r2, 32);
    return mul(t, r2);
  }
  void to_std(uint64_t* out) const {
    Fp unit = {{1, 0, 0, 0}};
    Fp s = mul(*this, unit);
    memcpy(out, s.v, 32);
  }
  static bool std_in_range(const uint64_t* s) { return !limbs_geq(s, Params::P().p); }
};

inline const FieldParams& fq_params() { return FQ_PARAMS; }
inline const FieldParams& fr_params() { return FR_PARAMS; }
struct FqTag {
  static constexpr const FieldParams& P() { return FQ_PARAMS; }
};
struct FrTag {
  static constexpr const FieldParams& P() { return FR_PARAMS; }
};
typedef Fp<FqTag> Fq;
typedef Fp<FrTag> Fr;

// Fq2 = Fq[u]/(u^2 + 1), the field of G2's coordinates.
struct Fq2 {
  Fq c0, c1;
  static Fq2 zero() { return Fq2{Fq::zero(), Fq::zero()}; }
  static Fq2 one() { return Fq2{Fq::one(), Fq::zero()}; }
  bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
  bool operator==(const Fq2& o) const { return c0 == o.c0 && c1 == o.c1; }
  static inline Fq2 add(const Fq2& a, const Fq2& b) { return Fq2{Fq::add(a.c0, b.c0), Fq::add(a.c1, b.c1)}; }
  static inline Fq2 sub(const Fq2& a, const Fq2& b) { return Fq2{Fq::sub(a.c0, b.c0), Fq::sub(a.c1, b.c1)}; }
  static inline Fq2 neg(const Fq2& a) { return Fq2{Fq::neg(a.c0), Fq::neg(a.c1)}; }
  static inline Fq2 dbl(const Fq2& a) { return add(a, a); }
  // Karatsuba: three base-field products instead of four.
  static inline Fq2 mul(const Fq2& a, const Fq2& b) {
    Fq v0 = Fq::mul(a.c0, b.c0), v1 = Fq::mul(a.c1, b.c1);
    Fq s = Fq::mul(Fq::add(a.c0, a.c1), Fq::add(b.c0, b.c1));
    return Fq2{Fq::sub(v0, v1), Fq::sub(Fq::sub(s, v0), v1)};
  }
  // (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u: two products.
  static inline Fq2 sqr(const Fq2& a) {
    Fq m = Fq::mul(a.c0, a.c1);
    return Fq2{Fq::mul(Fq::add(a.c0, a.c1), Fq::sub(a.c0, a.c1)), Fq::dbl(m)};
  }
  // 1/(a0 + a1 u) = (a0 - a1 u) / (a0^2 + a1^2).
  static Fq2 inv(const Fq2& a) {
    Fq n = Fq::inv(Fq::add(Fq::sqr(a.c0), Fq::sqr(a.c1)));
    return Fq2{Fq::mul(a.c0, n), Fq::neg(Fq::mul(a.c1, n))};
  }
};

// Decimal string of a standard-form value (for proof.json).
std::string to_decimal(const uint64_t* s);

}  // namespace zkml
