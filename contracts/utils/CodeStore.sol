// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title CodeStore
 * @dev Write-once byte storage in the runtime code of a data contract created for it, read back with
 * `EXTCODECOPY`. Deployed code costs 200 gas per byte, plus 32,000 for the CREATE and about 22,000 for
 * the caller's slot that keeps the address, against 22,100 per 32-byte word (about 690 per byte) for fresh
 * storage slots: cheaper from about 110 bytes up; for 1 KiB, about 260k gas against 707k. Reading is
 * cheaper too: one cold `EXTCODECOPY` instead of a cold `SLOAD` per word. The data can never change: the
 * data contract has no code path that writes, and none that self-destructs.
 *
 * The runtime code is a `0x00` (`STOP`) byte followed by the data, so a call into the data contract stops
 * at once and does nothing, whatever the data's bytes would decode to as instructions. {read} skips that
 * byte.
 *
 * The init code is ten bytes followed by the runtime code; it copies the runtime code to memory and
 * returns it:
 *
 * | bytes      | instruction      | stack after        |
 * |------------|------------------|--------------------|
 * | `61 nnnn`  | PUSH2 n          | n                  |
 * | `80`       | DUP1             | n n                |
 * | `60 0a`    | PUSH1 10         | 10 n n             |
 * | `5f`       | PUSH0            | 0 10 n n           |
 * | `39`       | CODECOPY(0,10,n) | n                  |
 * | `5f`       | PUSH0            | 0 n                |
 * | `f3`       | RETURN(0,n)      |                    |
 *
 * where n is the runtime code's length (the data's plus one). `PUSH0` needs Shanghai or later, which the
 * calling contracts already assume (they are compiled for Cancun).
 */
library CodeStore {
    /// @dev Bytes of init code before the runtime code.
    uint256 private constant _INIT_PREFIX_LENGTH = 10;
    /// @dev EIP-170's limit on a contract's runtime code (it also keeps n within the PUSH2).
    uint256 private constant _MAX_CODE_SIZE = 0x6000;

    /// @notice The data plus its leading `STOP` byte would exceed the EIP-170 code size limit.
    error CodeStoreDataTooLarge(uint256 length);
    /// @notice The data contract could not be created (e.g. out of gas for the code deposit).
    error CodeStoreCreateFailed();
    /// @notice `store` has no code, so it is not a data contract written by {write}.
    error CodeStoreEmpty(address store);

    /**
     * @dev Creates a data contract holding `data` and returns its address, the only handle to the data.
     * The CREATE runs only the init code above: no external code is called.
     */
    function write(bytes memory data) internal returns (address store) {
        uint256 size = data.length + 1;
        if (size > _MAX_CODE_SIZE) revert CodeStoreDataTooLarge(data.length);
        bytes memory initCode = abi.encodePacked(hex"61", uint16(size), hex"80600a5f395ff3", hex"00", data);
        assembly ("memory-safe") {
            store := create(0, add(initCode, 32), mload(initCode))
        }
        // A failed CREATE (out of gas, or an address already in use) returns zero rather than reverting.
        if (store == address(0)) revert CodeStoreCreateFailed();
    }

    /// @dev The data written by {write} to `store`.
    function read(address store) internal view returns (bytes memory data) {
        uint256 length = _dataLength(store);
        data = new bytes(length);
        assembly ("memory-safe") {
            extcodecopy(store, add(data, 32), 1, length)
        }
    }

    /**
     * @dev The data written by {write} to `store`, read as consecutive 32-byte big-endian words (the layout
     * of `abi.encodePacked(uint256[])`). Copies straight into the array, without an intermediate `bytes`.
     * Trailing bytes short of a whole word are ignored.
     */
    function readWords(address store) internal view returns (uint256[] memory words) {
        uint256 count = _dataLength(store) / 32;
        words = new uint256[](count);
        assembly ("memory-safe") {
            extcodecopy(store, add(words, 32), 1, mul(count, 32))
        }
    }

    /// @dev The data's length: the code's, minus the leading `STOP` byte.
    function _dataLength(address store) private view returns (uint256) {
        uint256 size = store.code.length;
        if (size == 0) revert CodeStoreEmpty(store);
        return size - 1;
    }
}
