# syntax=docker/dockerfile:1
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/reportd ./cmd/reportd

FROM debian:bookworm-slim
# fonts-hanazono supplies CJK Extension B characters (𠮷) that Noto SC lacks.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-hanazono ca-certificates wget \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/reportd --create-home reportd \
 && mkdir -p /var/lib/reportd/data \
 && chown reportd:reportd /var/lib/reportd/data
# The volume's mount point exists in the image, owned by reportd: Docker
# copies its owner to a new named volume. Without it Docker creates the
# mount point owned by root and serve fails with "unable to open database
# file". cmd/reportd TestDockerfileSteps runs these steps without Docker.
COPY --from=build /out/reportd /usr/local/bin/reportd
USER reportd
WORKDIR /var/lib/reportd
VOLUME /var/lib/reportd/data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD wget -qO- http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["reportd"]
CMD ["serve", "-addr", "0.0.0.0:8080"]
