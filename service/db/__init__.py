"""The operational database: engine and sessions, tables, migrations, the audit."""
