/* schema.h: the SQL that creates a store, by schema version. */
#ifndef OMEN_STORE_SCHEMA_H
#define OMEN_STORE_SCHEMA_H

extern const int omen_schema_version_current;
extern const char *const omen_schema_v1;

#endif
