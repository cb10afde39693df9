# The Nanobananas image that compose.yaml runs as web and worker processes.
# The install is the one CI runs (Makefile: a venv, pip upgraded, the project from pyproject.toml),
# without the test and lint extras. Wheels bring libvips (pyvips-binary), OpenCV, ffmpeg (PyAV) and
# fonts, so no system packages are needed beyond the Python image.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NANOBANANAS_HOME=/var/lib/nanobananas

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /app/.venv \
 && /app/.venv/bin/python -m pip install --quiet --upgrade pip \
 && /app/.venv/bin/python -m pip install --quiet . \
 && useradd --system --create-home --home-dir /var/lib/nanobananas nanobananas

USER nanobananas
ENV PATH=/app/.venv/bin:$PATH
EXPOSE 8000
# The embedded default (web and worker in one container); compose.yaml runs them apart.
CMD ["nanobananas", "serve", "--host", "0.0.0.0", "--port", "8000"]
