#!/usr/bin/env bash
# Creates, in the current kubectl context, the Secret <service>-mongo-credentials for each service's MongoDB, with
# generated values (never committed, never printed):
#   MONGO_INITDB_ROOT_USERNAME, MONGO_INITDB_ROOT_PASSWORD  the MongoDB's administrator (its StatefulSet only)
#   MONGO_APP_USERNAME, MONGO_APP_PASSWORD                  the service's user: readWrite on its own database only
#   MONGO_URI                                               what the service connects with: that user, that database
#     (mongodb://<service>:<password>@<service>-mongo:27017/<service>?authSource=<service>)
# Passwords are 24 random bytes in hex (nothing a URI would have to escape). An existing Secret is kept: its MongoDB
# was initialised with it, and a new password would lock the service out (to rotate, see infra/README.md).
#   infra/mongo-secrets.sh [-n <namespace>]            create the missing Secrets
#   infra/mongo-secrets.sh --dry-run                   print them as YAML instead (to seal or store elsewhere), create nothing
# Used by infra/cluster-up.sh; for production run it once against the cluster (or seal its --dry-run output).
set -euo pipefail

# Every service with a database (the infra tests check this list against the services that store documents).
services=(auth tickets orders payments)
namespace=()
dry_run=0
while [ $# -gt 0 ]; do
  case "$1" in
    -n | --namespace) namespace=(--namespace "$2"); shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    *) echo "usage: $0 [-n <namespace>] [--dry-run]" >&2; exit 2 ;;
  esac
done

command -v kubectl >/dev/null 2>&1 || { echo "mongo-secrets: kubectl is not installed" >&2; exit 1; }
command -v openssl >/dev/null 2>&1 || { echo "mongo-secrets: openssl is not installed" >&2; exit 1; }

for service in "${services[@]}"; do
  name="$service-mongo-credentials"
  if [ "$dry_run" = 0 ] && kubectl get secret "$name" ${namespace[@]+"${namespace[@]}"} >/dev/null 2>&1; then
    echo "Kept $name (it exists; its MongoDB was initialised with it)."
    continue
  fi
  root_password=$(openssl rand -hex 24)
  app_password=$(openssl rand -hex 24)
  args=(create secret generic "$name" ${namespace[@]+"${namespace[@]}"}
    --from-literal=MONGO_INITDB_ROOT_USERNAME=root
    --from-literal=MONGO_INITDB_ROOT_PASSWORD="$root_password"
    --from-literal=MONGO_APP_USERNAME="$service"
    --from-literal=MONGO_APP_PASSWORD="$app_password"
    --from-literal=MONGO_URI="mongodb://$service:$app_password@$service-mongo:27017/$service?authSource=$service")
  if [ "$dry_run" = 1 ]; then
    echo "---"
    kubectl "${args[@]}" --dry-run=client -o yaml
  else
    kubectl "${args[@]}" >/dev/null
    echo "Created $name (random passwords)."
  fi
done
