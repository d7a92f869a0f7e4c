"""Storage: the SQLite shape, upserts, merging a clinic's pages into one record, and change history."""
