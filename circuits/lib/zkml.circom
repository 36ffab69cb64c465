pragma circom 2.1.6;

// Gadgets for fixed-point inference. Every value a prover supplies with `<--` is pinned down by
// constraints in the same template: bits are boolean and recombine to the value they claim to be.

// Proves -2^(n-1) <= in < 2^(n-1): in + 2^(n-1) is decomposed into n boolean bits.
// nonneg is the top bit of that offset value, so it is 1 exactly when in >= 0.
template SignedRangeCheck(n) {
    signal input in;
    signal output nonneg;
    signal output bits[n];

    var offset = 1 << (n - 1);
    var shifted = in + offset;
    var sum = 0;
    for (var i = 0; i < n; i++) {
        bits[i] <-- (shifted >> i) & 1;
        bits[i] * (bits[i] - 1) === 0;
        sum += bits[i] * (1 << i);
    }
    sum === in + offset;
    nonneg <== bits[n - 1];
}

// out = floor((in + 2^(shift-1)) / 2^shift), i.e. in / 2^shift rounded half up, with out proven to lie in
// [-2^(width-1), 2^(width-1)). Quotient and remainder are both given as constrained bits, so
// q * 2^shift + r takes 2^(width+shift) < p distinct values and no other (q, r) satisfies the sum.
template RescaleRangeCheck(shift, width) {
    signal input in;
    signal output out;
    signal output nonneg;
    signal rbits[shift];
    signal qbits[width];

    var offset = 1 << (width - 1);
    var t = in + (1 << (shift - 1)) + offset * (1 << shift);
    var r = 0;
    for (var i = 0; i < shift; i++) {
        rbits[i] <-- (t >> i) & 1;
        rbits[i] * (rbits[i] - 1) === 0;
        r += rbits[i] * (1 << i);
    }
    var q = 0;
    for (var i = 0; i < width; i++) {
        qbits[i] <-- (t >> (shift + i)) & 1;
        qbits[i] * (qbits[i] - 1) === 0;
        q += qbits[i] * (1 << i);
    }
    q * (1 << shift) + r === t;
    out <== q - offset;
    nonneg <== qbits[width - 1];
}

// The offset-binary bits of q = round-half-up(in / 2^shift) (shift may be 0): bits spell
// q + 2^(width-1), so bits[width-1] is 1 exactly when q >= 0. The same argument as RescaleRangeCheck
// makes (q, r) unique; activations read their sign, range and table index from these bits instead of
// decomposing the value again.
template SignedDigits(shift, width) {
    signal input in;
    signal output bits[width];
    signal rbits[shift];

    var half = shift > 0 ? 1 << (shift - 1) : 0;
    var t = in + half + (1 << (width - 1)) * (1 << shift);
    var r = 0;
    for (var i = 0; i < shift; i++) {
        rbits[i] <-- (t >> i) & 1;
        rbits[i] * (rbits[i] - 1) === 0;
        r += rbits[i] * (1 << i);
    }
    var q = 0;
    for (var i = 0; i < width; i++) {
        bits[i] <-- (t >> (shift + i)) & 1;
        bits[i] * (bits[i] - 1) === 0;
        q += bits[i] * (1 << i);
    }
    q * (1 << shift) + r === t;
}

// max(round(in / 2^shift), 0) from one decomposition.
template RescaleRelu(shift, width) {
    signal input in;
    signal output out;

    component rescale = RescaleRangeCheck(shift, width);
    rescale.in <== in;
    out <== rescale.out * rescale.nonneg;
}

// max(in, 0) for in proven to lie in [-2^(width-1), 2^(width-1)). The product reads in back from the
// range check's bits (equal to in by its recombination), as the direct body writes it (src/gadgets/relu.ts).
template Relu(width) {
    signal input in;
    signal output out;

    component range = SignedRangeCheck(width);
    range.in <== in;
    var v = -(1 << (width - 1));
    for (var i = 0; i < width; i++) {
        v += range.bits[i] * (1 << i);
    }
    out <== v * range.nonneg;
}

// out = a * b: a single constraint, nothing for the prover to choose.
template Mul() {
    signal input a;
    signal input b;
    signal output out;
    out <== a * b;
}

// out = 1 when in == 0, else 0. If in != 0, in * out == 0 forces out = 0 and then inv = 1/in; if
// in == 0, out = 1 and inv * out == 0 pins inv to 0, so the witness is unique either way.
template IsZero() {
    signal input in;
    signal output out;
    signal inv;
    inv <-- in != 0 ? 1 / in : 0;
    out <== 1 - in * inv;
    in * out === 0;
    inv * out === 0;
}

// The n little-endian bits of in, proving 0 <= in < 2^n.
template Bits(n) {
    signal input in;
    signal output bits[n];
    var sum = 0;
    for (var i = 0; i < n; i++) {
        bits[i] <-- (in >> i) & 1;
        bits[i] * (bits[i] - 1) === 0;
        sum += bits[i] * (1 << i);
    }
    sum === in;
}

// out = floor(a / b). The circuit proves a = q*b + r with 0 <= r < 2^rbits, 0 <= b - r - 1 < 2^rbits
// (so b >= 1 and r < b) and q in [-2^(qwidth-1), 2^(qwidth-1)). All of these are far below p, so the
// integer identity holds and (q, r) is the unique floor division.
template FloorDiv(qwidth, rbits) {
    signal input a;
    signal input b;
    signal output out;
    signal r;

    var q;
    if (a < 0) { q = -((-a + b - 1) \ b); } else { q = a \ b; }
    out <-- q;
    r <-- a - q * b;
    component qRange = SignedRangeCheck(qwidth);
    qRange.in <== out;
    component rRange = Bits(rbits);
    rRange.in <== r;
    component gap = Bits(rbits);
    gap.in <== b - r - 1;
    a - r === out * b;
}

// sum(x[i] * w[i]) where the weights are private signals (bound by the model commitment), so unlike
// constant weights they cannot stay inside a linear combination: one product constraint per term.
template Dot(n) {
    signal input x[n];
    signal input w[n];
    signal output out;
    signal prod[n];

    var acc = 0;
    for (var i = 0; i < n; i++) {
        prod[i] <== x[i] * w[i];
        acc += prod[i];
    }
    out <== acc;
}

// out = floor(a / b) for b of either sign (b != 0), the remainder taking the sign of b. bnonneg is the
// boolean "b > 0" and s = 2*bnonneg - 1: |b| = 2*bsel - b with bsel = bnonneg*b, and s*r = 2*rsel - r with
// rsel = bnonneg*r. r and gap = |b| - r - 1 are rbits-bit, so |b| >= 1 as an integer: exactly one bnonneg
// makes it so when b != 0, none when b == 0 (a zero divisor is unsatisfiable). Then a - s*r = q*b, i.e.
// s*a = q*|b| + r with 0 <= r < |b|, makes q the unique floor(a / b). Precondition (asserted by the bounds
// pass): qwidth + rbits <= 252, so |q*b| < p/2 (src/gadgets/sdiv.ts).
template SignedFloorDiv(qwidth, rbits) {
    signal input a;
    signal input b;
    signal output out;
    signal r;
    signal bnonneg;
    signal bsel;
    signal rsel;

    var an = a < 0 ? 1 : 0;
    var bn = b < 0 ? 1 : 0;
    var am = a;
    if (an == 1) { am = -a; }
    var bm = b;
    if (bn == 1) { bm = -b; }
    var qm = 0;
    var rm = 0;
    if (bm != 0) { qm = am \ bm; rm = am % bm; }
    var q = qm;
    if (an != bn) {
        q = -qm;
        if (rm != 0) { q = -qm - 1; }
    }
    var rs = a - q * b;
    var rmag = rs;
    if (rs < 0) { rmag = -rs; }
    out <-- q;
    r <-- rmag;
    bnonneg <-- b > 0 ? 1 : 0;
    bnonneg * (bnonneg - 1) === 0;
    bsel <== bnonneg * b;
    component qRange = SignedRangeCheck(qwidth);
    qRange.in <== out;
    component rRange = Bits(rbits);
    rRange.in <== r;
    component gap = Bits(rbits);
    gap.in <== 2 * bsel - b - r - 1;
    rsel <== bnonneg * r;
    a - 2 * rsel + r === out * b;
}

// floor(sqrt(x)) by bits from the top, for the witness only (the template constrains the result).
function zkmlIsqrt(x, n) {
    var s = 0;
    for (var i = n - 1; i >= 0; i--) {
        var c = s + (1 << i);
        if (c * c <= x) { s = c; }
    }
    return s;
}

// out = floor(sqrt(in)): out is width-bit, sq = out*out, and in - sq and sq + 2*out - in are (width+1)-bit,
// so out^2 <= in < (out + 1)^2: one solution for in >= 0, none for in < 0 (src/gadgets/sqrt.ts).
template IntegerSqrt(width) {
    signal input in;
    signal output out;
    signal sq;

    out <-- zkmlIsqrt(in, width);
    component sRange = Bits(width);
    sRange.in <== out;
    sq <== out * out;
    component lo = Bits(width + 1);
    lo.in <== in - sq;
    component hi = Bits(width + 1);
    hi.in <== sq + 2 * out - in;
}
