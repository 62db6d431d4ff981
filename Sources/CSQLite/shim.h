#ifndef ORDINAL_CSQLITE_SHIM_H
#define ORDINAL_CSQLITE_SHIM_H

// The system's SQLite (libsqlite3-dev); Ordinal links no other copy.
#include <sqlite3.h>

#endif
