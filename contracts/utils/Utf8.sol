// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title Utf8
 * @dev Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. Metadata
 * shows a prompt as JSON text only when it passes, since a JSON document must be valid Unicode.
 */
library Utf8 {
    function isValid(bytes memory s) internal pure returns (bool) {
        uint256 n = s.length;
        uint256 i = 0;
        while (i < n) {
            uint8 lead = uint8(s[i]);
            if (lead < 0x80) {
                ++i;
                continue;
            }
            // Continuation bytes are 0x80..0xBF; the lead byte narrows the range of the first one.
            uint256 extra;
            uint8 lo = 0x80;
            uint8 hi = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                extra = 1;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                extra = 2;
                if (lead == 0xE0) lo = 0xA0; // else overlong
                if (lead == 0xED) hi = 0x9F; // else a surrogate
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                extra = 3;
                if (lead == 0xF0) lo = 0x90; // else overlong
                if (lead == 0xF4) hi = 0x8F; // else above U+10FFFF
            } else {
                return false;
            }
            if (n - i <= extra) return false;
            uint8 first = uint8(s[i + 1]);
            if (first < lo || first > hi) return false;
            for (uint256 k = 2; k <= extra; ++k) {
                uint8 c = uint8(s[i + k]);
                if (c < 0x80 || c > 0xBF) return false;
            }
            i += extra + 1;
        }
        return true;
    }
}
