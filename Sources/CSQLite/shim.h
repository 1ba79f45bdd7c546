#include <sqlite3.h>

// Swift cannot call C variadic functions nor import SQLITE_TRANSIENT (a cast macro):
// these one-line wrappers give StewardEngineSQLite what it needs, and nothing more.

/// sqlite3_db_config for the options that take an int and return the new setting.
static inline int steward_sqlite3_db_config_int(sqlite3 *db, int op, int value) {
    int now = -1;
    int rc = sqlite3_db_config(db, op, value, &now);
    return rc == SQLITE_OK ? now : -1;
}

/// Binds text that SQLite must copy before the call returns.
static inline int steward_sqlite3_bind_text_transient(sqlite3_stmt *stmt, int index, const char *text, int bytes) {
    return sqlite3_bind_text(stmt, index, text, bytes, SQLITE_TRANSIENT);
}

/// Sets a function's text result, copied by SQLite.
static inline void steward_sqlite3_result_text_transient(sqlite3_context *context, const char *text, int bytes) {
    sqlite3_result_text(context, text, bytes, SQLITE_TRANSIENT);
}
