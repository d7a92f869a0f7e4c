"""The directory's Datasette plugin: its clinic, home and compare pages, the near-a-ZIP SQL functions, the
``keys`` facet, the public site's limits and its cache of rendered pages, with the templates beside it.

Datasette loads it through the ``datasette`` entry point in pyproject.toml, as it loads any installed plugin
(and finds ``templates/`` because the plugin is this package), so ``clinics serve`` needs no ``--plugins-dir``
and a wheel install serves the same pages as a checkout.
"""

from datasette_config.plugins.clinic_page import (  # noqa: F401 - pluggy reads the hooks from this module
    clinic_row_template_vars,
    directory_template_vars,
    prepare_jinja2_environment,
    register_routes,
)
from datasette_config.plugins.feeds import feed_routes  # noqa: F401
from datasette_config.plugins.geo_functions import prepare_connection, startup  # noqa: F401
from datasette_config.plugins.home import home_template_vars  # noqa: F401
from datasette_config.plugins.key_facets import register_facet_classes  # noqa: F401
from datasette_config.plugins.public_site import (  # noqa: F401
    limit_connection,
    private_routes,
    searches_that_say_nothing,
)
from datasette_config.plugins.response_cache import asgi_wrapper  # noqa: F401
