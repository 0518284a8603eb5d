import Foundation
import Testing
@testable import UrbanModel

/// The idempotency hash: SHA-256 of the parts joined by U+001F, as lowercase hex (the reference digest from Python's
/// hashlib), and the hex writer against Foundation's `%02x` for every byte.
@Suite struct IdempotencyHashTests {
    @Test func hashIsTheSHA256OfTheJoinedParts() {
        // python3 -c "import hashlib; print(hashlib.sha256('supervisor\x1f0101\x1f巡查 井盖'.encode()).hexdigest())"
        #expect(IdempotencyClaim.hash(["supervisor", "0101", "巡查 井盖"]) == "360b693138d35961bd28cedb34c1509578b9d0022d2c4c90cf35066247346fca")
    }

    @Test func hexWritesWhatFormatWrites() {
        let all = (0...255).map { UInt8($0) }
        #expect(lowercaseHex(all) == all.map { String(format: "%02x", $0) }.joined())
        #expect(lowercaseHex([]) == "")
    }
}
