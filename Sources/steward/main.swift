import StewardCLI

#if os(Linux)
/// glibc's `mallopt`, which its Swift module does not export (malloc.h is not in it).
@_silgen_name("mallopt") private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
private let topPad: Int32 = -2  // M_TOP_PAD in malloc.h

// glibc grows the heap of each thread's arena a page at a time, an mprotect(2) call each: a
// check of a large mesh made 25,000 of them. With this pad, an arena's heap is made writable in
// one call; only the pages touched are ever backed by memory.
_ = mallopt(topPad, 64 << 20)
#endif

Steward.runMain()
