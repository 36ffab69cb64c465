pragma circom 2.1.6;

// Generative models: the inputs come from a public seed, the outputs are public by a fingerprint.
// Both are computed off-chain by src/privacy/seeded.ts in the same way. Included only when used.
include "poseidon.circom";

// The 254-bit binary of `in`, proven canonical: the integer the bits spell is at most p - 1, so no
// second decomposition (in + p) exists. Scanning from the top bit, eq[i] says bits i.. equal those of
// p - 1; the value exceeds p - 1 exactly when some bit is 1 where p - 1 has a 0 and every higher bit
// is equal. Those cases are 0/1 products, so their sum (at most 254) is 0 only if none occurs.
template CanonicalBits() {
    signal input in;
    signal output bits[254];
    signal eq[255];
    signal over[254];

    var pMinus1 = 21888242871839275222246405745257275088548364400416034343698204186575808495616;
    var sum = 0;
    for (var i = 0; i < 254; i++) {
        bits[i] <-- (in >> i) & 1;
        bits[i] * (bits[i] - 1) === 0;
        sum += bits[i] * (1 << i);
    }
    sum === in;
    eq[254] <== 1;
    var overflow = 0;
    for (var i = 253; i >= 0; i--) {
        if (((pMinus1 >> i) & 1) == 1) {
            eq[i] <== eq[i + 1] * bits[i];
            over[i] <== 0;
        } else {
            over[i] <== eq[i + 1] * bits[i];
            eq[i] <== eq[i + 1] * (1 - bits[i]);
            overflow += over[i];
        }
    }
    overflow === 0;
}

// The inputs a seed stands for: block k is Poseidon(seed, k) written in its canonical 254-bit binary
// (one decomposition only, so one input per seed), read as 250 / bits digits of
// `bits` bits each; input i is its digit minus 2^(bits-1). Every input is in range by construction.
template SeededInputs(count, bits) {
    signal input seed;
    signal output values[count];

    var perBlock = 250 \ bits;
    var blocks = (count + perBlock - 1) \ perBlock;
    component h[blocks];
    component b[blocks];
    for (var k = 0; k < blocks; k++) {
        h[k] = Poseidon(2);
        h[k].inputs[0] <== seed;
        h[k].inputs[1] <== k;
        b[k] = CanonicalBits();
        b[k].in <== h[k].out;
    }
    for (var i = 0; i < count; i++) {
        var v = 0;
        for (var t = 0; t < bits; t++) {
            v += b[i \ perBlock].bits[(i % perBlock) * bits + t] * (1 << t);
        }
        values[i] <== v - (1 << (bits - 1));
    }
}

// sum_j words[j] * r^(j+1) (Horner). With r a hash of the claimed words, taken by the verifier, a
// claim other than the circuit's words matches only if r is a root of their nonzero difference
// polynomial: probability n / p.
template Fingerprint(n) {
    signal input words[n];
    signal input r;
    signal output out;
    signal acc[n];

    acc[n - 1] <== words[n - 1] * r;
    for (var j = n - 2; j >= 0; j--) {
        acc[j] <== (acc[j + 1] + words[j]) * r;
    }
    out <== acc[0];
}
