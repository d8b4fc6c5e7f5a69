# A worker image for Docker / Kubernetes work pools: the speechflows wheel and its locked
# dependencies, nothing of the checkout. Build after `make wheel` (writes dist/):
#
#   make wheel && docker build -t speechflows:0.1.0 .
#
# The deployments' job variables name it (prefect.yaml, definitions.docker_pool / kubernetes_pool).
# Settings: PREFECT_API_URL (+ PREFECT_API_AUTH_STRING) come from the worker that starts the
# container; Speech and Storage credentials from the server's blocks (README "Deployments").
FROM python:3.11-slim

ENV DO_NOT_TRACK=1 \
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

COPY dist/requirements.txt dist/speechflows-*.whl /tmp/dist/
# --no-deps: every package is pinned in requirements.txt (uv.lock), certifi at the lock's
# override; pip's resolver would refuse Prefect 3.9.1's certifi floor (README "Scaling out").
RUN pip install --no-deps -r /tmp/dist/requirements.txt /tmp/dist/speechflows-*.whl \
    && rm -rf /tmp/dist \
    && useradd --create-home --uid 10001 speechflows

USER speechflows
WORKDIR /home/speechflows
CMD ["prefect", "worker", "start", "--pool", "speechflows", "--type", "process"]
