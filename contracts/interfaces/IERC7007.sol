// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";

/**
 * @title ERC-7007 Verifiable AI-Generated Content Token
 * @dev Required interface of an ERC-7007 compliant contract, as in the Final specification
 * (https://eips.ethereum.org/EIPS/eip-7007). The `tokenId` of an AIGC-NFT is indexed by its `prompt`.
 *
 * Note: the ERC-165 identifier for this interface is 0x702c55a6.
 */
interface IERC7007 is IERC165, IERC721 {
    /**
     * @dev Emitted when `tokenId` token's AIGC data is added.
     */
    event AigcData(uint256 indexed tokenId, bytes indexed prompt, bytes indexed aigcData, bytes proof);

    /**
     * @dev Add AIGC data to token at `tokenId` given `prompt`, `aigcData`, and `proof`.
     */
    function addAigcData(uint256 tokenId, bytes calldata prompt, bytes calldata aigcData, bytes calldata proof) external;

    /**
     * @dev Verify the `prompt`, `aigcData`, and `proof`.
     */
    function verify(bytes calldata prompt, bytes calldata aigcData, bytes calldata proof) external view returns (bool success);
}

/**
 * @title ERC-7007 Token Standard, optional enumeration extension
 * @dev Publishes the mapping between `tokenId` and `prompt`.
 *
 * The specification declares `prompt` as returning `string`; prompts are `bytes` everywhere else in ERC-7007,
 * so this interface returns `bytes`. A function's return type is not part of its selector, so the ERC-165
 * identifier is the specification's.
 *
 * Note: the ERC-165 identifier for this interface is 0xfa1a557a.
 */
interface IERC7007Enumerable is IERC7007 {
    /**
     * @dev Returns the token ID given `prompt`.
     */
    function tokenId(bytes calldata prompt) external view returns (uint256);

    /**
     * @dev Returns the prompt given `tokenId`.
     */
    function prompt(uint256 tokenId) external view returns (bytes memory);
}
