#!/usr/bin/env bash
# Roll out one image: the migrations first (a Job, waited for), then web, workers and beat.
# Usage: deploy/kubernetes/release.sh IMAGE   (NAMESPACE=flipside by default; kubectl 1.27+)
# The Secret flipside-secrets must exist (see secret.example.yaml).
set -euo pipefail
image=${1:?usage: release.sh IMAGE}
ns=${NAMESPACE:-flipside}
here=$(cd "$(dirname "$0")" && pwd)
with_image() { sed "s|image: flipside:latest|image: $image|"; }

kubectl -n "$ns" delete job flipside-migrate --ignore-not-found --wait
with_image < "$here/migrate-job.yaml" | kubectl -n "$ns" apply -f -
if ! kubectl -n "$ns" wait --for=condition=complete job/flipside-migrate --timeout=30m; then
  kubectl -n "$ns" logs job/flipside-migrate --tail=50 >&2 || true
  echo "Migrations failed: nothing else was changed." >&2
  exit 1
fi
kubectl kustomize "$here" | with_image | kubectl -n "$ns" apply -f -
kubectl -n "$ns" rollout status deployment/flipside-web --timeout=15m
