internal import CZlib
public import SpatialCore

/// Reads a gzip file (or a plain one: zlib passes uncompressed data through) in chunks, in-process through zlib's
/// `gz*` functions. One owner: the file is closed when the reader goes away.
public final class GzipReader {
    public let path: String
    private let file: gzFile

    /// - Throws: `SpatialError.parse` when the file cannot be opened.
    public init(path: String) throws(SpatialError) {
        guard let f = gzopen(path, "rb") else { throw .parse(format: "gzip", location: path, message: "cannot open the file for reading") }
        _ = gzbuffer(f, 1 << 20)
        self.path = path
        self.file = f
    }

    deinit { gzclose(file) }

    /// Reads up to `buffer.count` bytes of the decompressed stream into `buffer`; 0 at the end.
    /// - Throws: `SpatialError.parse` with zlib's message for a corrupt or truncated file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SpatialError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let n = gzread(file, base, UInt32(min(buffer.count, Int(Int32.max))))
        if n < 0 {
            var code: Int32 = 0
            let message = gzerror(file, &code).map { String(cString: $0) } ?? "zlib error \(code)"
            throw .parse(format: "gzip", location: path, message: "cannot decompress: \(message)")
        }
        return Int(n)
    }
}
