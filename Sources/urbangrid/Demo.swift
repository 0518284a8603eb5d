import ArgumentParser
import SpatialCore

extension UrbanGridCommand {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "placeholder")
        func run() throws {}
    }
}
