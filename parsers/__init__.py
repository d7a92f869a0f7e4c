"""Pure functions that read pages into facts; they never fetch, never write, never import Scrapy."""
