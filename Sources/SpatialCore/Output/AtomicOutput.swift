import Foundation

/// A file that appears under its final name only when it is complete.
///
/// The content is written to a hidden temporary name in the same directory (so the final `rename(2)` is
/// atomic on one file system); `commit()` flushes it to disk and renames it. If the process dies, or the
/// owner is released without committing, the final name is untouched: an interrupted export never leaves a
/// half file behind. Writers that open the file themselves (SQLite for a GeoPackage) use `temporaryPath`.
public final class StagedFile {
    /// Where the file appears on `commit()`.
    public let path: String
    /// Where it is written until then: `.<name>.urbangrid-tmp-<pid>-<random>` beside `path`.
    public let temporaryPath: String
    private var fd: Int32 = -1
    private var committed = false

    /// Reserves the temporary name (created empty, exclusive) and checks the directory is writable.
    /// - Parameter open: open the temporary file for `write(_:)`; false when another library writes it.
    /// - Throws: `SpatialError.io` naming the final path when the directory is missing or not writable.
    public init(path: String, open: Bool = true) throws {
        self.path = path
        temporaryPath = try Self.temporaryName(beside: path, directory: false)
        let f = Foundation.open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard f >= 0 else { throw SpatialError.io(path: path, message: Self.errnoText()) }
        Self.register(temporaryPath)
        if open {
            fd = f
        } else {
            close(f)
            unlink(temporaryPath)  // the other writer creates it
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
        if !committed { Self.remove(temporaryPath) }
        Self.pending.withLock { $0.remove(temporaryPath) }
    }

    /// Temporary paths not yet committed or removed, for `removePending()`.
    private static let pending = PendingPaths()

    private final class PendingPaths: @unchecked Sendable {  // every access under the lock
        private let lock = NSLock()
        private var paths: Set<String> = []
        func withLock<T>(_ body: (inout Set<String>) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body(&paths)
        }
    }

    /// Removes every temporary file not yet committed: for a signal handler (SIGINT, SIGTERM) that ends the
    /// process before the owners can clean up. Final names are never touched.
    /// - Returns: how many were removed.
    @discardableResult
    public static func removePending() -> Int {
        pending.withLock { paths in
            let n = paths.count
            defer { paths.removeAll() }
            for p in paths {
                remove(p)
                try? FileManager.default.removeItem(atPath: p)  // a staged directory
            }
            return n
        }
    }

    static func register(_ path: String) { _ = pending.withLock { $0.insert(path) } }
    static func unregister(_ path: String) { _ = pending.withLock { $0.remove(path) } }

    /// Appends bytes to the temporary file.
    public func write(_ bytes: [UInt8]) throws {
        precondition(fd >= 0, "StagedFile.write on a file opened by another writer or already committed")
        try bytes.withUnsafeBytes { buf in
            var done = 0
            while done < buf.count {
                let n = Foundation.write(fd, buf.baseAddress! + done, buf.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SpatialError.io(path: path, message: Self.errnoText())
                }
                done += n
            }
        }
    }

    /// Flushes the temporary file to disk and renames it to `path` (replacing an older file there).
    public func commit() throws {
        precondition(!committed, "StagedFile.commit called twice")
        if fd >= 0 {
            let f = fd
            fd = -1
            guard fsync(f) == 0 else {
                let m = Self.errnoText()
                close(f)
                throw SpatialError.io(path: path, message: m)
            }
            close(f)
        } else {
            let f = Foundation.open(temporaryPath, O_RDONLY | O_CLOEXEC)
            if f >= 0 {
                fsync(f)
                close(f)
            }
        }
        guard rename(temporaryPath, path) == 0 else { throw SpatialError.io(path: path, message: Self.errnoText()) }
        committed = true
        Self.unregister(temporaryPath)
    }

    /// Removes a temporary file and the SQLite side files another writer may have left beside it.
    static func remove(_ path: String) {
        for suffix in ["", "-journal", "-wal", "-shm"] { unlink(path + suffix) }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// A hidden name in the same directory as `path` (so that renaming it is atomic), after checking that the
    /// directory exists and that `path` is not already taken by the other kind of entry.
    static func temporaryName(beside path: String, directory: Bool) throws -> String {
        let url = URL(fileURLWithPath: path)
        let parent = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDir), isDir.boolValue else {
            throw SpatialError.io(path: path, message: "the directory \(parent) does not exist")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue != directory {
            throw SpatialError.io(path: path, message: directory ? "a file (not a directory) has that name" : "a directory has that name")
        }
        return parent + "/." + url.lastPathComponent + ".urbangrid-tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }
}

/// A directory that appears under its final name only when everything in it is written.
///
/// Files go into a hidden temporary directory beside `path`; `commit()` moves an older directory of that name
/// aside, renames the new one into place and then deletes the old one. Released without `commit()`, the
/// temporary directory is removed and `path` is untouched.
public final class StagedDirectory {
    public let path: String
    /// Where to write until `commit()`.
    public let temporaryPath: String
    private var committed = false

    public init(path: String) throws {
        self.path = path
        temporaryPath = try StagedFile.temporaryName(beside: path, directory: true)
        guard mkdir(temporaryPath, 0o755) == 0 else { throw SpatialError.io(path: path, message: StagedFile.errnoText()) }
        StagedFile.register(temporaryPath)
    }

    deinit {
        if !committed { try? FileManager.default.removeItem(atPath: temporaryPath) }
        StagedFile.unregister(temporaryPath)
    }

    /// Puts the directory in place, replacing an older one of the same name: in one step where the kernel can swap
    /// two names (Linux `renameat2(RENAME_EXCHANGE)`), so that the final name always holds the old directory or the new
    /// one, whenever the process dies; elsewhere the old one is moved aside first (a death between the two renames
    /// leaves no directory under the final name, and the old one beside it under a hidden name).
    public func commit() throws {
        precondition(!committed, "StagedDirectory.commit called twice")
        if FileManager.default.fileExists(atPath: path), Self.exchange(temporaryPath, path) {
            committed = true
            StagedFile.unregister(temporaryPath)
            try? FileManager.default.removeItem(atPath: temporaryPath)  // now the old directory
            return
        }
        var old: String?
        if FileManager.default.fileExists(atPath: path) {
            let aside = temporaryPath + "-old"
            guard rename(path, aside) == 0 else { throw SpatialError.io(path: path, message: StagedFile.errnoText()) }
            old = aside
        }
        guard rename(temporaryPath, path) == 0 else {
            let message = StagedFile.errnoText()
            if let old { rename(old, path) }
            throw SpatialError.io(path: path, message: message)
        }
        committed = true
        StagedFile.unregister(temporaryPath)
        if let old { try? FileManager.default.removeItem(atPath: old) }
    }

    /// `renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)`: swaps two existing names atomically. Looked up at run
    /// time (glibc declares it only under _GNU_SOURCE, which Swift's Glibc module does not set); false when it is
    /// missing or the file system refuses (the caller falls back to two renames).
    static func exchange(_ a: String, _ b: String) -> Bool {
        guard let renameat2 = renameat2Function else { return false }
        return renameat2(-100 /* AT_FDCWD */, a, -100, b, 1 << 1 /* RENAME_EXCHANGE */) == 0
    }

    private typealias Renameat2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    private static let renameat2Function: Renameat2? = {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }  // RTLD_DEFAULT
        return unsafeBitCast(symbol, to: Renameat2.self)
        #else
        return nil
        #endif
    }()
}
