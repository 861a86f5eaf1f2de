# The runner image that pipelines.image names: the Argo Workflow's steps, the batch
# CronJob and the Kubernetes Deployment run `modelspec` from it (docs/pipelines.md).
#
#   docker build -t ghcr.io/modelspec/modelspec:0.1.0 .
#
# It installs exactly this source tree (the distribution `modelspec-cli`), with the extras
# `serve` (MLServer) and `kubeflow` (the KFP components start in kfp), nothing from a registry
# named modelspec: that name on PyPI is another project.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

COPY pyproject.toml README.md /tmp/modelspec-src/
COPY src /tmp/modelspec-src/src
RUN pip install "/tmp/modelspec-src[serve,kubeflow]" \
    && rm -rf /tmp/modelspec-src \
    && modelspec --version

# The uid the rendered Workflow's securityContext runs as (runAsUser/fsGroup 10001).
RUN groupadd --gid 10001 modelspec \
    && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin modelspec
USER 10001:10001
WORKDIR /work

# No entrypoint: every manifest gives the whole command (`modelspec run-step ...`).
ENTRYPOINT []
CMD ["modelspec", "--help"]
