import Foundation
import SpatialCore
import Testing

/// Fixed-decimal rounding against C's printf (glibc rounds the double's exact binary value), the reference GDAL
/// and PROJ use when they write coordinates.
@Suite struct NumberTextTests {
    /// printf's digits with trailing zeros (and a trailing point) trimmed, as NumberText writes them.
    func printf(_ v: Double, _ decimals: Int) -> String {
        var s = String(format: "%.\(decimals)f", v)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }

    @Test func productsThatRoundToAHalfFollowTheExactValue() {
        // 60.17513245 is 60.17513244999999955… in binary; d × 1e7 rounds to …324.5 exactly
        #expect(NumberText.format(60.17513245, precision: 7) == "60.1751324")
        #expect(NumberText.format(-60.17513245, precision: 7) == "-60.1751324")
        #expect(printf(60.17513245, 7) == "60.1751324")
        // exact binary ties (representable halves) go away from zero
        #expect(NumberText.format(0.125, precision: 2) == "0.13")
        #expect(NumberText.format(-2.5, precision: 0) == "-3")
    }

    @Test func agreesWithPrintfOnRandomCoordinates() {
        var rng = SplitMix64(seed: 20261122)
        var checked = 0
        for _ in 0..<50_000 {
            let lon = -180 + rng.nextUnit() * 360
            // also values with few digits, whose scaled products land near halves most often
            let short = (lon * 1e8).rounded() / 1e8
            for v in [lon, short] {
                for d in [3, 6, 7] {
                    let exactTie = (v * pow(10, Double(d))).truncatingRemainder(dividingBy: 1).magnitude == 0.5
                        && (-(v * pow(10, Double(d)))).addingProduct(v, pow(10, Double(d))) == 0
                    guard !exactTie else { continue }  // printf rounds exact ties to even, we away from zero
                    #expect(NumberText.format(v, precision: d) == printf(v, d), "\(v) to \(d)")
                    checked += 1
                }
            }
        }
        #expect(checked > 250_000)
    }
}

/// `NumberText.decimal`: the plain decimals requests carry, nothing `Double(_:)` would also take.
@Suite struct DecimalTextTests {
    @Test func readsPlainDecimals() {
        let cases: [(String, Double)] = [("24.95", 24.95), ("-0.5", -0.5), ("+3", 3), (".5", 0.5), ("3.", 3), ("1e-7", 1e-7),
                                         ("2.5E+3", 2500), ("0", 0), ("-0", 0), ("180", 180)]
        for (text, value) in cases { #expect(NumberText.decimal(text) == value, "\(text)") }
    }

    @Test(arguments: ["nan", "NaN", "inf", "-inf", "Infinity", "1e309", "-1e400", "0x10", "0x1p3", "1_000", "１２", "1e", "e5", ".", "-",
                      "+", "--1", "1.2.3", " 1", "1 ", "1,5", "", "1e+", "1e5.5", "+-1"])
    func refusesOtherSpellings(text: String) {
        #expect(NumberText.decimal(text) == nil)
    }
}
