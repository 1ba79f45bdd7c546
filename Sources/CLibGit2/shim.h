#include <git2.h>
// zlib (a dependency of libgit2's own -dev package): StewardGit inflates loose objects itself
// to refuse truncated ones before libgit2 reads them (see LooseObjectGuard.swift).
#include <zlib.h>
