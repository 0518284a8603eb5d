import Foundation
import Testing
@testable import UrbanStore

@Suite struct DatabaseLocationTests {
    @Test func pathsAreFiles() throws {
        guard case .spatiaLite(let p) = try DatabaseLocation("out/demo.sqlite", environment: [:]) else { Issue.record("not a file"); return }
        #expect(p == "out/demo.sqlite")
    }
}
