pragma circom 2.1.6;

// Generative models: the inputs come from a public seed, the outputs are public by a fingerprint.
// Both are computed off-chain by src/privacy/seeded.ts in the same way. Included only when used.
include "poseidon.circom";
include "bitify.circom";

// The inputs a seed stands for: block k is Poseidon(seed, k) written in its canonical 254-bit binary
// (Num2Bits_strict: one decomposition only, so one input per seed), read as 250 / bits digits of
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
        b[k] = Num2Bits_strict();
        b[k].in <== h[k].out;
    }
    for (var i = 0; i < count; i++) {
        var v = 0;
        for (var t = 0; t < bits; t++) {
            v += b[i \ perBlock].out[(i % perBlock) * bits + t] * (1 << t);
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
