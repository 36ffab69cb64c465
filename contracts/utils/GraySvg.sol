// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/**
 * @title GraySvg
 * @dev Renders a grayscale image as a compact SVG for on-chain metadata: a black background, then for each
 * gray level present one `<path>` whose stroke draws that level's horizontal runs of pixels, `Mx yhw` each
 * (a 1-unit stroke along the row's centre line covers exactly the run's pixels). Generator images are
 * mostly black, so most pixels cost nothing; a run costs about ten bytes.
 *
 * Metadata is base64-encoded twice (the SVG inside the JSON, then the JSON), and every byte costs gas in
 * each step, so the size matters: a 28x28 image must render in an `eth_call` even when every pixel is its
 * own run. For the same reason the output is written into one buffer allocated up front: concatenating
 * strings in a loop would copy the growing document once per run.
 */
library GraySvg {
    /// @dev `<path stroke="#rrggbb" d="` and `"/>`: the bytes a gray level costs besides its runs.
    uint256 private constant _LEVEL_BYTES = 25 + 3;
    /// @dev `M`, ` ` and `h`: the bytes a run costs besides its three numbers.
    uint256 private constant _RUN_BYTES = 3;

    /// @notice The pixel count is not `width * height`.
    error GraySvgSizeMismatch(uint256 pixels, uint256 width, uint256 height);

    /**
     * @param gray Row-major pixels, one byte each (0 black, 255 white), `width * height` of them.
     * @param displayWidth The rendered width; the height keeps the aspect ratio.
     */
    function render(bytes memory gray, uint256 width, uint256 height, uint256 displayWidth) internal pure returns (string memory) {
        string memory w = Strings.toString(width);
        string memory h = Strings.toString(height);
        string memory head = string.concat(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ',
            string.concat(w, " ", h),
            '" width="',
            Strings.toString(displayWidth),
            '" height="',
            Strings.toString((displayWidth * height) / width),
            '" shape-rendering="crispEdges"><rect width="',
            string.concat(w, '" height="', h),
            '" fill="#000"/><g transform="translate(0 .5)">'
        );
        return string.concat(head, string(_paths(gray, width, height)), "</g></svg>");
    }

    /// @dev One `<path>` per gray level present (ascending), holding that level's runs in raster order.
    function _paths(bytes memory gray, uint256 width, uint256 height) private pure returns (bytes memory out) {
        (uint256[] memory runs, uint256 count, uint256[256] memory first) = _runsByLevel(gray, width, height);
        // A run writes three numbers below 10^digits; a level adds its tag. The buffer holds the worst case
        // plus 32 bytes of slack, because every fragment is stored as a whole 32-byte word.
        uint256 runMax = _RUN_BYTES + 3 * bytes(Strings.toString(width > height ? width : height)).length;
        out = new bytes(255 * _LEVEL_BYTES + count * runMax + 32);
        uint256 at = 0;
        unchecked {
            for (uint256 g = 1; g < 256; ++g) {
                uint256 k = first[g];
                if (k == 0) continue;
                at = _put(out, at, '<path stroke="#', 15);
                at = _put(out, at, _grayHex(g), 6);
                at = _put(out, at, '" d="', 5);
                for (; k != 0; k = runs[k - 1] >> 192) {
                    uint256 run = runs[k - 1];
                    // Bounds by construction; checked once per run so a bug cannot write past the buffer.
                    assert(at + runMax + 32 <= out.length);
                    at = _put(out, at, "M", 1);
                    at = _putUint(out, at, uint64(run));
                    at = _put(out, at, " ", 1);
                    at = _putUint(out, at, uint64(run >> 64));
                    at = _put(out, at, "h", 1);
                    at = _putUint(out, at, uint64(run >> 128));
                }
                at = _put(out, at, '"/>', 3);
            }
        }
        assembly ("memory-safe") {
            mstore(out, at) // shrink to what was written; the slack stays allocated
        }
    }

    /**
     * @dev The `count` runs of equal non-black pixels, in raster order, each packed as
     * `x | y << 64 | length << 128 | next << 192`, chained per gray level: level g's runs are `first[g]`,
     * then each run's `next` (1-based indices into `runs`; 0 ends the chain). Linking in reverse keeps each
     * chain in raster order without sorting.
     */
    function _runsByLevel(
        bytes memory gray,
        uint256 width,
        uint256 height
    ) private pure returns (uint256[] memory runs, uint256 count, uint256[256] memory first) {
        if (gray.length != width * height) revert GraySvgSizeMismatch(gray.length, width, height);
        runs = new uint256[](gray.length);
        unchecked {
            // The scan reads pixels in assembly: checked indexing costs several times the work per pixel.
            for (uint256 y = 0; y < height; ++y) {
                uint256 x = 0;
                while (x < width) {
                    uint256 g;
                    uint256 end;
                    // The run starting at x: its level and where it ends (x < end <= width, so in bounds).
                    assembly ("memory-safe") {
                        let row := add(add(gray, 32), mul(y, width))
                        g := byte(0, mload(add(row, x)))
                        end := add(x, 1)
                        for {} and(lt(end, width), eq(byte(0, mload(add(row, end))), g)) {} {
                            end := add(end, 1)
                        }
                    }
                    // The level rides in the `next` field until the runs are linked.
                    if (g != 0) runs[count++] = x | (y << 64) | ((end - x) << 128) | (g << 192);
                    x = end;
                }
            }
            for (uint256 k = count; k > 0; --k) {
                uint256 run = runs[k - 1];
                uint256 g = run >> 192;
                runs[k - 1] = (run & ((1 << 192) - 1)) | (first[g] << 192);
                first[g] = k;
            }
        }
    }

    /// @dev Writes the first `length` bytes of `fragment` at `at` with one word store: the bytes after them
    /// are overwritten by the next fragment or lie in the buffer's slack. The caller keeps `at + 32` in bounds.
    function _put(bytes memory out, uint256 at, bytes32 fragment, uint256 length) private pure returns (uint256) {
        assembly ("memory-safe") {
            mstore(add(add(out, 32), at), fragment)
        }
        return at + length;
    }

    /// @dev `value` in decimal at `at`; returns the position after it. The caller keeps it in bounds.
    function _putUint(bytes memory out, uint256 at, uint256 value) private pure returns (uint256 end) {
        unchecked {
            end = at + 1;
            for (uint256 v = value; v >= 10; v /= 10) ++end;
        }
        assembly ("memory-safe") {
            let p := add(add(out, 32), end)
            for {
                let v := value
            } 1 {} {
                p := sub(p, 1)
                mstore8(p, add(48, mod(v, 10)))
                v := div(v, 10)
                if iszero(v) {
                    break
                }
            }
        }
    }

    /// @dev `rrggbb` for gray level `g` (the same two hex digits three times), left-aligned.
    function _grayHex(uint256 g) private pure returns (bytes32) {
        bytes16 hexDigits = "0123456789abcdef";
        bytes2 pair = bytes2(bytes.concat(hexDigits[g >> 4], hexDigits[g & 15]));
        return bytes32(bytes.concat(pair, pair, pair));
    }
}
