internal import CGEOS

/// Owns one GEOS context handle (reentrant API) and collects the messages GEOS reports on it.
/// Not thread-safe, deliberately not Sendable: every long-lived object keeps its own, and the
/// value-level operations make a fresh one per call (GEOS_init_r costs ~0.1 µs).
final class GEOSContext {
    let handle: GEOSContextHandle_t
    private(set) var lastError: String?
    private(set) var notices: [String] = []

    init() {
        // GEOS_init_r only returns NULL when malloc fails.
        guard let h = GEOS_init_r() else { fatalError("GEOS_init_r: out of memory") }
        handle = h
        let me = Unmanaged.passUnretained(self).toOpaque()  // unretained: the handle dies in our deinit
        _ = GEOSContext_setErrorMessageHandler_r(handle, { message, userdata in
            guard let message, let userdata else { return }
            Unmanaged<GEOSContext>.fromOpaque(userdata).takeUnretainedValue().lastError = String(cString: message)
        }, me)
        _ = GEOSContext_setNoticeMessageHandler_r(handle, { message, userdata in
            guard let message, let userdata else { return }
            Unmanaged<GEOSContext>.fromOpaque(userdata).takeUnretainedValue().notices.append(String(cString: message))
        }, me)
    }

    deinit { GEOS_finish_r(handle) }

    /// The error for the last failed call, consuming the captured message.
    func error(_ fallback: String) -> SpatialError {
        defer { lastError = nil }
        return .geos(message: lastError ?? fallback)
    }

    /// GEOS predicates return 1 (true), 0 (false) or 2 (exception).
    func bool(_ code: CChar, _ what: @autoclosure () -> String) throws -> Bool {  // the text only on failure: hot paths call this
        switch code {
        case 1: return true
        case 0: return false
        default: throw error("\(what()) failed")
        }
    }

    /// GEOS measurements return 1 on success and 0 on exception, with the value through a pointer.
    func double(_ what: @autoclosure () -> String, _ body: (UnsafeMutablePointer<Double>) -> Int32) throws -> Double {
        var v = 0.0
        guard body(&v) == 1 else { throw error("\(what()) failed") }
        return v
    }

    /// Takes ownership of a geometry GEOS returned (NULL = exception).
    func own(_ ptr: OpaquePointer?, _ what: @autoclosure () -> String) throws -> GEOSHandle {
        guard let ptr else { throw error("\(what()) failed") }
        return GEOSHandle(context: self, owning: ptr)
    }
}

/// Owns one GEOSGeometry*. Keeps its context alive; destroys the geometry in deinit.
final class GEOSHandle {
    let context: GEOSContext
    let ptr: OpaquePointer
    private let owned: Bool

    init(context: GEOSContext, owning ptr: OpaquePointer) {
        self.context = context
        self.ptr = ptr
        owned = true
    }

    /// A handle that does not free its geometry (a part borrowed from a parent kept alive by the caller).
    init(context: GEOSContext, borrowing ptr: OpaquePointer) {
        self.context = context
        self.ptr = ptr
        owned = false
    }

    deinit { if owned { GEOSGeom_destroy_r(context.handle, ptr) } }

    var h: GEOSContextHandle_t { context.handle }
}
