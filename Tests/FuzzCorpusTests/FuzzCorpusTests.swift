import Foundation
import FuzzTargets
import Testing

/// Replays `Tests/FuzzCorpus/<target>/` through the same target functions libFuzzer runs (Tools/fuzz.sh), without
/// libFuzzer: the seeds, and every input a fuzzing run found (crashes, hangs, broken invariants), which the
/// parsers now refuse with an error or accept. A seed named `bad-…` is invalid input that must be refused; no
/// input may break an invariant (a crash would end the test run).
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FuzzCorpus")

    static func inputs(_ target: FuzzTarget) -> [URL] {
        let dir = corpus.appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { dir.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func replay(_ target: FuzzTarget) throws {
        let files = Self.inputs(target)
        #expect(files.count >= 5, "seed corpus of \(target.rawValue)")
        var accepted = 0
        for file in files {
            let outcome = target.run([UInt8](try Data(contentsOf: file)))
            if case .invariantBroken(let what) = outcome { Issue.record("\(file.lastPathComponent): \(what)") }
            if file.lastPathComponent.hasPrefix("bad-") {
                if case .rejected = outcome {} else { Issue.record("\(file.lastPathComponent): expected an error, got \(outcome)") }
            }
            if outcome == .accepted { accepted += 1 }
        }
        #expect(accepted >= 3, "\(target.rawValue): some seeds are valid input")
    }
}
