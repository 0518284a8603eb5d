import Foundation
import Testing

/// Runs a built executable of this package (found beside the test bundle) and captures its output.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    static var buildDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func run(_ arguments: [String], executable: String = "urbangrid", stdin: String? = nil) throws -> CommandResult {
        let p = Process()
        p.executableURL = buildDirectory.appendingPathComponent(executable)
        p.arguments = arguments
        p.currentDirectoryURL = repositoryRoot
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
        try inp.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CommandResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

extension CLI {
    /// A fresh empty directory under the system's temporary directory; the caller removes it.
    static func temporaryDirectory(_ label: String = "cli") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    /// Files in a directory, hidden ones included (staged temporaries start with a dot); SQLite's WAL side
    /// files (`-wal`, `-shm`, which a reader of a WAL database creates) left out.
    static func files(in dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }.sorted()
    }
}
