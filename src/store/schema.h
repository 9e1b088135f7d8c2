/* schema.h: the SQL that creates a store, by schema version. */
#ifndef OMEN_STORE_SCHEMA_H
#define OMEN_STORE_SCHEMA_H

extern const int omen_schema_version_current;
extern const char *const omen_schema_v1;
/* Applied on top of v1, both for a new store and as the migration of a v1 store. */
extern const char *const omen_schema_v2;

#endif
