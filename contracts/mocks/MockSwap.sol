// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20, IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IAssetSwap} from "../interfaces/IAssetSwap.sol";

/**
 * @title MockSwap
 * @notice Swaps a quote token (e.g. a stablecoin) and a base token (e.g. WETH) at the feed's latest price
 * (quote per base), with no fee, out of liquidity someone sent to it. For tests and dev networks only.
 */
contract MockSwap is IAssetSwap {
    using SafeERC20 for IERC20;

    AggregatorV3Interface public immutable feed;
    IERC20 public immutable quoteToken;
    IERC20 public immutable baseToken;
    uint256 private immutable _quoteUnit;
    uint256 private immutable _baseUnit;
    uint256 private immutable _feedUnit;

    event Swapped(address indexed sender, address indexed tokenIn, uint256 amountIn, uint256 amountOut, address indexed to);

    error UnsupportedToken(address token);
    error InvalidPrice(int256 answer);
    error InsufficientOutput(uint256 amountOut, uint256 minAmountOut);

    constructor(AggregatorV3Interface feed_, IERC20Metadata quoteToken_, IERC20Metadata baseToken_) {
        feed = feed_;
        quoteToken = quoteToken_;
        baseToken = baseToken_;
        _quoteUnit = 10 ** quoteToken_.decimals();
        _baseUnit = 10 ** baseToken_.decimals();
        _feedUnit = 10 ** feed_.decimals();
    }

    /// @notice The output of swapping `amountIn` of `tokenIn` at the feed's latest price (rounded down).
    function quote(address tokenIn, uint256 amountIn) public view returns (uint256) {
        (, int256 answer, , , ) = feed.latestRoundData();
        if (answer <= 0) revert InvalidPrice(answer);
        uint256 price = uint256(answer);
        if (tokenIn == address(quoteToken)) return Math.mulDiv(amountIn, _baseUnit * _feedUnit, price * _quoteUnit);
        if (tokenIn == address(baseToken)) return Math.mulDiv(amountIn, price * _quoteUnit, _baseUnit * _feedUnit);
        revert UnsupportedToken(tokenIn);
    }

    /// @inheritdoc IAssetSwap
    function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut, address to) external returns (uint256 amountOut) {
        amountOut = quote(tokenIn, amountIn);
        if (amountOut < minAmountOut) revert InsufficientOutput(amountOut, minAmountOut);
        IERC20 tokenOut = tokenIn == address(quoteToken) ? baseToken : quoteToken;
        emit Swapped(msg.sender, tokenIn, amountIn, amountOut, to);
        IERC20(tokenIn).safeTransferFrom(msg.sender, address(this), amountIn);
        tokenOut.safeTransfer(to, amountOut);
    }
}
