# One image, three roles: `omnibox serve` (all in one, the default), `omnibox api`,
# `omnibox worker`. Configuration comes from OMNIBOX_* environment variables.
FROM python:3.11-slim

# Production by default: a short or published SECRET_KEY is refused. Leave SECRET_KEY unset
# and the install makes a random one on first start and keeps it in its database (/data).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    OMNIBOX_ENVIRONMENT=production \
    OMNIBOX_DATABASE_URL=sqlite+aiosqlite:////data/omnibox.db

WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
# The service's packages only: the demo and the fake platforms (demo/, fakes/) stay out.
COPY inbox ./inbox
COPY bots ./bots
COPY rules ./rules
COPY api ./api
COPY docs/rules.example.yaml ./docs/
# constraints.txt pins every package to the versions CI tested (see README, "Upgrading").
RUN pip install -c constraints.txt . && python -m compileall -q /usr/local/lib/python3.11/site-packages \
    && useradd --create-home --uid 10001 omnibox && mkdir /data && chown omnibox /data

USER omnibox
VOLUME ["/data"]
EXPOSE 8000
ENTRYPOINT ["omnibox"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
