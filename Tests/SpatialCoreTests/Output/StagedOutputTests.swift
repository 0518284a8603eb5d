import Foundation
import Testing
@testable import SpatialCore

/// Staged outputs appear under their final name only when complete, and replace an older one in one step.
@Suite struct StagedOutputTests {
    func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-staged-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func aDirectoryReplacesTheOlderOneAtomically() throws {
        let parent = try folder()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let target = parent + "/nightly"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        try "old".write(toFile: target + "/summary.json", atomically: false, encoding: .utf8)
        try "old only".write(toFile: target + "/stale.txt", atomically: false, encoding: .utf8)
        let staged = try StagedDirectory(path: target)
        try "new".write(toFile: staged.temporaryPath + "/summary.json", atomically: false, encoding: .utf8)
        // until the commit the final name holds the old directory
        #expect(try String(contentsOfFile: target + "/summary.json", encoding: .utf8) == "old")
        try staged.commit()
        #expect(try String(contentsOfFile: target + "/summary.json", encoding: .utf8) == "new")
        #expect(!FileManager.default.fileExists(atPath: target + "/stale.txt"))
        // nothing left beside it: neither the staging name nor the old directory
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["nightly"])
    }

    @Test func namesAreSwappedInOneStepOnLinux() throws {
        let parent = try folder()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        try FileManager.default.createDirectory(atPath: parent + "/a", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: parent + "/b", withIntermediateDirectories: false)
        try "in a".write(toFile: parent + "/a/x", atomically: false, encoding: .utf8)
        #if os(Linux)
        #expect(StagedDirectory.exchange(parent + "/a", parent + "/b"))
        #expect(try String(contentsOfFile: parent + "/b/x", encoding: .utf8) == "in a")
        #expect(!FileManager.default.fileExists(atPath: parent + "/a/x"))
        #endif
        #expect(!StagedDirectory.exchange(parent + "/a", parent + "/missing"))  // both names must exist
    }

    @Test func aFileNeverAppearsHalfWritten() throws {
        let parent = try folder()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let target = parent + "/streets.geojson"
        try "old".write(toFile: target, atomically: false, encoding: .utf8)
        do {
            let staged = try StagedFile(path: target)
            try staged.write(Array("half".utf8))
            // released without commit: the old file stays, the temporary is gone
        }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["streets.geojson"])
    }
}
