import SpatialCore
import Testing
@testable import UrbanModel

@Suite struct GridCodeTests {
    @Test func parsesTheDeployedSample() throws {
        let g = try GridCode(parsing: "320582110152102")
        #expect(g.county == "320582")
        #expect(g.street == "110")
        #expect(g.community == "152")
        #expect(g.sequence == "102")
        #expect(g.sequenceNumber == 102)
        #expect(g.countyCode == "320582")
        #expect(g.streetCode == "320582110")
        #expect(g.communityCode == "320582110152")
        #expect(g.description == "320582110152102")
    }

    @Test func buildsFromPartsWithZeroPadding() throws {
        let g = try GridCode(county: 320582, street: 110, community: 152, sequence: 102)
        #expect(g == (try GridCode(parsing: "320582110152102")))
        #expect(try GridCode(county: 110101, street: 1, community: 0, sequence: 7).code == "110101001000007")
        let community = try AdminCode(parsing: "320508019044")
        #expect(try GridCode(community: community, sequence: 3).code == "320508019044003")
    }

    @Test func partsOutOfRange() {
        #expect(throws: ModelError.fieldOutOfRange(layout: "grid", field: "sequence", value: 0, allowed: 1...999)) {
            try GridCode(county: 320582, street: 110, community: 152, sequence: 0)
        }
        #expect(throws: ModelError.fieldOutOfRange(layout: "grid", field: "sequence", value: 1000, allowed: 1...999)) {
            try GridCode(county: 320582, street: 110, community: 152, sequence: 1000)
        }
        #expect(throws: ModelError.fieldOutOfRange(layout: "grid", field: "community", value: -1, allowed: 0...999)) {
            try GridCode(county: 320582, street: 110, community: -1, sequence: 1)
        }
        #expect(throws: ModelError.fieldOutOfRange(layout: "grid", field: "county", value: 0, allowed: 1...999_999)) {
            try GridCode(county: 0, street: 110, community: 152, sequence: 1)
        }
        #expect(throws: ModelError.fieldOutOfRange(layout: "grid", field: "county", value: 1_000_000, allowed: 1...999_999)) {
            try GridCode(county: 1_000_000, street: 110, community: 152, sequence: 1)
        }
    }

    @Test(arguments: [
        ("32058211015210", ModelError.wrongCodeLength(layout: "grid", code: "32058211015210", expected: [15], actual: 14)),
        ("3205821101521020", .wrongCodeLength(layout: "grid", code: "3205821101521020", expected: [15], actual: 16)),
        ("", .wrongCodeLength(layout: "grid", code: "", expected: [15], actual: 0)),
        ("X20582110152102", .nonDigit(layout: "grid", code: "X20582110152102", position: 1, field: "county", character: "X")),
        ("320582 10152102", .nonDigit(layout: "grid", code: "320582 10152102", position: 7, field: "street", character: " ")),
        ("32058211015-102", .nonDigit(layout: "grid", code: "32058211015-102", position: 12, field: "community", character: "-")),
        ("32058211015210二", .nonDigit(layout: "grid", code: "32058211015210二", position: 15, field: "sequence", character: "二")),
        ("320582110152٣02", .nonDigit(layout: "grid", code: "320582110152٣02", position: 13, field: "sequence", character: "٣")),
        ("320582110152000", .zeroField(layout: "grid", code: "320582110152000", field: "sequence", position: 13)),
        ("000000110152102", .zeroField(layout: "grid", code: "000000110152102", field: "county", position: 1)),
    ] as [(String, ModelError)])
    func parseErrorsNamePositionAndField(code: String, expected: ModelError) {
        #expect(throws: expected) { try GridCode(parsing: code) }
    }

    @Test func missingLevelsAreZeros() throws {
        let g = try GridCode(parsing: "320582000000001")
        #expect(g.street == "000")
        #expect(g.communityCode == "320582000000")
    }

    @Test func anotherGridLayoutFromData() throws {
        // CJ/T 213-2005 possibly used 6+3+3+2 (domain-facts [U]): only data changes.
        let old = try CodeLayout(name: "grid-cjt213", fields: [
            .init(name: "county", length: 6, nonZero: true), .init(name: "street", length: 3),
            .init(name: "community", length: 3), .init(name: "sequence", length: 2, nonZero: true),
        ])
        let g = try GridCode(parsing: "32058211015202", layout: old)
        #expect(g.sequence == "02")
        #expect(throws: ModelError.fieldOutOfRange(layout: "grid-cjt213", field: "sequence", value: 100, allowed: 1...99)) {
            try GridCode(county: 320582, street: 110, community: 152, sequence: 100, layout: old)
        }
        let notAGrid = try CodeLayout(name: "x", fields: [.init(name: "county", length: 6)])
        #expect(throws: ModelError.self) { try GridCode(parsing: "320582", layout: notAGrid) }
    }

    // MARK: Numbering west→east, then north→south

    @Test func numbersA3x3GridRowByRowFromTheNorthWest() throws {
        // Cells of 100 m; centroids listed in a scrambled order.
        var centroids: [Coordinate] = []
        var expected: [Int] = []
        for (row, y) in [250.0, 150.0, 50.0].enumerated() {
            for (col, x) in [50.0, 150.0, 250.0].enumerated() {
                centroids.append(Coordinate(x: 1000 + x, y: 3000 + y))
                expected.append(row * 3 + col + 1)
            }
        }
        let order = [4, 8, 0, 6, 2, 7, 1, 5, 3]
        let numbers = try GridCode.sequenceNumbers(forCentroids: order.map { centroids[$0] }, rowTolerance: 50)
        #expect(numbers == order.map { expected[$0] })
        // Any tolerance below the cell height gives the same rows.
        #expect(try GridCode.sequenceNumbers(forCentroids: centroids, rowTolerance: 0) == expected)
        #expect(try GridCode.sequenceNumbers(forCentroids: centroids, rowTolerance: 99.9) == expected)
        // A tolerance of a whole cell height merges rows: the rule is anchored, so 250 and 150 join, 50 does not.
        #expect(try GridCode.sequenceNumbers(forCentroids: centroids, rowTolerance: 100) == [1, 3, 5, 2, 4, 6, 7, 8, 9])
    }

    @Test func numbersAnIrregularSet() throws {
        // Irregular cells (blocks of different sizes) with jittered centroids:
        //   row 1 (northings 512, 498, 505 — within 20 m of 512): eastings 300, 10, 150
        //   row 2 (northings 470, 465, 481 — the top of the row is 481): eastings 90, 20, 400
        //   row 3 (a lone southern cell at 300)
        let centroids = [
            Coordinate(x: 300, y: 512), Coordinate(x: 90, y: 470), Coordinate(x: 10, y: 498),
            Coordinate(x: 50, y: 300), Coordinate(x: 150, y: 505), Coordinate(x: 20, y: 465),
            Coordinate(x: 400, y: 481),
        ]
        let numbers = try GridCode.sequenceNumbers(forCentroids: centroids, rowTolerance: 20)
        #expect(numbers == [3, 5, 1, 7, 2, 4, 6])
        // The row is anchored at its northernmost cell: a chain 512, 497, 482 with tolerance 20 splits after 497
        // (482 is 30 below 512) even though each step is only 15.
        let chain = [Coordinate(x: 30, y: 482), Coordinate(x: 20, y: 497), Coordinate(x: 10, y: 512)]
        #expect(try GridCode.sequenceNumbers(forCentroids: chain, rowTolerance: 20) == [3, 2, 1])
        // Same easting in a row: the northern one first.
        let tie = [Coordinate(x: 5, y: 100), Coordinate(x: 5, y: 105)]
        #expect(try GridCode.sequenceNumbers(forCentroids: tie, rowTolerance: 10) == [2, 1])
        #expect(try GridCode.sequenceNumbers(forCentroids: [], rowTolerance: 1) == [])
    }

    @Test func numberingErrors() {
        #expect(throws: ModelError.invalidArgument(name: "rowTolerance", reason: "-1.0 is not a finite number ≥ 0")) {
            try GridCode.sequenceNumbers(forCentroids: [], rowTolerance: -1)
        }
        #expect(throws: ModelError.self) {
            try GridCode.sequenceNumbers(forCentroids: [Coordinate(x: .nan, y: 0)], rowTolerance: 1)
        }
        let many = (0..<1000).map { Coordinate(x: Double($0), y: 0) }
        #expect(throws: ModelError.fieldOutOfRange(layout: "grid", field: "sequence", value: 1000, allowed: 1...999)) {
            try GridCode.sequenceNumbers(forCentroids: many, rowTolerance: 1)
        }
    }
}
