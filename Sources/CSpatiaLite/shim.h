// spatialite.h does not include sqlite3.h itself; take the system one first.
// Never add -I/usr/include/spatialite: it carries its own copy of sqlite3.h.
#include <sqlite3.h>
#include <spatialite.h>

// SQLITE_TRANSIENT is a cast macro and sqlite3_db_config is variadic: neither imports into Swift.
static inline sqlite3_destructor_type cspatialite_transient(void) { return SQLITE_TRANSIENT; }
static inline int cspatialite_enable_load_extension(sqlite3 *db, int on) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, on, (int *)0);
}
