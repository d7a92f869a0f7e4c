"""The Scrapy project: settings, items, the storing pipeline, and one thin spider per source."""
