"""The domain core: rules about regions and clinics that need neither a database nor a crawler.

`crawlers/`, `db/` and `clinics/` (the command line) all use it; it uses only `parsers/` for the vocabulary.
"""
