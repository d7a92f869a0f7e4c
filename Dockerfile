# syntax=docker/dockerfile:1
# The public site: Datasette over a published copy (`clinics publish`), as a non-root user. docs/deploy.md says how
# to run it. Two images come from this file:
#
#   docker build -t clinics-site .                      # the default: serves the publish mounted at /srv/clinics
#   docker build --target demo -t clinics-site:demo .   # the demo's publish baked in: runs with no volume
#
# --build-arg CLINICS_COMMIT=$(git rev-parse HEAD) records the commit in each publish's build.json (an image holds
# no checkout to read it from).

# Build: the app and its dependencies into a virtual environment, from the repository's own source. Every dependency
# ships as a wheel, so no compiler is needed here, and nothing of this stage but the environment reaches the image.
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/clinics
WORKDIR /src
COPY . .
RUN /opt/clinics/bin/pip install --no-cache-dir .

# Runtime: the environment, the seed lists (read from the working directory by a crawl run in the container), a
# system user and the server's command. No source, tests, benchmarks or build tools.
FROM python:3.11-slim-bookworm AS runtime
RUN useradd --system --uid 10001 --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin clinics
COPY --from=build /opt/clinics /opt/clinics
COPY seeds /app/seeds
WORKDIR /app
ARG CLINICS_COMMIT=""
ENV PATH=/opt/clinics/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CLINICS_COMMIT=$CLINICS_COMMIT
USER clinics
EXPOSE 8001
# curl is not in the slim image; the app's own Python asks Datasette for its versions page.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8001/-/versions.json', timeout=4)"]
ENTRYPOINT ["/opt/clinics/bin/clinics"]
CMD ["serve", "--published", "/srv/clinics", "--host", "0.0.0.0", "--port", "8001"]

# The demo's data: the sample web on this stage's own loopback (no internet needed), crawled, then published. Root
# here only, in a throw-away stage; the copy lands in the image read-only and owned by root.
FROM runtime AS demo-build
USER root
RUN clinics demo --no-serve --db /tmp/demo/clinics.db \
    && clinics publish /tmp/published --db /tmp/demo/clinics.db

# `docker build --target demo`: the image with the demo's publish in /srv/clinics.
FROM runtime AS demo
COPY --from=demo-build /tmp/published /srv/clinics

# The default image (the last stage): a publish made on the host is mounted at /srv/clinics, read-only.
FROM runtime AS site
VOLUME ["/srv/clinics"]
