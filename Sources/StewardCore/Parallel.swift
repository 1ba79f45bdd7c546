import Foundation

/// One result slot per parallel task; each task writes only its own index.
/// Raw storage, so concurrent writes to distinct indexes never touch shared array metadata.
public final class Slots<T>: @unchecked Sendable {
    // INVARIANT: each index is written by one task at most, and read only after all finish.
    private let base: UnsafeMutablePointer<T?>
    private let count: Int

    public init(count: Int) {
        self.count = count
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: nil, count: count)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    public subscript(i: Int) -> T? {
        get { base[i] }
        set { base[i] = newValue }
    }
}

/// `body(0..<count)` spread over the cores, results in index order. Every task runs; then
/// the error of the lowest failing index, if any, is rethrown.
public func concurrentMap<T>(_ count: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
    let slots = Slots<Result<T, any Error>>(count: count)
    DispatchQueue.concurrentPerform(iterations: count) { i in slots[i] = Result { try body(i) } }
    return try (0..<count).map { try slots[$0]!.get() }
}
