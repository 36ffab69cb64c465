// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721Utils} from "@openzeppelin/contracts/token/ERC721/utils/ERC721Utils.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {IERC7007, IERC7007Enumerable} from "./interfaces/IERC7007.sol";
import {IZkmlModel} from "./interfaces/IZkmlModel.sol";
import {AigcDataAlreadyAdded, InvalidAigcDataEncoding, InvalidProof, InvalidProofEncoding, PromptAlreadyMinted, UnsupportedScaleBits} from "./utils/Errors.sol";
import {PromptCommitments} from "./utils/PromptCommitments.sol";

/**
 * @title AigcCollection
 * @notice An ERC-7007 collection of AI-generated content: a token exists only for an output the model really
 * computed from its prompt, proven with a Groth16 proof of the model's circuit and checked on-chain at mint.
 * The model is an {IZkmlModel} adapter such as {ZkmlModel} (its verifier, its `modelHash` commitment and its
 * public-signal layout), fixed at deployment.
 *
 * Encodings (standard ABI, exactly as `abi.encode` produces them; any other byte string is rejected, so
 * one prompt has one encoding and therefore one token id):
 *
 * - `prompt` = `abi.encode(int256[] inputs)`: the model's quantized inputs, `inputCount` of them.
 * - `aigcData` = `abi.encode(int256[] outputs)`: the model's quantized outputs, `outputCount` of them.
 *   Values are signed fixed-point integers at scale 2^scaleBits (the manifest's quantization: 0.5 is 2048
 *   at scale 2^12).
 * - `proof` = `abi.encode(uint256[2] a, uint256[2][2] b, uint256[2] c, address recipient)`: the Groth16
 *   proof as snarkjs's calldata export gives it, followed by the recipient the proof is bound to.
 *
 * The contract states what a proof must show (these outputs from these inputs, bound to the recipient)
 * and its {IZkmlModel} adapter packs them into the model's public signals. The model's inputs and outputs
 * must be public (its `visibility` default). The model's proofs are bound to a recipient (`bind: ["recipient"]`), so a proof seen in the mempool mints
 * only to the account it was made for: submitting it for another `to` reverts with {RecipientMismatch},
 * and rewriting its recipient makes it fail verification ({InvalidProof}).
 *
 * A mint reveals a commitment that its sender made in an earlier block ({PromptCommitments}), so someone
 * who sees a pending mint and proves its prompt afresh for himself cannot mint it first. Any account may
 * commit and mint for a recipient (e.g. a relayer); the token always goes to the proof's recipient.
 *
 * The `proof` bytes carry the recipient so that `verify(prompt, aigcData, proof)` is self-contained: it
 * holds for exactly the bytes emitted in {AigcData}, whoever owns the token since.
 *
 * Token ids are `uint256(keccak256(prompt))`, so a prompt mints once. AIGC data is attached only by
 * {mintWithProof}, together with its proof, and never replaced; {addAigcData} therefore always reverts.
 */
contract AigcCollection is ERC721, IERC7007Enumerable, PromptCommitments {
    using SafeCast for int256;

    /// @dev A token's prompt and outputs, packed four values per storage slot.
    struct Generation {
        int64[] prompt;
        int64[] aigcData;
    }

    /// @dev `abi.encode(uint256[2], uint256[2][2], uint256[2], address)`: nine words.
    uint256 private constant _PROOF_LENGTH = 9 * 32;
    /// @dev Above this the exact decimal rendering of a value in {tokenURI} would overflow.
    uint8 private constant _MAX_SCALE_BITS = 64;
    /// @dev Side of the rendered image in pixels.
    uint256 private constant _IMAGE_SIZE = 320;

    /// @notice The model whose proofs this collection accepts.
    IZkmlModel public immutable model;
    uint256 private immutable _inputCount;
    uint256 private immutable _outputCount;
    uint8 private immutable _scaleBits;

    mapping(uint256 tokenId => Generation) private _generations;

    /// @notice The model's proofs are not bound to exactly one value (the recipient).
    error ModelNotRecipientBound(uint256 bindingCount);
    /// @notice The model keeps its inputs or outputs private, so they cannot be minted as a prompt and content.
    error ModelValuesNotPublic();
    /// @notice `prompt` is not `abi.encode(int256[])` of `inputCount` values.
    error InvalidPromptEncoding(uint256 expectedInputs);
    /// @notice The proof is bound to `recipient`, not to the requested `to`.
    error RecipientMismatch(address recipient, address to);

    /**
     * @param model_ An {IZkmlModel} adapter whose only binding is the recipient (`bind: ["recipient"]`).
     * @param name_ The ERC-721 collection name.
     * @param symbol_ The ERC-721 collection symbol.
     * @param minRevealDelay_ Blocks between a prompt's commitment and its mint, at least 1 ({PromptCommitments}).
     */
    constructor(
        IZkmlModel model_,
        string memory name_,
        string memory symbol_,
        uint256 minRevealDelay_
    ) ERC721(name_, symbol_) PromptCommitments(minRevealDelay_) {
        uint256 bindings = model_.bindingCount();
        if (bindings != 1) revert ModelNotRecipientBound(bindings);
        if (!model_.valuesArePublic()) revert ModelValuesNotPublic();
        uint8 scaleBits = model_.scaleBits();
        if (scaleBits > _MAX_SCALE_BITS) revert UnsupportedScaleBits(scaleBits);
        model = model_;
        _inputCount = model_.inputCount();
        _outputCount = model_.outputCount();
        _scaleBits = scaleBits;
    }

    /**
     * @notice Mints the token of `prompt` to `to`, with `aigcData` as its content, if `proof` proves that the
     * model computes `aigcData` from `prompt` and was made for recipient `to`, and if the sender committed to
     * this mint with `salt` at least {minRevealDelay} blocks ago ({commitPrompt}).
     * @dev See the contract documentation for the encodings. Reverts with {PromptAlreadyMinted} for a minted prompt,
     * {InvalidPromptEncoding}, {InvalidAigcDataEncoding} (the output count) or {InvalidProofEncoding} for malformed
     * bytes, {RecipientMismatch} for a proof bound to another recipient, and {InvalidProof} when the proof does not
     * verify for this model, prompt, AIGC data and recipient. Uses up the commitment (reverts with {NoCommitment}
     * or {CommitmentTooRecent} without one) before any external call. Emits {PromptRevealed}, {Transfer} and
     * {AigcData}. Like `_safeMint`, calls {IERC721Receiver-onERC721Received} when `to` is a contract, after all
     * state changes.
     * @return tokenId_ `uint256(keccak256(prompt_))`.
     */
    function mintWithProof(
        address to,
        bytes calldata prompt_,
        bytes calldata aigcData_,
        bytes calldata proof,
        bytes32 salt
    ) external returns (uint256 tokenId_) {
        tokenId_ = uint256(keccak256(prompt_));
        if (_ownerOf(tokenId_) != address(0)) revert PromptAlreadyMinted(tokenId_);
        _revealCommitment(bytes32(tokenId_), to, salt);
        (int256[] memory inputs, int256[] memory outputs) = _requireProvenFor(to, prompt_, aigcData_, proof);

        Generation storage generation = _generations[tokenId_];
        generation.prompt = _pack(inputs);
        generation.aigcData = _pack(outputs);
        _mint(to, tokenId_);
        emit AigcData(tokenId_, prompt_, aigcData_, proof);

        ERC721Utils.checkOnERC721Received(_msgSender(), address(0), to, tokenId_, "");
    }

    /**
     * @notice Always reverts: AIGC data is attached only by {mintWithProof}, in the transaction that verifies
     * its proof, and a token's data is never replaced, so no unproven data can ever be attached.
     * @dev Reverts with {ERC721NonexistentToken} for a token that does not exist, else {AigcDataAlreadyAdded}.
     * Declared `view` (stricter than the interface's non-payable, which overriding allows) because it never
     * changes state; the selector, and so ERC-7007 callers, are unaffected.
     */
    function addAigcData(uint256 tokenId_, bytes calldata, bytes calldata, bytes calldata) external view {
        _requireOwned(tokenId_);
        revert AigcDataAlreadyAdded(tokenId_);
    }

    /**
     * @notice Whether `proof` proves that the model computes `aigcData_` from `prompt_`, for the recipient
     * carried in `proof` (the account the token was minted to: a later owner does not change it).
     * @dev Reverts on malformed encodings or out-of-range values (see the errors), so a caller can tell a bad
     * request from a false statement. Does not require the token to exist.
     */
    function verify(bytes calldata prompt_, bytes calldata aigcData_, bytes calldata proof) external view returns (bool success) {
        (int256[] memory inputs, int256[] memory outputs, IZkmlModel.Proof memory zkProof, address recipient) = _decode(
            prompt_,
            aigcData_,
            proof
        );
        return model.verifyStatement(zkProof, _statement(inputs, outputs, recipient));
    }

    /// @notice The token id of `prompt_`, which must have been minted.
    function tokenId(bytes calldata prompt_) external view returns (uint256 tokenId_) {
        tokenId_ = uint256(keccak256(prompt_));
        _requireOwned(tokenId_);
    }

    /// @notice The prompt of `tokenId_`: `abi.encode(int256[] inputs)`, the bytes it was minted with.
    function prompt(uint256 tokenId_) external view returns (bytes memory) {
        _requireOwned(tokenId_);
        return _encode(_generations[tokenId_].prompt);
    }

    /// @notice The AIGC data of `tokenId_`: `abi.encode(int256[] outputs)`, the bytes it was minted with.
    function aigcData(uint256 tokenId_) external view returns (bytes memory) {
        _requireOwned(tokenId_);
        return _encode(_generations[tokenId_].aigcData);
    }

    /**
     * @notice On-chain metadata: `data:application/json;base64,` JSON with the ERC-7007 metadata fields
     * (`name`, `description`, `image`, `prompt`, `aigc_type`, `aigc_data`, `proof_type`), the prompt and
     * output values as exact decimals (`prompt_values`, `output_values`), `scale_bits`, the model commitment
     * `model_hash` and the `model` adapter address. `image` (and `aigc_data`) is an SVG rendering the outputs
     * as grayscale squares, row by row on the smallest square grid that holds them, each clamped to [0, 1].
     */
    function tokenURI(uint256 tokenId_) public view override returns (string memory) {
        _requireOwned(tokenId_);
        Generation storage generation = _generations[tokenId_];
        string memory image = string.concat("data:image/svg+xml;base64,", Base64.encode(bytes(_svg(generation.aigcData))));
        string memory promptValues = _decimals(generation.prompt);
        string memory head = string.concat(
            '{"name":"',
            Strings.escapeJSON(name()),
            " #",
            Strings.toHexString(tokenId_ >> 224, 4),
            '","description":"An image that the committed model (model_hash) computed from this token\'s prompt, minted only with a zero-knowledge proof of that inference (ERC-7007).","image":"',
            image,
            '","prompt":"',
            promptValues,
            '","aigc_type":"image","aigc_data":"',
            image,
            '","proof_type":"validity"'
        );
        string memory tail = string.concat(
            ',"prompt_values":',
            promptValues,
            ',"output_values":',
            _decimals(generation.aigcData),
            ',"scale_bits":',
            Strings.toString(_scaleBits),
            ',"model_hash":"',
            Strings.toHexString(uint256(model.modelHash()), 32),
            '","model":"',
            Strings.toHexString(address(model)),
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

    // ---- encodings ----

    /**
     * @dev The decoded prompt and outputs, if `proof` is bound to `to` and proves them. The public signals
     * are built with `to` itself, so the binding does not rest on the equality check alone.
     */
    function _requireProvenFor(
        address to,
        bytes calldata prompt_,
        bytes calldata aigcData_,
        bytes calldata proof
    ) private view returns (int256[] memory inputs, int256[] memory outputs) {
        IZkmlModel.Proof memory zkProof;
        address recipient;
        (inputs, outputs, zkProof, recipient) = _decode(prompt_, aigcData_, proof);
        if (recipient != to) revert RecipientMismatch(recipient, to);
        _requireProof(zkProof, _statement(inputs, outputs, to));
    }

    /// @dev A separate frame keeps the statement off the decoder's stack.
    function _requireProof(IZkmlModel.Proof memory zkProof, IZkmlModel.Statement memory s) private view {
        if (!model.verifyStatement(zkProof, s)) revert InvalidProof();
    }

    /// @dev Decodes the three ERC-7007 byte strings, rejecting anything but their canonical ABI encoding.
    function _decode(
        bytes calldata prompt_,
        bytes calldata aigcData_,
        bytes calldata proof
    ) private view returns (int256[] memory inputs, int256[] memory outputs, IZkmlModel.Proof memory zkProof, address recipient) {
        if (!_isIntArray(prompt_, _inputCount)) revert InvalidPromptEncoding(_inputCount);
        if (!_isIntArray(aigcData_, _outputCount)) revert InvalidAigcDataEncoding(_outputCount);
        // The last word is the recipient: an address, so its upper 96 bits must be zero.
        if (proof.length != _PROOF_LENGTH || uint256(bytes32(proof[_PROOF_LENGTH - 32:])) >> 160 != 0) {
            revert InvalidProofEncoding();
        }
        inputs = abi.decode(prompt_, (int256[]));
        outputs = abi.decode(aigcData_, (int256[]));
        (zkProof.a, zkProof.b, zkProof.c, recipient) = abi.decode(proof, (uint256[2], uint256[2][2], uint256[2], address));
    }

    /// @dev Whether `data` is exactly `abi.encode(int256[])` of `count` values: offset 32, length `count`, no trailing bytes.
    function _isIntArray(bytes calldata data, uint256 count) private pure returns (bool) {
        return
            data.length == 64 + 32 * count &&
            uint256(bytes32(data[0:32])) == 32 &&
            uint256(bytes32(data[32:64])) == count;
    }

    /// @dev What a mint's proof must show: these outputs from these inputs, bound to the recipient.
    function _statement(
        int256[] memory inputs,
        int256[] memory outputs,
        address recipient
    ) private pure returns (IZkmlModel.Statement memory s) {
        s.outputs = outputs;
        s.inputs = inputs;
        s.bindings = new uint256[](1);
        s.bindings[0] = uint160(recipient);
    }

    /// @dev Values as int64 for packed storage; a value outside int64 reverts with {SafeCast-SafeCastOverflowedIntDowncast}.
    function _pack(int256[] memory values) private pure returns (int64[] memory packed) {
        packed = new int64[](values.length);
        for (uint256 i = 0; i < values.length; ++i) packed[i] = values[i].toInt64();
    }

    /// @dev The canonical `abi.encode(int256[])` of stored values: the bytes they were minted from.
    function _encode(int64[] storage packed) private view returns (bytes memory) {
        int256[] memory values = new int256[](packed.length);
        for (uint256 i = 0; i < values.length; ++i) values[i] = packed[i];
        return abi.encode(values);
    }

    // ---- metadata rendering ----

    /// @dev `[v0,v1,...]` with each fixed-point value as an exact decimal.
    function _decimals(int64[] storage values) private view returns (string memory out) {
        out = "[";
        for (uint256 i = 0; i < values.length; ++i) {
            out = string.concat(out, i == 0 ? "" : ",", _decimal(values[i]));
        }
        out = string.concat(out, "]");
    }

    /// @dev `value / 2^scaleBits` as an exact decimal: k / 2^s = k * 5^s / 10^s has at most s fraction digits.
    function _decimal(int256 value) private view returns (string memory) {
        uint256 s = _scaleBits;
        uint256 magnitude = SignedMath.abs(value);
        string memory whole = string.concat(value < 0 ? "-" : "", Strings.toString(magnitude >> s));
        uint256 digits = (magnitude & ((1 << s) - 1)) * 5 ** s;
        if (digits == 0) return whole;
        uint256 length = s;
        while (digits % 10 == 0) {
            digits /= 10;
            --length;
        }
        bytes memory fraction = new bytes(length);
        for (uint256 i = length; i > 0; --i) {
            fraction[i - 1] = bytes1(uint8(48 + (digits % 10)));
            digits /= 10;
        }
        return string.concat(whole, ".", string(fraction));
    }

    /// @dev The outputs as grayscale squares (0 black, 1 white, clamped), row by row on a `side` x `side` grid.
    function _svg(int64[] storage pixels) private view returns (string memory) {
        uint256 n = pixels.length;
        uint256 side = Math.sqrt(n, Math.Rounding.Ceil);
        uint256 rows = Math.ceilDiv(n, side);
        uint256 one = 1 << _scaleBits;
        string memory rects;
        for (uint256 i = 0; i < n; ++i) {
            int256 v = pixels[i];
            uint256 clamped = v <= 0 ? 0 : Math.min(uint256(v), one);
            string memory g = Strings.toString((clamped * 255 + one / 2) / one);
            rects = string.concat(
                rects,
                '<rect x="',
                Strings.toString(i % side),
                '" y="',
                Strings.toString(i / side),
                '" width="1" height="1" fill="rgb(',
                string.concat(g, ",", g, ",", g),
                ')"/>'
            );
        }
        return
            string.concat(
                '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ',
                Strings.toString(side),
                " ",
                Strings.toString(rows),
                '" width="',
                Strings.toString(_IMAGE_SIZE),
                '" height="',
                Strings.toString((_IMAGE_SIZE * rows) / side),
                '" shape-rendering="crispEdges">',
                rects,
                "</svg>"
            );
    }
}
