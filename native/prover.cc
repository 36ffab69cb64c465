#include "prover.h"

#include <sys/random.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include "msm.h"
#include "ntt.h"
#include "zkey.h"

namespace zkml {

unsigned default_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n ? n : 1;
}

void random_fr(uint64_t* out) {
  const uint64_t* r = fr_params().p;
  for (;;) {  // rejection sampling of 254-bit values: uniform below r, accepted with probability r / 2^254 > 0.76
    uint8_t buf[32];
    size_t got = 0;
    while (got < sizeof buf) {
      ssize_t k = getrandom(buf + got, sizeof buf - got, 0);
      if (k < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error("the operating system's random source failed");
      }
      got += (size_t)k;
    }
    memcpy(out, buf, 32);
    out[3] &= (1ULL << 62) - 1;
    if (!limbs_geq(out, r)) return;
  }
}

namespace {

// Header of a Groth16 .zkey (section 2), points in Montgomery form.
struct ZkeyHeader {
  uint32_t nVars, nPublic, domainSize;
  int power;
  G1Affine alpha1, beta1, delta1;
  G2Affine beta2, delta2;
};

const size_t G1_BYTES = sizeof(G1Affine), G2_BYTES = sizeof(G2Affine), FR_BYTES = 32;

ZkeyHeader read_header(const MappedBinFile& zkey, const std::string& path) {
  Section s1 = zkey.section(1);
  if (s1.size < 4 || read_u32(s1.data) != 1) throw std::runtime_error(path + " is not a Groth16 key");
  Section s2 = zkey.section(2, 660);
  const uint8_t* p = s2.data;
  if (read_u32(p) != 32 || memcmp(p + 4, fq_params().p, 32) != 0 || read_u32(p + 36) != 32 || memcmp(p + 40, fr_params().p, 32) != 0) {
    throw std::runtime_error(path + " is not a key over BN254");
  }
  ZkeyHeader h;
  h.nVars = read_u32(p + 72);
  h.nPublic = read_u32(p + 76);
  h.domainSize = read_u32(p + 80);
  h.power = 0;
  while ((1u << h.power) < h.domainSize) h.power++;
  if (h.domainSize == 0 || (1u << h.power) != h.domainSize || h.power > 28) throw std::runtime_error(path + ": bad domain size " + std::to_string(h.domainSize));
  if (h.nPublic + 1 > h.nVars) throw std::runtime_error(path + ": more public signals than wires");
  memcpy(&h.alpha1, p + 84, 64);
  memcpy(&h.beta1, p + 148, 64);
  memcpy(&h.beta2, p + 212, 128);
  memcpy(&h.delta1, p + 468, 64);
  memcpy(&h.delta2, p + 532, 128);
  return h;
}

// A, B (Montgomery form) at the domain points from the key's coefficients, and C = A·B.
void evaluate_abc(const Section& coefs, const uint64_t* w, const ZkeyHeader& h, std::vector<Fr>& A, std::vector<Fr>& B, std::vector<Fr>& C, const std::string& path) {
  const size_t N = h.domainSize;
  A.assign(N, Fr::zero());
  B.assign(N, Fr::zero());
  C.assign(N, Fr::zero());
  if (coefs.size < 4) throw std::runtime_error(path + ": empty coefficient section");
  uint32_t n = read_u32(coefs.data);
  if (coefs.size != 4 + (uint64_t)n * 44) throw std::runtime_error(path + ": coefficient section has the wrong size");
  const uint8_t* q = coefs.data + 4;
  for (uint32_t k = 0; k < n; k++, q += 44) {
    uint32_t m = read_u32(q), c = read_u32(q + 4), s = read_u32(q + 8);
    if (m > 1 || c >= N || s >= h.nVars) throw std::runtime_error(path + ": coefficient " + std::to_string(k) + " out of range");
    Fr v, ws;
    memcpy(v.v, q + 12, 32);  // value·R² (Montgomery form of value·R): times a standard-form w gives value·w in Montgomery form
    memcpy(ws.v, w + 4 * (size_t)s, 32);
    std::vector<Fr>& dst = m == 0 ? A : B;
    dst[c] = Fr::add(dst[c], Fr::mul(v, ws));
  }
  for (size_t i = 0; i < N; i++) C[i] = Fr::mul(A[i], B[i]);
}

// Coefficients, then values on the coset shift·ω^i (the odd points of the 2N domain).
void to_coset(std::vector<Fr>& a, int power) {
  ntt(a.data(), a.size(), true);
  scale_by_powers(a.data(), a.size(), coset_shift(power));
  ntt(a.data(), a.size(), false);
}

struct Timer {
  bool on = getenv("ZKML_NATIVE_TRACE") != nullptr;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  void lap(const char* what) {
    if (!on) return;
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fprintf(stderr, "zkml-native: %-10s %.3f s\n", what, s);
  }
};

G1Affine std_affine(const G1& p) {
  G1Affine a = p.to_affine();
  G1Affine out;
  if (p.is_infinity()) {  // snarkjs writes infinity as (0, 1)
    memset(&out, 0, sizeof out);
    out.y.v[0] = 1;
    return out;
  }
  a.x.to_std(out.x.v);
  a.y.to_std(out.y.v);
  return out;
}

G2Affine std_affine(const G2& p) {
  G2Affine out;
  memset(&out, 0, sizeof out);
  if (p.is_infinity()) {
    out.y.c0.v[0] = 1;
    return out;
  }
  G2Affine a = p.to_affine();
  a.x.c0.to_std(out.x.c0.v);
  a.x.c1.to_std(out.x.c1.v);
  a.y.c0.to_std(out.y.c0.v);
  a.y.c1.to_std(out.y.c1.v);
  return out;
}

}  // namespace

Proof prove(const std::string& path, const uint8_t* witness, size_t witnessBytes, unsigned threads) {
  if (threads == 0) threads = default_threads();
  Timer timer;
  MappedBinFile zkey(path, "zkey");
  ZkeyHeader h = read_header(zkey, path);
  if (witnessBytes != (size_t)h.nVars * FR_BYTES) {
    throw std::runtime_error("the witness has " + std::to_string(witnessBytes / FR_BYTES) + " values; " + path + " expects " + std::to_string(h.nVars));
  }
  std::vector<uint64_t> w(4 * (size_t)h.nVars);
  memcpy(w.data(), witness, witnessBytes);
  for (size_t i = 0; i < h.nVars; i++) {
    if (!Fr::std_in_range(&w[4 * i])) throw std::runtime_error("witness value " + std::to_string(i) + " is not below the field modulus");
  }
  const size_t N = h.domainSize, nPriv = h.nVars - h.nPublic - 1;
  Section ic = zkey.section(3, (uint64_t)(h.nPublic + 1) * G1_BYTES);
  (void)ic;
  Section sA = zkey.section(5, (uint64_t)h.nVars * G1_BYTES);
  Section sB1 = zkey.section(6, (uint64_t)h.nVars * G1_BYTES);
  Section sB2 = zkey.section(7, (uint64_t)h.nVars * G2_BYTES);
  Section sC = zkey.section(8, (uint64_t)nPriv * G1_BYTES);
  Section sH = zkey.section(9, (uint64_t)N * G1_BYTES);

  // H: (A·B − C) on the coset, where the key's H points already divide by the vanishing polynomial.
  std::vector<Fr> A, B, C;
  evaluate_abc(zkey.section(4), w.data(), h, A, B, C, path);
  timer.lap("abc");
  if (threads > 1) {
    std::thread ta([&] { to_coset(A, h.power); });
    std::thread tb([&] { to_coset(B, h.power); });
    to_coset(C, h.power);
    ta.join();
    tb.join();
  } else {
    to_coset(A, h.power);
    to_coset(B, h.power);
    to_coset(C, h.power);
  }
  std::vector<uint64_t> hScalars(4 * N);
  for (size_t i = 0; i < N; i++) Fr::sub(Fr::mul(A[i], B[i]), C[i]).to_std(&hScalars[4 * i]);
  std::vector<Fr>().swap(A);
  std::vector<Fr>().swap(B);
  std::vector<Fr>().swap(C);
  timer.lap("ntt");

  G1 piA = msm<Fq>(sA.data, w.data(), h.nVars, threads);
  timer.lap("msm A");
  G1 piB1 = msm<Fq>(sB1.data, w.data(), h.nVars, threads);
  timer.lap("msm B1");
  G2 piB = msm<Fq2>(sB2.data, w.data(), h.nVars, threads);
  timer.lap("msm B2");
  G1 piC = msm<Fq>(sC.data, w.data() + 4 * (h.nPublic + 1), nPriv, threads);
  timer.lap("msm C");
  G1 resH = msm<Fq>(sH.data, hScalars.data(), N, threads);
  timer.lap("msm H");

  // Blinding: r, s fresh from the CSPRNG for every proof.
  uint64_t r[4], s[4], rs[4];
  random_fr(r);
  random_fr(s);
  Fr::mul(Fr::from_std(r), Fr::from_std(s)).to_std(rs);
  G1 delta1 = G1::from_affine(h.delta1);
  piA = G1::add(G1::add_mixed(piA, h.alpha1), G1::mul_scalar(delta1, r));
  piB = G2::add(G2::add_mixed(piB, h.beta2), G2::mul_scalar(G2::from_affine(h.delta2), s));
  piB1 = G1::add(G1::add_mixed(piB1, h.beta1), G1::mul_scalar(delta1, s));
  piC = G1::add(piC, resH);
  piC = G1::add(piC, G1::mul_scalar(piA, s));
  piC = G1::add(piC, G1::mul_scalar(piB1, r));
  piC = G1::add(piC, G1::neg(G1::mul_scalar(delta1, rs)));
  timer.lap("blind");

  Proof proof;
  proof.a = std_affine(piA);
  proof.b = std_affine(piB);
  proof.c = std_affine(piC);
  proof.nPublic = h.nPublic;
  return proof;
}

}  // namespace zkml
