// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IAssetSwap
 * @notice The minimal swap venue {AiVault} trades through: exact-input swaps of one token of a pair for
 * the other. The vault computes its own expected output from the price feed and passes a minimum.
 */
interface IAssetSwap {
    /**
     * @notice Takes `amountIn` of `tokenIn` from the caller (which must have approved it) and sends the
     * other token of the pair to `to`.
     * @return amountOut The amount of the other token sent; reverts if it would be below `minAmountOut`.
     */
    function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut, address to) external returns (uint256 amountOut);
}
