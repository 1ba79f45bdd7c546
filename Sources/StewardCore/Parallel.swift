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

/// Work started on a thread of its own, whose result is asked for later (`value()` waits).
/// A thread, not the global queue: the work may itself spread over the cores with
/// `concurrentPerform`, and it may be started from inside one.
public final class BackgroundWork<T>: @unchecked Sendable {
    // INVARIANT: `result` is written once, by the thread, before `done` is signalled; it is
    // read only after a wait on `done`.
    private var result: Result<T, any Error>?
    private let done = DispatchSemaphore(value: 0)

    public init(_ body: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            result = Result { try body() }
            done.signal()
        }
        thread.stackSize = 8 << 20  // what the main thread has: parsers and builders recurse
        thread.start()
    }

    /// The work's result, or its error; waits for it to finish.
    public func value() throws -> T {
        done.wait()
        done.signal()  // for the next caller
        return try result!.get()
    }
}
