// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

library Strings {
    function toString(uint256 value) internal pure returns (string memory) {
        if (value == 0) return "0";
        uint256 digits;
        for (uint256 v = value; v != 0; v /= 10) digits++;
        bytes memory out = new bytes(digits);
        while (value != 0) {
            digits--;
            out[digits] = bytes1(uint8(48 + (value % 10)));
            value /= 10;
        }
        return string(out);
    }

    /// JSON string escaping (RFC 8259): quote, backslash and control characters.
    function escapeJson(string memory input) internal pure returns (string memory) {
        bytes memory s = bytes(input);
        uint256 extra;
        for (uint256 i; i < s.length; i++) {
            bytes1 c = s[i];
            if (c == '"' || c == "\\" || c == 0x08 || c == 0x0c || c == 0x0a || c == 0x0d || c == 0x09) extra += 1;
            else if (uint8(c) < 0x20) extra += 5;
        }
        if (extra == 0) return input;
        bytes memory out = new bytes(s.length + extra);
        bytes16 hexChars = "0123456789abcdef";
        uint256 j;
        for (uint256 i; i < s.length; i++) {
            bytes1 c = s[i];
            bytes1 short = _shortEscape(c);
            if (short != 0) {
                out[j++] = "\\";
                out[j++] = short;
            } else if (uint8(c) < 0x20) {
                out[j++] = "\\";
                out[j++] = "u";
                out[j++] = "0";
                out[j++] = "0";
                out[j++] = hexChars[uint8(c) >> 4];
                out[j++] = hexChars[uint8(c) & 0x0f];
            } else {
                out[j++] = c;
            }
        }
        return string(out);
    }

    function _shortEscape(bytes1 c) private pure returns (bytes1) {
        if (c == '"') return '"';
        if (c == "\\") return "\\";
        if (c == 0x08) return "b";
        if (c == 0x0c) return "f";
        if (c == 0x0a) return "n";
        if (c == 0x0d) return "r";
        if (c == 0x09) return "t";
        return 0;
    }
}
