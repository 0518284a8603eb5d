import FuzzTargets
import Foundation

// The fuzz driver. Built with `-sanitize=fuzzer,address -D URBANGRID_LIBFUZZER` (Tools/fuzz.sh) it hands control to
// libFuzzer's driver (LLVMFuzzerRunDriver) for the target named by URBANGRID_FUZZ_TARGET; built normally it is a
// replay tool: `urbangrid-fuzz TARGET FILE|DIR...` runs each input once and says what became of it (exit 1 when an
// invariant broke).

nonisolated(unsafe) var selectedTarget: FuzzTarget = .geojson

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if case .invariantBroken(let what) = selectedTarget.run(input) {
        fatalError("invariant broken in \(selectedTarget.rawValue): \(what)")
    }
    return 0
}

func targetNamed(_ name: String?) -> FuzzTarget {
    guard let name, let t = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("urbangrid-fuzz: name a target (\(names))\n".utf8))
        exit(2)
    }
    return t
}

#if URBANGRID_LIBFUZZER
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

selectedTarget = targetNamed(ProcessInfo.processInfo.environment["URBANGRID_FUZZ_TARGET"])
var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOne(data, size) })
#else
var arguments = CommandLine.arguments.dropFirst()
selectedTarget = targetNamed(arguments.popFirst())
var files: [String] = []
for path in arguments {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        FileHandle.standardError.write(Data("urbangrid-fuzz: no such file \(path)\n".utf8))
        exit(2)
    }
    if isDirectory.boolValue {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        files += names.sorted().filter { !$0.hasPrefix(".") }.map { path + "/" + $0 }
    } else {
        files.append(path)
    }
}
var broken = 0
for file in files {
    let input = [UInt8](FileManager.default.contents(atPath: file) ?? Data())
    switch selectedTarget.run(input) {
    case .accepted: print("\(file): accepted")
    case .rejected(let why): print("\(file): rejected: \(why.split(separator: "\n").first ?? "")")
    case .invariantBroken(let what):
        print("\(file): INVARIANT BROKEN: \(what)")
        broken += 1
    }
}
exit(broken == 0 ? 0 : 1)
#endif
