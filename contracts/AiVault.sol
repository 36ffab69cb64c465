// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20, IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {AggregatorV3Interface} from "./interfaces/AggregatorV3Interface.sol";
import {IAssetSwap} from "./interfaces/IAssetSwap.sol";
import {IZkmlModel} from "./interfaces/IZkmlModel.sol";
import {InvalidProof} from "./utils/Errors.sol";

/**
 * @title AiVault
 * @notice An ERC-4626 vault over a stablecoin (the `asset`) that also holds a risk asset, and moves funds
 * between the two only on a zero-knowledge-proven prediction of a price-forecasting model.
 *
 * The model (`price_forecaster`) maps the feed's last {WINDOW} prices to the next one. Its inputs are never
 * taken from the caller: {rebalance} reads them from the feed and converts each answer to the model's
 * fixed-point input with integer math (see {currentModelInputs}). The caller supplies only the predicted
 * price and a Groth16 proof that the model computes it from exactly those inputs. The public signals the
 * vault checks are `[toField(prediction), q_0, ..., q_7, epoch]`, the manifest's layout (outputs, inputs,
 * bindings), with `q_0` the oldest round and `q_7` the latest.
 *
 * - Freshness: the latest round must have been updated within {maxAge} seconds.
 * - Replay: the model binds every proof to an `epoch`, which must equal the vault's {epoch}; each step
 *   increments it, so a proof is good for one step at most. (The proof bytes are never used as a nullifier:
 *   Groth16 proofs are malleable.) A proof made before a new round is pushed no longer matches the inputs.
 * - Action: if the prediction is at least {Strategy-thresholdBps} above the latest price, {Strategy-tradeBps}
 *   of the idle stablecoin is swapped into the risk asset; if at least that much below, that fraction of
 *   the risk asset is swapped back; otherwise the vault holds. Every step emits {Rebalanced}.
 *
 * Anyone may submit a step: the feed and the model alone decide the action; a caller only chooses when.
 *
 * Prices: the feed quotes the risk asset in stablecoin units (e.g. USD per ETH), and the stablecoin is
 * taken to be worth one quote unit. The model's prices are in thousands of quote units ({PRICE_UNIT}).
 */
contract AiVault is ERC4626, Ownable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice What a step did.
    enum Direction {
        Hold,
        Buy,
        Sell
    }

    /**
     * @notice The strategy's settings.
     * @param maxAge Seconds after which the latest round is too old to act on (or to value the risk asset).
     * @param thresholdBps The predicted move, in basis points of the latest price, that triggers a trade.
     * @param tradeBps The fraction of the balance sold in one step, in basis points.
     * @param maxSlippageBps How far below the feed price a swap may fill, in basis points.
     */
    struct Strategy {
        uint64 maxAge;
        uint16 thresholdBps;
        uint16 tradeBps;
        uint16 maxSlippageBps;
    }

    /// @notice Number of feed rounds the model reads: its input count.
    uint256 public constant WINDOW = 8;
    /// @notice The model's price unit, in quote units: its inputs and output are prices in thousands.
    uint256 public constant PRICE_UNIT = 1000;
    uint256 private constant BPS = 10_000;

    /// @notice The forecaster: its verifier, identity and public-signal layout.
    IZkmlModel public immutable model;
    /// @notice The price of {riskAsset} in {asset} units, Chainlink-style.
    AggregatorV3Interface public immutable feed;
    /// @notice The second asset the vault holds.
    IERC20 public immutable riskAsset;
    /// @notice Where the vault trades.
    IAssetSwap public immutable swapper;

    /// @dev 2^scaleBits: the model's fixed-point scale.
    uint256 private immutable _scale;
    /// @dev Feed answer units per model unit: PRICE_UNIT * 10^feed.decimals().
    uint256 private immutable _modelUnit;
    /// @dev 10^feed.decimals().
    uint256 private immutable _feedUnit;
    uint256 private immutable _assetUnit;
    uint256 private immutable _riskUnit;

    /// @notice The binding the next proof must carry; incremented by every step.
    uint256 public epoch;
    Strategy private _strategy;

    /// @notice A proven step ran: `predictedPrice` and `currentPrice` are in feed units (the prediction
    /// converted from the model's fixed point, rounded toward zero).
    event Rebalanced(
        uint256 indexed epoch,
        int256 predictedPrice,
        uint256 currentPrice,
        Direction indexed direction,
        uint256 amountIn,
        uint256 amountOut
    );
    /// @notice The strategy's settings are now these (emitted at deployment and by {setStrategy}).
    event StrategyUpdated(uint64 maxAge, uint16 thresholdBps, uint16 tradeBps, uint16 maxSlippageBps);

    /// @notice The model does not have one output, {WINDOW} inputs and one binding (the epoch).
    error InvalidModelLayout(uint256 outputs, uint256 inputs, uint256 bindings);
    /// @notice A strategy setting is out of range: `maxAge` is 0, or a basis-point setting is 100% or more
    /// (`tradeBps` may be 100%).
    error InvalidStrategy();
    /// @notice The risk asset is the vault's own asset.
    error InvalidRiskAsset(address riskAsset);
    /// @notice The feed has fewer than {WINDOW} rounds before and including `latestRoundId`.
    error NotEnoughRounds(uint80 latestRoundId);
    /// @notice A feed answer is not a positive price.
    error InvalidPrice(uint80 roundId, int256 answer);
    /// @notice The latest round is older than {Strategy-maxAge}.
    error StalePrice(uint256 updatedAt, uint256 maxAge);
    /// @notice A swap returned `amountOut`, less than `minAmountOut` (the feed price less {Strategy-maxSlippageBps}).
    error SlippageExceeded(uint256 amountOut, uint256 minAmountOut);

    /**
     * @param asset_ The stablecoin the vault is denominated in.
     * @param riskAsset_ The asset the feed prices in `asset_` units.
     * @param feed_ The Chainlink-style feed pricing `riskAsset_` in `asset_` units.
     * @param swapper_ Where the vault trades.
     * @param model_ The forecaster's {IZkmlModel} adapter ({ZkmlModel}); its layout is checked here.
     * @param strategy_ The initial {Strategy}.
     * @param name_ The share token's name.
     * @param symbol_ The share token's symbol.
     * @param initialOwner The account that may change the strategy.
     */
    constructor(
        IERC20Metadata asset_,
        IERC20Metadata riskAsset_,
        AggregatorV3Interface feed_,
        IAssetSwap swapper_,
        IZkmlModel model_,
        Strategy memory strategy_,
        string memory name_,
        string memory symbol_,
        address initialOwner
    ) ERC4626(asset_) ERC20(name_, symbol_) Ownable(initialOwner) {
        if (address(riskAsset_) == address(asset_)) revert InvalidRiskAsset(address(riskAsset_));
        if (model_.outputCount() != 1 || model_.inputCount() != WINDOW || model_.bindingCount() != 1 || !model_.valuesArePublic()) {
            revert InvalidModelLayout(model_.outputCount(), model_.inputCount(), model_.bindingCount());
        }
        model = model_;
        feed = feed_;
        riskAsset = riskAsset_;
        swapper = swapper_;
        _scale = uint256(1) << model_.scaleBits();
        _feedUnit = 10 ** feed_.decimals();
        _modelUnit = PRICE_UNIT * _feedUnit;
        _assetUnit = 10 ** asset_.decimals();
        _riskUnit = 10 ** riskAsset_.decimals();
        _setStrategy(strategy_);
    }

    // ---------------------------------------------------------------- strategy

    /**
     * @notice Runs one strategy step on a proven prediction of the next price.
     * @param proof A Groth16 proof that the model maps the feed's last {WINDOW} prices to `prediction`,
     * bound to the current {epoch}.
     * @param prediction The model's output: the next price in thousands of quote units, as a signed
     * fixed-point integer at the model's scale (2^scaleBits).
     * @return direction What the step did ({Direction-Hold} when the predicted move is within the threshold).
     * @return amountIn The amount sold (zero on a hold, or when there is nothing to sell).
     * @return amountOut The amount bought.
     * @dev Reverts with {InvalidProof} if `proof` does not prove `prediction` from the feed's inputs for the
     * current epoch. Emits {Rebalanced}.
     */
    function rebalance(
        IZkmlModel.Proof calldata proof,
        int256 prediction
    ) external nonReentrant returns (Direction direction, uint256 amountIn, uint256 amountOut) {
        // Checks: the inputs come from the feed, which must be fresh; the proof must match them.
        (uint256[WINDOW] memory inputs, uint256 price, uint256 updatedAt) = _readFeed();
        Strategy memory s = _strategy;
        if (updatedAt + s.maxAge < block.timestamp) revert StalePrice(updatedAt, s.maxAge);
        uint256 stepEpoch = epoch;
        if (!model.verifyStatement(proof, _statement(prediction, inputs, stepEpoch))) revert InvalidProof();

        // Effects: the epoch moves on before any external call, so the proof is spent.
        epoch = stepEpoch + 1;
        direction = _decide(prediction, price, s.thresholdBps);

        // Interactions.
        if (direction == Direction.Buy) {
            amountIn = Math.mulDiv(IERC20(asset()).balanceOf(address(this)), s.tradeBps, BPS);
            if (amountIn > 0) amountOut = _swap(IERC20(asset()), riskAsset, amountIn, _toRisk(amountIn, price), s.maxSlippageBps);
        } else if (direction == Direction.Sell) {
            amountIn = Math.mulDiv(riskAsset.balanceOf(address(this)), s.tradeBps, BPS);
            if (amountIn > 0) amountOut = _swap(riskAsset, IERC20(asset()), amountIn, _toAsset(amountIn, price), s.maxSlippageBps);
        }
        emit Rebalanced(stepEpoch, (prediction * int256(_modelUnit)) / int256(_scale), price, direction, amountIn, amountOut);
    }

    /**
     * @notice The model inputs {rebalance} would use now: the feed's last {WINDOW} answers, oldest first,
     * each converted to thousands of quote units at scale 2^scaleBits, rounded half up:
     * `q = floor((answer * 2^scaleBits + U / 2) / U)` with `U = PRICE_UNIT * 10^feed.decimals()`.
     * A prover passes `q / 2^scaleBits` to the model, which quantizes back to exactly `q`.
     */
    function currentModelInputs() external view returns (uint256[WINDOW] memory inputs) {
        (inputs, , ) = _readFeed();
    }

    /// @notice The statement a proof for `prediction` must prove at this block and epoch.
    function statement(int256 prediction) external view returns (IZkmlModel.Statement memory) {
        (uint256[WINDOW] memory inputs, , ) = _readFeed();
        return _statement(prediction, inputs, epoch);
    }

    /// @notice The public signals a proof for `prediction` must have at this block and epoch.
    function publicSignals(int256 prediction) external view returns (uint256[] memory) {
        (uint256[WINDOW] memory inputs, , ) = _readFeed();
        return model.publicSignals(_statement(prediction, inputs, epoch));
    }

    /// @notice The strategy's settings.
    function strategy() external view returns (Strategy memory) {
        return _strategy;
    }

    /// @notice Changes the strategy's settings. Emits {StrategyUpdated}.
    function setStrategy(Strategy calldata strategy_) external onlyOwner {
        _setStrategy(strategy_);
    }

    // ---------------------------------------------------------------- ERC-4626

    /// @notice The idle stablecoin plus the risk asset valued at the feed's latest price (zero if that
    /// price is not positive). Does not revert on a stale price: deposits and withdrawals check it.
    function totalAssets() public view override returns (uint256) {
        uint256 idle = IERC20(asset()).balanceOf(address(this));
        uint256 risk = riskAsset.balanceOf(address(this));
        if (risk == 0) return idle;
        (, int256 answer, , , ) = feed.latestRoundData();
        return answer > 0 ? idle + _toAsset(risk, uint256(answer)) : idle;
    }

    /**
     * @notice The shares whose value the idle stablecoin covers, at most the owner's balance: the rest of the
     * vault is in the risk asset until a step sells it. {maxWithdraw} follows (it is `previewRedeem(maxRedeem)`),
     * so it never exceeds the idle balance either.
     */
    function maxRedeem(address owner) public view override returns (uint256) {
        uint256 idleShares = _convertToShares(IERC20(asset()).balanceOf(address(this)), Math.Rounding.Floor);
        return Math.min(super.maxRedeem(owner), idleShares);
    }

    /// @dev Shares are priced with the feed while the vault holds the risk asset, so the price must be fresh.
    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        _requireFreshValuation();
        super._deposit(caller, receiver, assets, shares);
    }

    /// @dev See {_deposit}.
    function _withdraw(
        address caller,
        address receiver,
        address owner,
        uint256 assets,
        uint256 shares
    ) internal override {
        _requireFreshValuation();
        super._withdraw(caller, receiver, owner, assets, shares);
    }

    // ---------------------------------------------------------------- internals

    /// @dev The last WINDOW answers as model inputs (oldest first), the latest answer and its update time.
    function _readFeed() private view returns (uint256[WINDOW] memory inputs, uint256 price, uint256 updatedAt) {
        (uint80 latestId, int256 answer, , uint256 latestUpdatedAt, ) = feed.latestRoundData();
        if (latestId < WINDOW) revert NotEnoughRounds(latestId);
        if (answer <= 0) revert InvalidPrice(latestId, answer);
        price = uint256(answer);
        updatedAt = latestUpdatedAt;
        inputs[WINDOW - 1] = _toModelInput(price);
        for (uint256 i = 1; i < WINDOW; ++i) {
            uint80 roundId = latestId - uint80(i);
            (, int256 past, , , ) = feed.getRoundData(roundId);
            if (past <= 0) revert InvalidPrice(roundId, past);
            inputs[WINDOW - 1 - i] = _toModelInput(uint256(past));
        }
    }

    /// @dev round-half-up(answer * 2^scaleBits / (PRICE_UNIT * 10^feedDecimals)).
    function _toModelInput(uint256 answer) private view returns (uint256) {
        return (answer * _scale + _modelUnit / 2) / _modelUnit;
    }

    /// @dev What a proof must show: the prediction from the feed's inputs, bound to the epoch. The
    /// adapter packs the values into the model's public signals.
    function _statement(
        int256 prediction,
        uint256[WINDOW] memory inputs,
        uint256 stepEpoch
    ) private pure returns (IZkmlModel.Statement memory s) {
        s.outputs = new int256[](1);
        s.outputs[0] = prediction;
        s.inputs = new int256[](WINDOW);
        for (uint256 i = 0; i < WINDOW; ++i) s.inputs[i] = SafeCast.toInt256(inputs[i]);
        s.bindings = new uint256[](1);
        s.bindings[0] = stepEpoch;
    }

    /// @dev Compares prediction / 2^s * modelUnit with price * (1 ± threshold), exactly, in integers.
    function _decide(int256 prediction, uint256 price, uint16 thresholdBps) private view returns (Direction) {
        int256 predicted = prediction * int256(_modelUnit) * int256(BPS);
        int256 scaledPrice = SafeCast.toInt256(price * _scale);
        if (predicted >= scaledPrice * int256(BPS + thresholdBps)) return Direction.Buy;
        if (predicted <= scaledPrice * int256(BPS - thresholdBps)) return Direction.Sell;
        return Direction.Hold;
    }

    function _swap(
        IERC20 tokenIn,
        IERC20 tokenOut,
        uint256 amountIn,
        uint256 expectedOut,
        uint16 maxSlippageBps
    ) private returns (uint256 amountOut) {
        uint256 minOut = Math.mulDiv(expectedOut, BPS - maxSlippageBps, BPS);
        uint256 before = tokenOut.balanceOf(address(this));
        tokenIn.forceApprove(address(swapper), amountIn);
        swapper.swap(address(tokenIn), amountIn, minOut, address(this));
        tokenIn.forceApprove(address(swapper), 0);
        amountOut = tokenOut.balanceOf(address(this)) - before;
        if (amountOut < minOut) revert SlippageExceeded(amountOut, minOut);
    }

    /// @dev Risk-asset amount worth `assets` of the stablecoin at `price`, rounded down.
    function _toRisk(uint256 assets, uint256 price) private view returns (uint256) {
        return Math.mulDiv(assets, _riskUnit * _feedUnit, price * _assetUnit);
    }

    /// @dev Stablecoin value of `risk` of the risk asset at `price`, rounded down.
    function _toAsset(uint256 risk, uint256 price) private view returns (uint256) {
        return Math.mulDiv(risk, price * _assetUnit, _riskUnit * _feedUnit);
    }

    function _requireFreshValuation() private view {
        if (riskAsset.balanceOf(address(this)) == 0) return;
        (, , , uint256 updatedAt, ) = feed.latestRoundData();
        uint64 maxAge = _strategy.maxAge;
        if (updatedAt + maxAge < block.timestamp) revert StalePrice(updatedAt, maxAge);
    }

    function _setStrategy(Strategy memory s) private {
        if (s.maxAge == 0 || s.thresholdBps >= BPS || s.tradeBps > BPS || s.maxSlippageBps >= BPS) revert InvalidStrategy();
        _strategy = s;
        emit StrategyUpdated(s.maxAge, s.thresholdBps, s.tradeBps, s.maxSlippageBps);
    }
}
