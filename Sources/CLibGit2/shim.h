#include <git2.h>
// zlib (a dependency of libgit2's own -dev package): StewardGit inflates loose objects itself
// to refuse truncated ones before libgit2 reads them (see LooseObjectGuard.swift).
#include <zlib.h>

// git_libgit2_opts is variadic, which Swift cannot call: one wrapper per option Steward sets.
// Trees larger than libgit2's default cache limit (4 KiB: a folder of ~80 files) would be
// inflated from the pack again on every path lookup.
static inline int steward_git_set_tree_cache_limit(size_t bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, bytes);
}
