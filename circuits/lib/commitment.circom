pragma circom 2.1.6;

// Poseidon commitments to packed words, as src/privacy/commitment.ts computes them off-chain:
// h_0 = tag, h_{k+1} = Poseidon(h_k, words[15k .. 15k+14]), out = the last h. Included only by
// circuits that commit to something, so other circuits do not pay for parsing Poseidon's constants.
include "poseidon.circom";

template CommitmentSponge(n, tag) {
    signal input words[n];
    signal output out;

    var rate = 15;
    var chunks = (n + rate - 1) \ rate;
    component h[chunks];
    for (var k = 0; k < chunks; k++) {
        var len = n - k * rate;
        if (len > rate) {
            len = rate;
        }
        h[k] = Poseidon(len + 1);
        if (k == 0) {
            h[k].inputs[0] <== tag;
        } else {
            h[k].inputs[0] <== h[k - 1].out;
        }
        for (var j = 0; j < len; j++) {
            h[k].inputs[1 + j] <== words[k * rate + j];
        }
    }
    out <== h[chunks - 1].out;
}
