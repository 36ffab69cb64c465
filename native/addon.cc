// The Node binding (N-API through node-addon-api). `prove` runs off the JavaScript thread and
// returns a Promise; the other exports are small synchronous entry points for the tests.
#include <napi.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixed_base.h"
#include "msm.h"
#include "ntt.h"
#include "prover.h"

using namespace zkml;

namespace {

Napi::Array strings(Napi::Env env, std::initializer_list<std::string> items) {
  Napi::Array a = Napi::Array::New(env, items.size());
  uint32_t i = 0;
  for (const auto& s : items) a.Set(i++, Napi::String::New(env, s));
  return a;
}

std::string dec(const Fq& v) { return to_decimal(v.v); }

class ProveWorker : public Napi::AsyncWorker {
 public:
  ProveWorker(Napi::Env env, std::string zkey, std::vector<uint8_t> witness, unsigned threads)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), zkey_(std::move(zkey)), witness_(std::move(witness)), threads_(threads) {}
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      proof_ = prove(zkey_, witness_.data(), witness_.size(), threads_);
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("pi_a", strings(env, {dec(proof_.a.x), dec(proof_.a.y), "1"}));
    Napi::Array b = Napi::Array::New(env, 3);
    b.Set(0u, strings(env, {dec(proof_.b.x.c0), dec(proof_.b.x.c1)}));
    b.Set(1u, strings(env, {dec(proof_.b.y.c0), dec(proof_.b.y.c1)}));
    b.Set(2u, strings(env, {"1", "0"}));
    o.Set("pi_b", b);
    o.Set("pi_c", strings(env, {dec(proof_.c.x), dec(proof_.c.y), "1"}));
    o.Set("nPublic", Napi::Number::New(env, proof_.nPublic));
    deferred_.Resolve(o);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::string zkey_;
  std::vector<uint8_t> witness_;
  unsigned threads_;
  Proof proof_;
};

unsigned thread_arg(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && info[i].IsNumber() ? info[i].As<Napi::Number>().Uint32Value() : 0;
}

Napi::Uint8Array bytes_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a Uint8Array");
  }
  return info[i].As<Napi::Uint8Array>();
}

Napi::Value Prove(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString()) throw Napi::TypeError::New(env, "prove(zkeyPath, witness[, threads])");
  Napi::Uint8Array w = bytes_arg(info, 1, "witness");
  std::vector<uint8_t> witness(w.Data(), w.Data() + w.ByteLength());
  auto* worker = new ProveWorker(env, info[0].As<Napi::String>().Utf8Value(), std::move(witness), thread_arg(info, 2));
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

Napi::Uint8Array out_bytes(Napi::Env env, const void* src, size_t n) {
  Napi::Uint8Array a = Napi::Uint8Array::New(env, n);
  memcpy(a.Data(), src, n);
  return a;
}

template <typename F>
Napi::Value FieldOpOf(const Napi::CallbackInfo& info, const std::string& op) {
  Napi::Env env = info.Env();
  auto elem = [&](size_t i) {
    Napi::Uint8Array b = bytes_arg(info, i, "operand");
    if (b.ByteLength() != 32) throw Napi::RangeError::New(env, "operands are 32 bytes");
    uint64_t s[4];
    memcpy(s, b.Data(), 32);
    if (!F::std_in_range(s)) throw Napi::RangeError::New(env, "operand is not below the modulus");
    return F::from_std(s);
  };
  F a = elem(2), r;
  if (op == "add") r = F::add(a, elem(3));
  else if (op == "sub") r = F::sub(a, elem(3));
  else if (op == "mul") r = F::mul(a, elem(3));
  else if (op == "sqr") r = F::sqr(a);
  else if (op == "neg") r = F::neg(a);
  else if (op == "inv") r = F::inv(a);
  else throw Napi::Error::New(env, "unknown field op " + op);
  uint64_t out[4];
  r.to_std(out);
  return out_bytes(env, out, 32);
}

Napi::Value FieldOp(const Napi::CallbackInfo& info) {
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsString()) throw Napi::TypeError::New(info.Env(), "fieldOp(field, op, a[, b])");
  std::string field = info[0].As<Napi::String>(), op = info[1].As<Napi::String>();
  if (field == "fq") return FieldOpOf<Fq>(info, op);
  if (field == "fr") return FieldOpOf<Fr>(info, op);
  throw Napi::Error::New(info.Env(), "unknown field " + field);
}

template <typename F>
void to_mont(F& x);
template <>
void to_mont<Fq>(Fq& x) { x = Fq::from_std(x.v); }
template <>
void to_mont<Fq2>(Fq2& x) {
  x.c0 = Fq::from_std(x.c0.v);
  x.c1 = Fq::from_std(x.c1.v);
}
void from_mont(Fq& x) { x.to_std(x.v); }
void from_mont(Fq2& x) {
  x.c0.to_std(x.c0.v);
  x.c1.to_std(x.c1.v);
}

template <typename F>
Napi::Value MsmOf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t PB = sizeof(Affine<F>);
  Napi::Uint8Array pts = bytes_arg(info, 0, "points"), sc = bytes_arg(info, 1, "scalars");
  size_t n = pts.ByteLength() / PB;
  if (pts.ByteLength() != n * PB || sc.ByteLength() != n * 32) throw Napi::RangeError::New(env, "points and scalars differ in count");
  std::vector<Affine<F>> points(n);
  memcpy(points.data(), pts.Data(), n * PB);
  for (auto& p : points) {
    if (p.is_infinity()) continue;
    to_mont(p.x);
    to_mont(p.y);
  }
  std::vector<uint64_t> scalars(4 * n);
  memcpy(scalars.data(), sc.Data(), n * 32);
  Jacobian<F> r = msm<F>((const uint8_t*)points.data(), scalars.data(), n, thread_arg(info, 2));
  Affine<F> a = r.to_affine();
  from_mont(a.x);
  from_mont(a.y);
  return out_bytes(env, &a, PB);
}

Napi::Value G1Msm(const Napi::CallbackInfo& info) { return MsmOf<Fq>(info); }
Napi::Value G2Msm(const Napi::CallbackInfo& info) { return MsmOf<Fq2>(info); }

Napi::Value Fft(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array in = bytes_arg(info, 0, "values");
  bool inverse = info.Length() > 1 && info[1].ToBoolean();
  size_t n = in.ByteLength() / 32;
  if (in.ByteLength() != n * 32) throw Napi::RangeError::New(env, "values are 32 bytes each");
  std::vector<Fr> a(n);
  for (size_t i = 0; i < n; i++) {
    uint64_t s[4];
    memcpy(s, in.Data() + 32 * i, 32);
    if (!Fr::std_in_range(s)) throw Napi::RangeError::New(env, "value is not below the modulus");
    a[i] = Fr::from_std(s);
  }
  try {
    ntt(a.data(), n, inverse);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  Napi::Uint8Array out = Napi::Uint8Array::New(env, n * 32);
  for (size_t i = 0; i < n; i++) a[i].to_std((uint64_t*)(out.Data() + 32 * i));
  return out;
}

// fixedBase(group, w, scalars): n points k_i·G (G1 or G2 generator) as a .zkey stores them: affine,
// Montgomery form, little-endian, all zeros for infinity. Scalars: n × 32 bytes, standard form.
Napi::Value FixedBase(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsNumber()) throw Napi::TypeError::New(env, "fixedBase(group, windowBits, scalars)");
  std::string group = info[0].As<Napi::String>();
  int w = info[1].As<Napi::Number>().Int32Value();
  Napi::Uint8Array sc = bytes_arg(info, 2, "scalars");
  size_t n = sc.ByteLength() / 32;
  if (sc.ByteLength() != n * 32) throw Napi::RangeError::New(env, "scalars are 32 bytes each");
  std::vector<uint64_t> scalars(4 * n);
  memcpy(scalars.data(), sc.Data(), n * 32);
  for (size_t i = 0; i < n; i++) {
    if (scalars[4 * i + 3] >> 62) throw Napi::RangeError::New(env, "scalar above 2^254");
  }
  try {
    if (group == "G1") {
      std::vector<Affine<Fq>> out(n);
      fixed_base_g1(g1_table(w), scalars.data(), n, out.data());
      return out_bytes(env, out.data(), n * sizeof(Affine<Fq>));
    }
    if (group == "G2") {
      std::vector<Affine<Fq2>> out(n);
      fixed_base_g2(g2_table(w), scalars.data(), n, out.data());
      return out_bytes(env, out.data(), n * sizeof(Affine<Fq2>));
    }
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  throw Napi::Error::New(env, "unknown group " + group);
}

Napi::Value RandomFr(const Napi::CallbackInfo& info) {
  uint64_t r[4];
  random_fr(r);
  return out_bytes(info.Env(), r, 32);
}

Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), default_threads()); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("prove", Napi::Function::New(env, Prove));
  exports.Set("fieldOp", Napi::Function::New(env, FieldOp));
  exports.Set("g1Msm", Napi::Function::New(env, G1Msm));
  exports.Set("g2Msm", Napi::Function::New(env, G2Msm));
  exports.Set("fft", Napi::Function::New(env, Fft));
  exports.Set("randomFr", Napi::Function::New(env, RandomFr));
  exports.Set("fixedBase", Napi::Function::New(env, FixedBase));
  exports.Set("threads", Napi::Function::New(env, Threads));
  return exports;
}

}  // namespace

NODE_API_MODULE(zkml_native, Init)
