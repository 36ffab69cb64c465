// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721Utils} from "@openzeppelin/contracts/token/ERC721/utils/ERC721Utils.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IERC7007, IERC7007Enumerable} from "./interfaces/IERC7007.sol";
import {IProvenImageVerifier} from "./interfaces/IProvenImageVerifier.sol";
import {BN254_SCALAR_FIELD} from "./utils/Bn254.sol";
import {CodeStore} from "./utils/CodeStore.sol";
import {AigcDataAlreadyAdded, InvalidAigcDataEncoding, InvalidProof, InvalidProofEncoding, NoVerifierCode, PromptAlreadyMinted, UnsupportedScaleBits} from "./utils/Errors.sol";
import {PromptCommitments} from "./utils/PromptCommitments.sol";
import {GraySvg} from "./utils/GraySvg.sol";
import {Utf8} from "./utils/Utf8.sol";

/**
 * @title ProvenImageCollection
 * @notice An ERC-7007 collection of images drawn by a generator model (a GAN: latent noise in, a grayscale
 * image out) from a text prompt: a token exists only for the image the committed model really computes
 * from its prompt, proven with a Groth16 proof checked at mint. The image is stored on-chain, as the code
 * of a data contract created at mint ({CodeStore}), which costs about a third of the gas of storage slots.
 *
 * The statement. A proof has three public signals, `[S, seed, r]`, all modulo the BN254 scalar field p:
 *
 * - `seed = uint256(keccak256(prompt)) >> 8`. The circuit expands the seed into the model's latent input
 *   itself (Poseidon), so the latent is a function of the prompt that no one chooses.
 * - The image is `width * height` quantized values (signed, at scale 2^scaleBits), packed as the
 *   project packs public values: each as the `bits`-bit offset-binary digit `v + 2^(bits-1)`,
 *   `perWord = floor(253 / bits)` digits per word, little-endian. These `words` are submitted in clear.
 * - `r = uint256(keccak256(abi.encodePacked(words, bytes32(uint256(uint160(to)))))) mod p`: a challenge
 *   derived from the submitted words and the recipient.
 * - `S = sum_{j<n} words[j] * r^(j+1) mod p`: the words' fingerprint at r. The circuit computes it from
 *   the words it derives from the seed, with r as an input.
 *
 * Three signals keep verification cost flat however large the image. Soundness: the circuit fixes the
 * true words W from the public seed; r is a hash of the submitted words W', so it is fixed only after W'
 * is. If W' != W, S matches only when r is a root of the nonzero polynomial sum (W'_j - W_j) x^(j+1) of
 * degree n, which has at most n roots: probability n/p per attempt (keccak as a random oracle). This needs
 * W' and W to differ modulo p, so every submitted word must be canonical: below 2^(bits * digits in the
 * word) <= 2^253 < p (the last word holds only the remaining digits).
 *
 * The recipient enters r, so a proof seen in the mempool mints only to the account it was made for: for
 * another `to`, r changes and the proof fails ({InvalidProof}).
 *
 * A mint reveals a commitment that its sender made in an earlier block ({PromptCommitments}), so someone
 * who sees a pending mint and proves its prompt afresh for himself cannot mint it first. Any account may
 * commit and mint for a recipient (e.g. a relayer); the token always goes to the proof's recipient.
 *
 * ERC-7007 encodings (canonical `abi.encode`; other byte strings are rejected):
 * - `prompt`: arbitrary bytes (normally UTF-8 text). Token id `uint256(keccak256(prompt))`: a prompt mints once.
 * - `aigcData` = `abi.encode(uint256[] words)`.
 * - `proof` = `abi.encode(uint256[2] a, uint256[2][2] b, uint256[2] c, address recipient)`, as emitted in
 *   {AigcData}, so {verify} holds for the emitted bytes whoever owns the token since.
 * AIGC data is attached only by {mintWithProof}, with its proof, and never replaced: {addAigcData} reverts.
 */
contract ProvenImageCollection is ERC721, IERC7007Enumerable, PromptCommitments {
    /// @notice The BN254 scalar field modulus: the proof's arithmetic is modulo it.
    uint256 public constant FIELD_MODULUS = BN254_SCALAR_FIELD;

    /// @notice A Groth16 proof in the form snarkjs's calldata export gives it.
    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /**
     * @dev A token's prompt, and the data contract whose code holds its image: the packed words as
     * `abi.encodePacked(words)`, exactly as minted (see {CodeStore}). The address takes one slot of its own:
     * the only other field, the prompt, is dynamic and always starts a new slot.
     */
    struct Generation {
        bytes prompt;
        address wordStore;
    }

    /// @dev A packed word holds at most 253 bits, below the field modulus.
    uint256 private constant _WORD_BITS = 253;
    /// @dev Beyond this the gray-level arithmetic could overflow; real models use 8..16.
    uint8 private constant _MAX_SCALE_BITS = 64;
    /// @dev `abi.encode(uint256[2], uint256[2][2], uint256[2])`: eight words; with the recipient, nine.
    uint256 private constant _MINT_PROOF_LENGTH = 8 * 32;
    uint256 private constant _PROOF_LENGTH = 9 * 32;
    /// @dev Width of the rendered image in SVG user units.
    uint256 private constant _DISPLAY_WIDTH = 320;

    /// @notice The circuit's verifier.
    IProvenImageVerifier public immutable verifier;
    /// @notice The model's identity (the manifest's `modelHash`), shown in the metadata.
    bytes32 public immutable modelHash;
    /// @notice Image size in pixels: the model's outputs, row by row.
    uint256 public immutable width;
    uint256 public immutable height;
    /// @notice Width of each packed pixel digit.
    uint8 public immutable bits;
    /// @notice Fixed-point fraction bits of the pixel values (1.0 = white is 2^scaleBits).
    uint8 public immutable scaleBits;
    /// @notice Pixel digits per packed word: floor(253 / bits).
    uint256 public immutable perWord;
    /// @notice Packed words per image: ceil(width * height / perWord).
    uint256 public immutable wordCount;
    /// @dev Exclusive bounds of a canonical word: a full one, and the last one (only its digits).
    uint256 private immutable _wordBound;
    uint256 private immutable _lastWordBound;

    mapping(uint256 tokenId => Generation) private _generations;

    /// @notice The image must have at least one pixel.
    error InvalidImageSize(uint256 width, uint256 height);
    /// @notice Digits must be 1..253 bits wide to pack.
    error InvalidDigitBits(uint8 bits);
    /// @notice The image is not `expected` packed words.
    error WrongWordCount(uint256 expected, uint256 actual);
    /// @notice Word `index` is not canonical: it has bits above its digits (and so could alias another image mod p).
    error WordOutOfRange(uint256 index, uint256 word);

    /**
     * @param verifier_ The circuit's generated Groth16 verifier (three public signals: S, seed, r).
     * @param modelHash_ The model's identity, from its manifest.
     * @param width_ Image width in pixels.
     * @param height_ Image height in pixels.
     * @param bits_ Width of each packed pixel digit (the manifest's output packing bits).
     * @param scaleBits_ Fixed-point fraction bits of the pixel values.
     * @param name_ The ERC-721 collection name.
     * @param symbol_ The ERC-721 collection symbol.
     * @param minRevealDelay_ Blocks between a prompt's commitment and its mint, at least 1 ({PromptCommitments}).
     */
    constructor(
        IProvenImageVerifier verifier_,
        bytes32 modelHash_,
        uint256 width_,
        uint256 height_,
        uint8 bits_,
        uint8 scaleBits_,
        string memory name_,
        string memory symbol_,
        uint256 minRevealDelay_
    ) ERC721(name_, symbol_) PromptCommitments(minRevealDelay_) {
        if (address(verifier_).code.length == 0) revert NoVerifierCode(address(verifier_));
        if (width_ == 0 || height_ == 0) revert InvalidImageSize(width_, height_);
        if (bits_ == 0 || bits_ > _WORD_BITS) revert InvalidDigitBits(bits_);
        if (scaleBits_ > _MAX_SCALE_BITS) revert UnsupportedScaleBits(scaleBits_);
        verifier = verifier_;
        modelHash = modelHash_;
        width = width_;
        height = height_;
        bits = bits_;
        scaleBits = scaleBits_;
        uint256 pixels = width_ * height_;
        uint256 digits = _WORD_BITS / bits_;
        uint256 words_ = (pixels + digits - 1) / digits;
        perWord = digits;
        wordCount = words_;
        _wordBound = uint256(1) << (bits_ * digits);
        _lastWordBound = uint256(1) << (bits_ * (pixels - (words_ - 1) * digits));
    }

    /**
     * @notice Mints the token of `prompt_` to `to`, with the image `words` as its content, if `proof` proves
     * that the model computes `words` from `prompt_`'s seed and was made for recipient `to`, and if the sender
     * committed to this mint with `salt` at least {minRevealDelay} blocks ago ({commitPrompt}).
     * @dev `proof` = `abi.encode(uint256[2] a, uint256[2][2] b, uint256[2] c)`; other bytes revert with
     * {InvalidProofEncoding}. Reverts with {PromptAlreadyMinted} for a minted prompt, {WrongWordCount} or
     * {WordOutOfRange} for an image that is not canonically packed, and {InvalidProof} when the proof does not
     * verify for this prompt, image and recipient. Uses up the commitment (reverts
     * with {NoCommitment} or {CommitmentTooRecent} without one) before any external call. Emits
     * {PromptRevealed}, {Transfer} and {AigcData} (with `aigcData = abi.encode(words)` and the proof followed
     * by `to`). Like `_safeMint`, calls {IERC721Receiver-onERC721Received} when `to` is a contract, after all
     * state changes.
     * @return tokenId_ `uint256(keccak256(prompt_))`.
     */
    function mintWithProof(
        address to,
        bytes calldata prompt_,
        uint256[] calldata words_,
        bytes calldata proof,
        bytes32 salt
    ) external returns (uint256 tokenId_) {
        tokenId_ = uint256(keccak256(prompt_));
        if (_ownerOf(tokenId_) != address(0)) revert PromptAlreadyMinted(tokenId_);
        _revealCommitment(bytes32(tokenId_), to, salt);
        // Any 256 bytes are the canonical encoding of the proof's eight static words.
        if (proof.length != _MINT_PROOF_LENGTH) revert InvalidProofEncoding();
        if (!_verifies(abi.decode(proof, (Proof)), publicSignals(prompt_, words_, to))) revert InvalidProof();

        Generation storage generation = _generations[tokenId_];
        generation.prompt = prompt_;
        // An effect like the storage writes around it: the CREATE runs only CodeStore's init code, at a
        // fresh address, so no untrusted code runs before the receiver check below.
        generation.wordStore = CodeStore.write(abi.encodePacked(words_));
        _mint(to, tokenId_);
        // The ERC-7007 proof is the mint's proof followed by the recipient: `abi.encode(a, b, c, to)`.
        emit AigcData(tokenId_, prompt_, abi.encode(words_), bytes.concat(proof, bytes32(uint256(uint160(to)))));

        ERC721Utils.checkOnERC721Received(_msgSender(), address(0), to, tokenId_, "");
    }

    /**
     * @notice Always reverts: AIGC data is attached only by {mintWithProof}, in the transaction that verifies
     * its proof, and never replaced.
     * @dev Reverts with {ERC721NonexistentToken} for a token that does not exist, else {AigcDataAlreadyAdded}.
     * Declared `view` (stricter than the interface allows) because it never changes state.
     */
    function addAigcData(uint256 tokenId_, bytes calldata, bytes calldata, bytes calldata) external view {
        _requireOwned(tokenId_);
        revert AigcDataAlreadyAdded(tokenId_);
    }

    /**
     * @notice Whether `proof` proves that the model computes the image `aigcData_` from `prompt_`, for the
     * recipient carried in `proof` (the account the token was minted to).
     * @dev Reverts on malformed encodings ({InvalidAigcDataEncoding} with the word count, {InvalidProofEncoding}:
     * `proof` must be the mint's proof followed by an `address`) or non-canonical words, so a caller can tell a
     * bad request from a false statement. Does not require the token to exist.
     */
    function verify(bytes calldata prompt_, bytes calldata aigcData_, bytes calldata proof) external view returns (bool success) {
        uint256 count = wordCount;
        if (
            aigcData_.length != 64 + 32 * count ||
            uint256(bytes32(aigcData_[0:32])) != 32 ||
            uint256(bytes32(aigcData_[32:64])) != count
        ) revert InvalidAigcDataEncoding(count);
        // The last word is the recipient: an address, so its upper 96 bits must be zero.
        if (proof.length != _PROOF_LENGTH || uint256(bytes32(proof[_PROOF_LENGTH - 32:])) >> 160 != 0) {
            revert InvalidProofEncoding();
        }
        uint256[] memory words_ = abi.decode(aigcData_, (uint256[]));
        (Proof memory zk, address recipient) = abi.decode(proof, (Proof, address));
        return _verifies(zk, publicSignals(prompt_, words_, recipient));
    }

    /**
     * @notice The public signals `[S, seed, r]` a proof must have to mint `words_` for `prompt_` to `to`.
     * @dev Reverts with {WrongWordCount} or {WordOutOfRange} for an image that is not canonically packed.
     */
    function publicSignals(bytes calldata prompt_, uint256[] memory words_, address to) public view returns (uint256[3] memory) {
        _requireCanonical(words_);
        uint256 seed = uint256(keccak256(prompt_)) >> 8;
        uint256 r = uint256(keccak256(abi.encodePacked(words_, bytes32(uint256(uint160(to)))))) % FIELD_MODULUS;
        // Horner's rule, innermost first: ((w_{n-1} r + w_{n-2}) r + ...) r = sum_j w_j r^(j+1).
        uint256 s = 0;
        for (uint256 j = words_.length; j > 0; --j) {
            s = mulmod(addmod(s, words_[j - 1], FIELD_MODULUS), r, FIELD_MODULUS);
        }
        return [s, seed, r];
    }

    /// @notice The token id of `prompt_`, which must have been minted.
    function tokenId(bytes calldata prompt_) external view returns (uint256 tokenId_) {
        tokenId_ = uint256(keccak256(prompt_));
        _requireOwned(tokenId_);
    }

    /// @notice The prompt `tokenId_` was minted with.
    function prompt(uint256 tokenId_) external view returns (bytes memory) {
        _requireOwned(tokenId_);
        return _generations[tokenId_].prompt;
    }

    /// @notice The packed image of `tokenId_`, as minted.
    function words(uint256 tokenId_) external view returns (uint256[] memory) {
        _requireOwned(tokenId_);
        return _words(tokenId_);
    }

    /// @notice The AIGC data of `tokenId_`: `abi.encode(uint256[] words)`, the bytes emitted in {AigcData}.
    function aigcData(uint256 tokenId_) external view returns (bytes memory) {
        _requireOwned(tokenId_);
        return abi.encode(_words(tokenId_));
    }

    /**
     * @notice The image of `tokenId_` as `width * height` gray levels, row by row: pixel value v (signed, at
     * scale 2^scaleBits) becomes `clamp(round(v * 255 / 2^scaleBits), 0, 255)`, halves rounded up.
     */
    function image(uint256 tokenId_) public view returns (bytes memory gray) {
        _requireOwned(tokenId_);
        uint256[] memory packed = _words(tokenId_);
        uint256 pixels = width * height;
        uint256 digits = perWord;
        uint256 b = bits;
        uint256 s = scaleBits;
        uint256 mask = (uint256(1) << b) - 1;
        uint256 half = uint256(1) << (b - 1);
        uint256 one = uint256(1) << s;
        gray = new bytes(pixels);
        // Unchecked: i < pixels <= wordCount * perWord, and v < one <= 2^64 before the multiplication, so
        // nothing overflows; checked indexing and arithmetic would cost several times the work per pixel.
        unchecked {
            for (uint256 i = 0; i < pixels; ++i) {
                uint256 digit = (packed[i / digits] >> ((i % digits) * b)) & mask;
                uint256 level;
                if (digit > half) {
                    uint256 v = digit - half;
                    level = v >= one ? 255 : (v * 255 + (one >> 1)) >> s;
                }
                assembly ("memory-safe") {
                    mstore8(add(add(gray, 32), i), level)
                }
            }
        }
    }

    /**
     * @notice On-chain metadata: `data:application/json;base64,` JSON with the ERC-7007 fields (`name`,
     * `description`, `image`, `prompt`, `aigc_type`, `aigc_data`, `proof_type`), `prompt_hex`, `seed`,
     * `width`, `height`, `model_hash` and `verifier`. `image` (and `aigc_data`) is an SVG of the image.
     * `prompt` is the prompt as text when it is valid UTF-8, else its hex (then equal to `prompt_hex`).
     */
    function tokenURI(uint256 tokenId_) public view override returns (string memory) {
        bytes memory gray = image(tokenId_); // reverts for a token that does not exist
        bytes memory text = _generations[tokenId_].prompt;
        string memory svg = string.concat(
            "data:image/svg+xml;base64,",
            Base64.encode(bytes(GraySvg.render(gray, width, height, _DISPLAY_WIDTH)))
        );
        string memory hex_ = Strings.toHexString(text);
        string memory head = string.concat(
            '{"name":"',
            Strings.escapeJSON(name()),
            " #",
            Strings.toHexString(tokenId_ >> 224, 4),
            '","description":"An image that the committed generator (model_hash) drew from this token\'s prompt, minted only with a zero-knowledge proof of that inference (ERC-7007).","image":"',
            svg,
            '","prompt":"',
            Utf8.isValid(text) ? Strings.escapeJSON(string(text)) : hex_,
            '","aigc_type":"image","aigc_data":"',
            svg,
            '","proof_type":"validity"'
        );
        string memory tail = string.concat(
            ',"prompt_hex":"',
            hex_,
            '","seed":"',
            Strings.toHexString(tokenId_ >> 8),
            '","width":',
            Strings.toString(width),
            ',"height":',
            Strings.toString(height),
            ',"model_hash":"',
            Strings.toHexString(uint256(modelHash), 32),
            '","verifier":"',
            Strings.toHexString(address(verifier)),
            '"}'
        );
        return string.concat("data:application/json;base64,", Base64.encode(bytes(string.concat(head, tail))));
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, IERC165) returns (bool) {
        return
            interfaceId == type(IERC7007).interfaceId ||
            interfaceId == type(IERC7007Enumerable).interfaceId ||
            super.supportsInterface(interfaceId);
    }

    // ---- internals ----

    /// @dev The word count, and every word below `2^(bits * its digits)`: canonical, and so below p.
    function _requireCanonical(uint256[] memory words_) private view {
        uint256 count = wordCount;
        if (words_.length != count) revert WrongWordCount(count, words_.length);
        for (uint256 i = 0; i < count; ++i) {
            uint256 bound = i == count - 1 ? _lastWordBound : _wordBound;
            if (words_[i] >= bound) revert WordOutOfRange(i, words_[i]);
        }
    }

    /// @dev The packed words of a minted token, read back from its data contract.
    function _words(uint256 tokenId_) private view returns (uint256[] memory) {
        return CodeStore.readWords(_generations[tokenId_].wordStore);
    }

    function _verifies(Proof memory zk, uint256[3] memory signals) private view returns (bool) {
        return verifier.verifyProof(zk.a, zk.b, zk.c, signals);
    }
}
