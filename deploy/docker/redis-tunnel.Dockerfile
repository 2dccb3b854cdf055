# The TLS tunnel to Redis that runs beside each service in the prod overlay
# (k8s/components/tls): Debian 12's hiredis, which the services link, speaks
# no TLS, so the service talks to 127.0.0.1:6379 in its own pod and stunnel
# carries it to Redis over TLS, checking Redis's certificate.
#
#   docker build -f deploy/docker/redis-tunnel.Dockerfile -t ankommen-redis-tunnel .
FROM debian:12-slim
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="ankommen-redis-tunnel" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="EUPL-1.2" \
      org.opencontainers.image.description="ankommen: the TLS tunnel from a service to Redis (stunnel)"
RUN apt-get update && apt-get install -y --no-install-recommends stunnel4 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin ankommen
USER 10001:10001
# The configuration comes from the ConfigMap redis-tunnel, mounted in /etc/stunnel.
ENTRYPOINT ["/usr/bin/stunnel4"]
CMD ["/etc/stunnel/redis-tunnel.conf"]
