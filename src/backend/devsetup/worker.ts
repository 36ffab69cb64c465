/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-var-requires */

/**
 * The body of a dev-setup worker thread.
 *
 * It is shipped to the thread as source text (`workerSource()`), so the function must be fully
 * self-contained: no imports and no references to anything outside its own body. Each thread owns
 * an instance of the bn128 WebAssembly module that ffjavascript/snarkjs use (built by wasmcurves),
 * and drives the module's exported field and curve primitives from small JS loops: that is what lets
 * us do batched-affine arithmetic, which the library has no single export for.
 *
 * Conventions (those of the WASM module): field and curve elements live in WASM memory in Montgomery
 * form, little-endian; affine points are x‖y, Jacobian points x‖y‖z; the 32-bit word at address 0
 * is the module's free-memory pointer. The module's batch helpers take scratch space above it, so
 * our own allocations bump it (and jobs reset it when done).
 */
export function workerMain(): void {
  const { parentPort, workerData } = require("worker_threads");
  const P = workerData.pointers as { pG1gen: number; pG2gen: number };
  const memory = new WebAssembly.Memory({ initial: 32 });
  const x: any = new WebAssembly.Instance(workerData.module, { env: { memory } }).exports;
  let u8 = new Uint8Array(memory.buffer);
  let u32 = new Uint32Array(memory.buffer);
  const FR = 32; // bytes per Fr element

  // ---------------------------------------------------------------- memory
  /** Make sure `end` bytes (plus scratch room for the module's batch helpers) are addressable. */
  function ensure(end: number): void {
    const want = end + (1 << 22);
    if (want > memory.buffer.byteLength) {
      memory.grow(Math.ceil((want - memory.buffer.byteLength) / 65536));
      u8 = new Uint8Array(memory.buffer);
      u32 = new Uint32Array(memory.buffer);
    }
  }
  function alloc(n: number): number {
    const p = Math.ceil(u32[0] / 64) * 64; // (no bit ops: addresses may exceed 2^31)
    ensure(p + n);
    u32[0] = p + n;
    return p;
  }
  /** Scratch before a batch call that allocates n elements of `size` bytes internally. */
  function room(n: number, size: number): void {
    ensure(u32[0] + (n + 2) * size);
  }
  function put(p: number, bytes: Uint8Array): void {
    u8.set(bytes, p);
  }
  function take(p: number, n: number): Uint8Array {
    return u8.slice(p, p + n);
  }

  // ---------------------------------------------------------------- Fr scalars
  function frSet(p: number, v: bigint): void {
    for (let i = 0; i < FR; i++) {
      u8[p + i] = Number(v & 0xffn);
      v >>= 8n;
    }
    x.frm_toMontgomery(p, p);
  }

  /**
   * Fills `n` scalars at S, in regular (non-Montgomery) form, from a description:
   *  geom      first·ratio^i
   *  lagrange  mc·x_i/(tau − x_i), x_i = x0·step^i  (Lagrange basis values L_k(τ) = (τ^N−1)/N·ω^k/(τ−ω^k))
   *  bytes     given regular little-endian values
   *  lincomb   Σ coef_k·data_k[i]
   */
  function makeScalars(spec: any, n: number): number {
    const S = alloc(n * FR);
    if (spec.kind === "bytes") {
      put(S, spec.data);
      return S;
    }
    const t = alloc(4 * FR);
    if (spec.kind === "geom") {
      const ratio = t;
      frSet(S, spec.first);
      frSet(ratio, spec.ratio);
      for (let i = 1; i < n; i++) x.frm_mul(S + (i - 1) * FR, ratio, S + i * FR);
    } else if (spec.kind === "lagrange") {
      const [tau, step, mc, xi] = [t, t + FR, t + 2 * FR, t + 3 * FR];
      frSet(tau, spec.tau);
      frSet(step, spec.step);
      frSet(mc, spec.mc);
      frSet(xi, spec.x0);
      const X = alloc(n * FR);
      const D = alloc(n * FR);
      for (let i = 0; i < n; i++) {
        x.frm_copy(xi, X + i * FR);
        x.frm_sub(tau, xi, D + i * FR);
        x.frm_mul(xi, step, xi);
      }
      const Dinv = alloc(n * FR);
      room(n, FR);
      x.frm_batchInverse(D, FR, n, Dinv, FR);
      for (let i = 0; i < n; i++) {
        x.frm_mul(X + i * FR, Dinv + i * FR, S + i * FR);
        x.frm_mul(S + i * FR, mc, S + i * FR);
      }
    } else if (spec.kind === "lincomb") {
      const coef = t;
      const v = t + FR;
      const src = alloc(n * FR);
      u8.fill(0, S, S + n * FR); // Montgomery zero is all zero bytes
      for (const part of spec.parts) {
        frSet(coef, part.coef);
        put(src, part.data);
        for (let i = 0; i < n; i++) {
          x.frm_toMontgomery(src + i * FR, v);
          x.frm_mul(v, coef, v);
          x.frm_add(S + i * FR, v, S + i * FR);
        }
      }
    } else {
      throw new Error(`unknown scalar kind ${spec.kind}`);
    }
    x.frm_batchFromMontgomery(S, n, S);
    return S;
  }

  // ---------------------------------------------------------------- groups
  interface Group {
    n8: number; // bytes per base-field element (Fq or Fq2)
    sA: number; // affine point size
    sJ: number; // Jacobian point size
    f: Record<string, (...a: number[]) => number>;
    g: Record<string, (...a: number[]) => number>;
    gen: number; // generator, Jacobian
    table?: { p: number; w: number; nw: number; half: number };
    zeroLEM: Uint8Array; // how the module writes the point at infinity in affine form
  }
  function makeGroup(pre: "1" | "2"): Group {
    const fp = pre === "1" ? "f1m_" : "f2m_";
    const gp = pre === "1" ? "g1m_" : "g2m_";
    const n8 = pre === "1" ? 32 : 64;
    const f: any = {};
    for (const k of ["mul", "square", "add", "sub", "neg", "isZero", "copy"]) f[k] = x[fp + k];
    const g: any = {};
    for (const k of ["copyAffine", "negAffine", "toJacobian", "toAffine", "addMixed", "double", "copy", "zero", "isZero", "batchToAffine", "batchLEMtoU", "batchLEMtoC", "timesScalarAffine", "subAffine"]) g[k] = x[gp + k];
    for (const [k, fn] of Object.entries({ ...f, ...g })) if (typeof fn !== "function") throw new Error(`wasm export missing: ${k}`);
    const grp: Group = { n8, sA: 2 * n8, sJ: 3 * n8, f, g, gen: pre === "1" ? P.pG1gen : P.pG2gen, zeroLEM: new Uint8Array(0) };
    const mark = u32[0];
    const j = alloc(grp.sJ);
    const a = alloc(grp.sA);
    g.zero(j);
    room(1, grp.sJ);
    g.batchToAffine(j, 1, a);
    grp.zeroLEM = take(a, grp.sA);
    u32[0] = mark;
    return grp;
  }
  const groups: Record<string, Group> = { G1: makeGroup("1"), G2: makeGroup("2") };

  /**
   * out[k] = a[k] + (neg[k] ? −b[k] : b[k]) for k < n, all affine, sharing one field inversion
   * (Montgomery's trick): λ = Δy/Δx, x3 = λ² − xa − xb, y3 = λ(xa − x3) − ya.
   * out may alias a. Pairs with equal x (a doubling, or a sum at infinity) go through the module's
   * Jacobian mixed addition instead. Returns how many results are the point at infinity and marks
   * them in `inf` (affine formulas cannot continue from there).
   */
  function batchAdd(G: Group, n: number, A: Int32Array, B: Int32Array, O: Int32Array, neg: Uint8Array, inf: Uint8Array): number {
    if (n === 0) return 0;
    const { f, g, n8, sA } = G;
    const mark = u32[0];
    const dx = alloc(n * n8);
    const inv = alloc(n * n8);
    const t = alloc(5 * n8);
    const [lam, x3, y3, tmp] = [t, t + n8, t + 2 * n8, t + 3 * n8];
    const jac = alloc(G.sJ);
    const sum = alloc(G.sJ);
    const nb = alloc(sA);
    const special: number[] = [];
    for (let k = 0; k < n; k++) {
      f.sub(B[k], A[k], dx + k * n8);
      if (f.isZero(dx + k * n8)) special.push(k);
    }
    invertAll(G, dx, inv, n);
    let nInf = 0;
    let s = 0;
    for (let k = 0; k < n; k++) {
      const a = A[k];
      const b = B[k];
      inf[k] = 0;
      if (s < special.length && special[s] === k) {
        s++;
        g.toJacobian(a, jac);
        if (neg[k]) g.negAffine(b, nb);
        g.addMixed(jac, neg[k] ? nb : b, sum); // handles doubling and P + (−P)
        if (g.isZero(sum)) {
          inf[k] = 1;
          nInf++;
        }
        g.toAffine(sum, O[k]);
        continue;
      }
      const ya = a + n8;
      const yb = b + n8;
      // With b negated, λ = −(yb + ya)/Δx; we keep λ' = (yb + ya)/Δx and flip signs where it matters.
      if (neg[k]) f.add(yb, ya, tmp);
      else f.sub(yb, ya, tmp);
      f.mul(tmp, inv + k * n8, lam);
      f.square(lam, x3);
      f.sub(x3, a, x3);
      f.sub(x3, b, x3);
      if (neg[k]) f.sub(x3, a, tmp);
      else f.sub(a, x3, tmp);
      f.mul(lam, tmp, y3);
      f.sub(y3, ya, O[k] + n8);
      f.copy(x3, O[k]);
    }
    u32[0] = mark;
    return nInf;
  }

  /**
   * inv[k] = 1/dx[k] for n field elements (zeros map to zero). In Fq2 = Fq[u]/(u² + 1),
   * 1/(a + bu) = (a − bu)/(a² + b²): inverting the Fq norms in one batch is cheaper than the module's
   * Fq2 batch inversion, which is what dominates a G2 addition.
   */
  function invertAll(G: Group, dx: number, inv: number, n: number): void {
    if (G.n8 === 32) {
      room(n, 32);
      x.f1m_batchInverse(dx, 32, n, inv, 32);
      return;
    }
    const mark = u32[0];
    const norm = alloc(n * 32);
    const ninv = alloc(n * 32);
    const t = alloc(32);
    for (let k = 0; k < n; k++) {
      const a = dx + k * 64;
      x.f1m_square(a, t);
      x.f1m_square(a + 32, norm + k * 32);
      x.f1m_add(t, norm + k * 32, norm + k * 32);
    }
    room(n, 32);
    x.f1m_batchInverse(norm, 32, n, ninv, 32);
    for (let k = 0; k < n; k++) {
      const a = dx + k * 64;
      const o = inv + k * 64;
      x.f1m_mul(a, ninv + k * 32, o);
      x.f1m_mul(a + 32, ninv + k * 32, t);
      x.f1m_neg(t, o + 32);
    }
    u32[0] = mark;
  }

  // ---------------------------------------------------------------- fixed-base tables
  /**
   * Windows j0..j1−1 of the fixed-base table for window width w: window j holds m·2^(w·j)·G for
   * m = 1..2^(w−1) (signed digits need only half the multiples). Built by doubling the set:
   * T[len + i] = T[len] + T[i], each level one batched-affine round.
   */
  function buildTable(G: Group, w: number, j0: number, j1: number): Uint8Array {
    const half = 1 << (w - 1);
    const mark = u32[0];
    const out = alloc((j1 - j0) * half * G.sA);
    const base = alloc(G.sJ);
    G.g.copy(G.gen, base);
    for (let i = 0; i < w * j0; i++) G.g.double(base, base);
    const A = new Int32Array(half);
    const B = new Int32Array(half);
    const O = new Int32Array(half);
    const neg = new Uint8Array(half);
    const inf = new Uint8Array(half);
    for (let j = j0; j < j1; j++) {
      const T = out + (j - j0) * half * G.sA;
      const at = (m: number) => T + (m - 1) * G.sA;
      G.g.toAffine(base, at(1));
      for (let len = 1; len < half; len *= 2) {
        const n = Math.min(len, half - len);
        for (let i = 0; i < n; i++) {
          A[i] = at(len);
          B[i] = at(i + 1);
          O[i] = at(len + i + 1);
        }
        batchAdd(G, n, A, B, O, neg, inf);
      }
      for (let i = 0; i < w; i++) G.g.double(base, base);
    }
    const bytes = take(out, (j1 - j0) * half * G.sA);
    u32[0] = mark;
    return bytes;
  }

  function loadTable(G: Group, w: number, nw: number, bytes: Uint8Array): void {
    const half = 1 << (w - 1);
    if (bytes.byteLength !== nw * half * G.sA) throw new Error("table size mismatch");
    // Tables are kept for the worker's lifetime, so they sit below every per-job allocation.
    const p = alloc(bytes.byteLength);
    put(p, bytes);
    G.table = { p, w, nw, half };
  }

  // ---------------------------------------------------------------- fixed-base multiplication
  /**
   * Signed base-2^w digits of n regular scalars: d_j ∈ [−2^(w−1), 2^(w−1)], Σ d_j·2^(w·j) = s.
   * The top window never carries out because s < r < 2^254 and nw = ⌊254/w⌋ + 1.
   */
  function recode(S: number, n: number, w: number, nw: number): Int32Array {
    const digits = new Int32Array(n * nw);
    const mask = 2 ** w - 1;
    const half = 2 ** (w - 1);
    for (let i = 0; i < n; i++) {
      const base = (S + i * FR) >>> 2;
      let carry = 0;
      for (let j = 0; j < nw; j++) {
        const o = j * w;
        const wi = o >>> 5;
        const sh = o & 31;
        let v = 0;
        if (wi < 8) {
          v = u32[base + wi] >>> sh;
          if (sh + w > 32 && wi < 7) v = (v | (u32[base + wi + 1] << (32 - sh))) >>> 0;
          v = v % (mask + 1);
        }
        v += carry;
        if (v > half) {
          v -= mask + 1;
          carry = 1;
        } else carry = 0;
        digits[i * nw + j] = v;
      }
      if (carry) throw new Error("scalar out of range");
    }
    return digits;
  }

  /** n affine points s_i·G at `acc` for the regular scalars at S, using the loaded table. */
  function fixedBase(G: Group, S: number, n: number): number {
    const tab = G.table;
    if (!tab) throw new Error("fixed-base table not loaded");
    const { w, nw, half } = tab;
    const acc = alloc(n * G.sA);
    const digits = recode(S, n, w, nw);
    const started = new Uint8Array(n);
    const redo = new Uint8Array(n); // hit infinity mid-way: recomputed the slow way at the end
    const A = new Int32Array(n);
    const O = new Int32Array(n);
    const B = new Int32Array(n);
    const neg = new Uint8Array(n);
    const inf = new Uint8Array(n);
    const idx = new Int32Array(n);
    for (let j = 0; j < nw; j++) {
      let k = 0;
      for (let i = 0; i < n; i++) {
        const d = digits[i * nw + j];
        if (d === 0 || redo[i]) continue;
        const entry = tab.p + (j * half + Math.abs(d) - 1) * G.sA;
        const dst = acc + i * G.sA;
        if (!started[i]) {
          started[i] = 1;
          if (d < 0) G.g.negAffine(entry, dst);
          else G.g.copyAffine(entry, dst);
          continue;
        }
        A[k] = dst;
        O[k] = dst;
        B[k] = entry;
        neg[k] = d < 0 ? 1 : 0;
        idx[k] = i;
        k++;
      }
      if (batchAdd(G, k, A, B, O, neg, inf) > 0) for (let q = 0; q < k; q++) if (inf[q]) redo[idx[q]] = 1;
    }
    const jac = alloc(G.sJ);
    const gen = alloc(G.sA);
    G.g.toAffine(G.gen, gen);
    for (let i = 0; i < n; i++) {
      if (!started[i]) put(acc + i * G.sA, G.zeroLEM); // scalar 0
      else if (redo[i]) {
        G.g.timesScalarAffine(gen, S + i * FR, FR, jac);
        G.g.toAffine(jac, acc + i * G.sA);
      }
    }
    return acc;
  }

  function encode(G: Group, pts: number, n: number, enc: { lem?: boolean; c?: boolean; u?: boolean }): Record<string, Uint8Array> {
    const out: Record<string, Uint8Array> = {};
    if (enc.lem) out.lem = take(pts, n * G.sA);
    if (enc.u) {
      const p = alloc(n * G.sA);
      G.g.batchLEMtoU(pts, n, p);
      out.u = take(p, n * G.sA);
    }
    if (enc.c) {
      const p = alloc(n * G.n8);
      G.g.batchLEMtoC(pts, n, p);
      out.c = take(p, n * G.n8);
    }
    return out;
  }

  // ---------------------------------------------------------------- QAP at τ (for the zkey)
  /**
   * u_j = Σ_c A[c][j]·L_c(τ), v_j likewise for B, w_j for C, plus snarkjs's extra constraints
   * "signal_s · 1 = 0" for every public signal s (A[nConstraints + s][s] = 1). Also emits the zkey's
   * coefficient section (A and B entries, value·R² mod r as snarkjs stores them).
   */
  function qap(m: any): Record<string, Uint8Array> {
    const { nConstraints, nVars, nPublic, n8 } = m;
    const cs: Uint8Array = m.constraints;
    const dv = new DataView(cs.buffer, cs.byteOffset, cs.byteLength);
    const L = makeScalarsMontgomery({ kind: "lagrange", mc: m.mc, tau: m.tau, x0: 1n, step: m.omega }, m.domainSize);
    const acc = [alloc(nVars * FR), alloc(nVars * FR), alloc(nVars * FR)];
    for (const a of acc) u8.fill(0, a, a + nVars * FR);
    const cf = alloc(FR);
    const prod = alloc(FR);
    // First pass: count A and B terms to size the coefficient section.
    let nCoefs = nPublic + 1;
    let pos = 0;
    for (let c = 0; c < nConstraints; c++) {
      for (let mat = 0; mat < 3; mat++) {
        const nT = dv.getUint32(pos, true);
        pos += 4 + nT * (4 + n8);
        if (mat < 2) nCoefs += nT;
      }
    }
    const coefs = new Uint8Array(4 + nCoefs * (12 + FR));
    const cv = new DataView(coefs.buffer);
    cv.setUint32(0, nCoefs, true);
    let cp = 4;
    const pushCoef = (mat: number, c: number, s: number, pValue: number) => {
      cv.setUint32(cp, mat, true);
      cv.setUint32(cp + 4, c, true);
      cv.setUint32(cp + 8, s, true);
      x.frm_toMontgomery(pValue, prod); // value·R already; once more gives value·R² as a raw integer
      coefs.set(u8.subarray(prod, prod + FR), cp + 12);
      cp += 12 + FR;
    };
    pos = 0;
    for (let c = 0; c < nConstraints; c++) {
      for (let mat = 0; mat < 3; mat++) {
        const nT = dv.getUint32(pos, true);
        pos += 4;
        for (let t = 0; t < nT; t++) {
          const s = dv.getUint32(pos, true);
          if (s >= nVars) throw new Error(`constraint ${c} references wire ${s} >= nVars ${nVars}`);
          put(cf, cs.subarray(pos + 4, pos + 4 + FR));
          pos += 4 + n8;
          x.frm_toMontgomery(cf, cf);
          x.frm_mul(cf, L + c * FR, prod);
          x.frm_add(acc[mat] + s * FR, prod, acc[mat] + s * FR);
          if (mat < 2) pushCoef(mat, c, s, cf);
        }
      }
    }
    x.frm_one(cf);
    for (let s = 0; s <= nPublic; s++) {
      x.frm_add(acc[0] + s * FR, L + (nConstraints + s) * FR, acc[0] + s * FR);
      pushCoef(0, nConstraints + s, s, cf);
    }
    const out: Record<string, Uint8Array> = { coefs };
    ["u", "v", "w"].forEach((name, i) => {
      x.frm_batchFromMontgomery(acc[i], nVars, acc[i]);
      out[name] = take(acc[i], nVars * FR);
    });
    return out;
  }

  function makeScalarsMontgomery(spec: any, n: number): number {
    const S = makeScalars(spec, n);
    x.frm_batchToMontgomery(S, n, S);
    return S;
  }

  /**
   * snarkjs hashes (P_hi − P_lo) for points read from the ptau; when P_hi lies past the end of the
   * tauG1 section it is whatever bytes follow. Reproduce that exact computation on given bytes.
   */
  function subAffineU(hi: Uint8Array, lo: Uint8Array): Uint8Array {
    const G = groups.G1;
    const a = alloc(G.sA);
    const b = alloc(G.sA);
    const j = alloc(G.sJ);
    put(a, hi);
    put(b, lo);
    G.g.subAffine(a, b, j);
    room(1, G.sJ);
    G.g.batchToAffine(j, 1, j);
    G.g.batchLEMtoU(j, 1, a);
    return take(a, G.sA);
  }

  // ---------------------------------------------------------------- native fixed base
  // With the native addon (workerData.nativeAddon, its path), points come from its C++ fixed-base
  // multiplication (native/fixed_base.cc) instead of the WASM table: the scalars makeScalars left in
  // WASM memory (standard form) go in, the points come back as LEM bytes, ready for encode().
  const native: any = workerData.nativeAddon ? require(workerData.nativeAddon) : undefined;
  const nativeWindow: Record<string, number> = {};
  function nativeFixedBase(G: Group, group: string, S: number, n: number): number {
    const lem: Uint8Array = native.fixedBase(group, nativeWindow[group], take(S, n * FR)); // S: regular (standard) form
    const pts = alloc(n * G.sA);
    put(pts, lem);
    return pts;
  }

  // ---------------------------------------------------------------- dispatch
  function handle(m: any): any {
    switch (m.cmd) {
      case "buildTable":
        return { table: buildTable(groups[m.group], m.w, m.j0, m.j1) };
      case "loadTable":
        loadTable(groups[m.group], m.w, m.nw, m.bytes);
        return {};
      case "nativeTable":
        native.fixedBase(m.group, m.w, new Uint8Array(0)); // builds the process-wide table once
        nativeWindow[m.group] = m.w;
        return {};
      case "points": {
        const G = groups[m.group];
        const S = makeScalars(m.scalars, m.n);
        return encode(G, nativeWindow[m.group] ? nativeFixedBase(G, m.group, S, m.n) : fixedBase(G, S, m.n), m.n, m.enc);
      }
      case "encode": {
        const G = groups[m.group];
        const n = m.lem.byteLength / G.sA;
        const p = alloc(m.lem.byteLength);
        put(p, m.lem);
        return encode(G, p, n, m.enc);
      }
      case "qap":
        return qap(m);
      case "subAffineU":
        return { u: subAffineU(m.hi, m.lo) };
      default:
        throw new Error(`unknown command ${m.cmd}`);
    }
  }

  parentPort.on("message", (m: any) => {
    const mark = u32[0];
    const t0 = performance.now();
    try {
      const result = handle(m);
      const transfer = Object.values(result).filter((v) => v instanceof Uint8Array).map((v) => (v as Uint8Array).buffer);
      parentPort.postMessage({ id: m.id, result, busyMs: performance.now() - t0 }, transfer);
    } catch (e) {
      parentPort.postMessage({ id: m.id, error: String((e as Error)?.stack ?? e) });
    } finally {
      // Per-job memory is released by resetting the bump pointer; tables were loaded before `mark`
      // only for "loadTable", whose allocation must survive.
      if (m.cmd !== "loadTable") u32[0] = mark;
    }
  });
}

export function workerSource(): string {
  return `(${workerMain.toString()})();`;
}
