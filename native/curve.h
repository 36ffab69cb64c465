// G1 (over Fq) and G2 (over Fq2) of BN254 in Jacobian coordinates: (X, Y, Z) is the affine point
// (X/Z^2, Y/Z^3), Z = 0 the point at infinity. Both curves have a = 0 (y^2 = x^3 + b), which the
// doubling formula uses. Formulas: dbl-2009-l, madd-2007-bl, add-2007-bl (Explicit-Formulas Database).
#pragma once
#include "field.h"

namespace zkml {

// An affine point as a .zkey stores it: x then y, Montgomery form; all-zero bytes is infinity.
template <typename F>
struct Affine {
  F x, y;
  bool is_infinity() const { return x.is_zero() && y.is_zero(); }
};

template <typename F>
struct Jacobian {
  F X, Y, Z;

  static Jacobian infinity() { return Jacobian{F::one(), F::one(), F::zero()}; }
  static Jacobian from_affine(const Affine<F>& a) {
    return a.is_infinity() ? infinity() : Jacobian{a.x, a.y, F::one()};
  }
  bool is_infinity() const { return Z.is_zero(); }

  static Jacobian neg(const Jacobian& p) { return Jacobian{p.X, F::neg(p.Y), p.Z}; }

  static Jacobian dbl(const Jacobian& p) {
    if (p.is_infinity()) return p;
    F A = F::sqr(p.X), B = F::sqr(p.Y), C = F::sqr(B);
    F D = F::dbl(F::sub(F::sub(F::sqr(F::add(p.X, B)), A), C));
    F E = F::add(F::dbl(A), A);
    F Fv = F::sqr(E);
    Jacobian r;
    r.X = F::sub(Fv, F::dbl(D));
    F C8 = F::dbl(F::dbl(F::dbl(C)));
    r.Y = F::sub(F::mul(E, F::sub(D, r.X)), C8);
    r.Z = F::dbl(F::mul(p.Y, p.Z));
    return r;
  }

  // p + q for an affine q (Z2 = 1).
  static Jacobian add_mixed(const Jacobian& p, const Affine<F>& q) {
    if (q.is_infinity()) return p;
    if (p.is_infinity()) return Jacobian{q.x, q.y, F::one()};
    F Z1Z1 = F::sqr(p.Z);
    F U2 = F::mul(q.x, Z1Z1);
    F S2 = F::mul(q.y, F::mul(p.Z, Z1Z1));
    F H = F::sub(U2, p.X);
    F rr = F::dbl(F::sub(S2, p.Y));
    if (H.is_zero()) {
      if (rr.is_zero()) return dbl(p);
      return infinity();
    }
    F HH = F::sqr(H);
    F I = F::dbl(F::dbl(HH));
    F J = F::mul(H, I);
    F V = F::mul(p.X, I);
    Jacobian r;
    r.X = F::sub(F::sub(F::sqr(rr), J), F::dbl(V));
    r.Y = F::sub(F::mul(rr, F::sub(V, r.X)), F::dbl(F::mul(p.Y, J)));
    r.Z = F::sub(F::sub(F::sqr(F::add(p.Z, H)), Z1Z1), HH);
    return r;
  }

  static Jacobian add(const Jacobian& p, const Jacobian& q) {
    if (p.is_infinity()) return q;
    if (q.is_infinity()) return p;
    F Z1Z1 = F::sqr(p.Z), Z2Z2 = F::sqr(q.Z);
    F U1 = F::mul(p.X, Z2Z2), U2 = F::mul(q.X, Z1Z1);
    F S1 = F::mul(p.Y, F::mul(q.Z, Z2Z2));
    F S2 = F::mul(q.Y, F::mul(p.Z, Z1Z1));
    F H = F::sub(U2, U1);
    F rr = F::dbl(F::sub(S2, S1));
    if (H.is_zero()) {
      if (rr.is_zero()) return dbl(p);
      return infinity();
    }
    F I = F::sqr(F::dbl(H));
    F J = F::mul(H, I);
    F V = F::mul(U1, I);
    Jacobian r;
    r.X = F::sub(F::sub(F::sqr(rr), J), F::dbl(V));
    r.Y = F::sub(F::mul(rr, F::sub(V, r.X)), F::dbl(F::mul(S1, J)));
    r.Z = F::mul(F::sub(F::sub(F::sqr(F::add(p.Z, q.Z)), Z1Z1), Z2Z2), H);
    return r;
  }

  Affine<F> to_affine() const {
    if (is_infinity()) return Affine<F>{F::zero(), F::zero()};
    F zi = F::inv(Z), zi2 = F::sqr(zi);
    return Affine<F>{F::mul(X, zi2), F::mul(Y, F::mul(zi2, zi))};
  }

  // k·p for a standard-form scalar (a single point: double-and-add).
  static Jacobian mul_scalar(const Jacobian& p, const uint64_t* k) {
    Jacobian r = infinity();
    for (int i = 255; i >= 0; i--) {
      r = dbl(r);
      if ((k[i / 64] >> (i % 64)) & 1) r = add(r, p);
    }
    return r;
  }
};

typedef Affine<Fq> G1Affine;
typedef Affine<Fq2> G2Affine;
typedef Jacobian<Fq> G1;
typedef Jacobian<Fq2> G2;

static_assert(sizeof(G1Affine) == 64, "G1 affine points are 64 bytes in a zkey");
static_assert(sizeof(G2Affine) == 128, "G2 affine points are 128 bytes in a zkey");

}  // namespace zkml
