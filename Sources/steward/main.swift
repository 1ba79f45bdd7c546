#if canImport(Glibc)
import Glibc
#endif
import StewardCLI

#if canImport(Glibc)
// glibc grows the heap of each thread's arena a page at a time, an mprotect(2) call each: a
// check of a large mesh made 25,000 of them. With a 64 MB pad, an arena's heap is made writable
// in one call; only the pages touched are ever backed by memory. `mallopt` is looked up rather
// than declared: malloc.h is not in the Glibc module, and another C library may lack it.
if let symbol = dlsym(nil, "mallopt") {
    let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    let topPad: Int32 = -2  // M_TOP_PAD in malloc.h
    _ = mallopt(topPad, 64 << 20)
}
#endif

Steward.runMain()
