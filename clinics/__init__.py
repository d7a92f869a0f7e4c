"""The clinic directory as a command line: crawl, demo, serve, extract, regions."""
