"""One spider per source: npi_registry and osm discover listings; clinic_site reads each clinic's website."""
