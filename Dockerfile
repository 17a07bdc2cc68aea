# syntax=docker/dockerfile:1
# The image of any of the four MedGrade services, chosen by SERVICE (its folder under services/).
# Build from the repository root:
#   docker build --build-arg SERVICE=scoring -t medgrade/scoring .
# (compose passes SERVICE as build.args, scripts/deploy.py as buildargs; the gateway has its own
# infra/nginx/Dockerfile.) Nothing here names a service: scripts/image_build.py reads what differs
# from the service's pyproject.toml (dependencies, [tool.medgrade] build-assets, console script).
# No BuildKit-only instruction, so docker-py's classic builder (scripts/deploy.py) builds it too.

# Pinned by digest, so a moved tag cannot change the image unnoticed. When the tag moves, take the
# new digest of the multi-platform index from
#   docker buildx imagetools inspect python:3.11-slim-bookworm
# (the digest below was not checked against Docker Hub from the machine that wrote it).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91

# Stops the build, before anything is installed, when SERVICE is unset or names no service. The
# builder takes the service's files from this stage, not from the context, so the only error a
# wrong SERVICE can give is this one (a COPY of services/<missing>/ would fail first otherwise).
FROM ${PYTHON_IMAGE} AS select
ARG SERVICE
WORKDIR /context
COPY scripts/image_build.py /usr/local/bin/image_build.py
COPY services/ services/
# build-assets.txt: the script the service builds its package data with (empty: none).
RUN python /usr/local/bin/image_build.py check "${SERVICE}" \
    && python /usr/local/bin/image_build.py build-assets "services/${SERVICE}/pyproject.toml" > build-assets.txt

FROM ${PYTHON_IMAGE} AS builder
ARG SERVICE
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY scripts/image_build.py /usr/local/bin/image_build.py
COPY --from=select /context/build-assets.txt ./

# A service with build-assets gets a second venv, /opt/export, for build time only (it never
# reaches the runtime stage): the pyproject's `export` extra, with CPU torch first, from PyTorch's
# CPU index (PyPI's torch==2.13.0 for Linux is the multi-GB CUDA build); the requirements step
# below then finds torch==2.13.0 already satisfied. Its own layer, rebuilt only when build-assets
# changes.
RUN python -m venv /opt/venv \
    && if [ -s build-assets.txt ]; then \
        python -m venv /opt/export \
        && /opt/export/bin/pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0; \
    fi

# Dependencies next, in their own layer: rebuilt only when a pyproject or a pin changes. The
# runtime venv gets the service's and shared's dependencies; the export venv those and `export`.
COPY constraints.txt ./
COPY shared/pyproject.toml shared/
COPY --from=select /context/services/${SERVICE}/pyproject.toml services/${SERVICE}/
RUN python /usr/local/bin/image_build.py requirements shared/pyproject.toml "services/${SERVICE}/pyproject.toml" \
        > requirements.txt \
    && pip install --no-cache-dir -c constraints.txt -r requirements.txt \
    && if [ -s build-assets.txt ]; then \
        python /usr/local/bin/image_build.py requirements --extra export "services/${SERVICE}/pyproject.toml" \
            > requirements-export.txt \
        && /opt/export/bin/pip install --no-cache-dir -c constraints.txt -r requirements.txt -r requirements-export.txt; \
    fi

# Then the two MedGrade packages. With build-assets, the export venv installs them editable and
# runs the script, so that what it writes (scoring: the ONNX model, with the digest the package
# records, or the build fails) lands in the source tree; the runtime venv then installs them as
# wheels (not editable), those files among the package data. The service's console script is
# linked as medgrade-service, the command every image runs.
COPY shared/ shared/
COPY --from=select /context/services/${SERVICE}/ services/${SERVICE}/
RUN if [ -s build-assets.txt ]; then \
        /opt/export/bin/pip install --no-cache-dir --no-deps -c constraints.txt -e ./shared -e "./services/${SERVICE}" \
        && /opt/export/bin/python "services/${SERVICE}/$(cat build-assets.txt)"; \
    fi \
    && pip install --no-cache-dir --no-deps -c constraints.txt ./shared "./services/${SERVICE}" \
    && script="$(python /usr/local/bin/image_build.py console-script "services/${SERVICE}/pyproject.toml")" \
    && test -x "/opt/venv/bin/${script}" \
    && ln -s "${script}" /opt/venv/bin/medgrade-service

FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
# No port here: compose and Terraform set <prefix>HOST and <prefix>PORT per service, and a service
# without its own <prefix>HOST listens on MEDGRADE_HOST (medgrade_shared.settings). MEDGRADE_SERVICE
# tells the health check which service this is.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    MEDGRADE_HOST=0.0.0.0 \
    MEDGRADE_STORE_PATH=/data/store \
    MEDGRADE_SERVICE=${SERVICE}
# The local store folder (MEDGRADE_STORE_PATH; a named volume in compose; S3 replaces it in
# production; unused by the services that keep no state). A new named
# volume takes this folder's owner, so the non-root user can write to it.
RUN groupadd --system --gid 10001 medgrade \
    && useradd --system --uid 10001 --gid medgrade --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin medgrade \
    && mkdir -p /data/store \
    && chown medgrade:medgrade /data/store
COPY --from=builder /opt/venv /opt/venv
USER 10001:10001
# Liveness only (/health checks nothing downstream), on the port from <prefix>PORT or the
# registry's default; no curl in the image, so Python's urllib.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
    CMD ["python", "-m", "medgrade_shared.healthcheck"]
CMD ["medgrade-service"]
