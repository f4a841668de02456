#!/usr/bin/env bash
# A local cluster for `skaffold dev`, from zero:
#   infra/cluster-up.sh kind|minikube|docker-desktop
# 1. creates (kind, minikube) or selects (docker-desktop) the cluster,
# 2. installs ingress-nginx (pinned), waits for its controller and sets what the platform needs of it
#    (ingress-nginx/controller-config.yaml: forwarded headers trusted from the pod network only, HSTS),
# 3. creates the secrets jwt-secret, nats-credentials, stripe-secret and <service>-mongo-credentials with generated
#    values (kept if they exist; mongo-secrets.sh),
# 4. maps ticketing-dev in /etc/hosts (asks for sudo once; skipped if present),
# then prints the next command: skaffold dev. Each step says what to do when it fails (infra/README.md too).
# Environment: STRIPE_KEY / STRIPE_WEBHOOK_SECRET (your Stripe test keys; a placeholder otherwise: payments then
# starts but Stripe refuses its calls), KIND_CLUSTER (default ticketing), SKIP_HOSTS=1 to leave /etc/hosts alone.
set -euo pipefail

INGRESS_NGINX_VERSION=controller-v1.13.2
HOST=ticketing-dev
here=$(cd "$(dirname "$0")" && pwd)

fail() {
  echo "cluster-up: $1" >&2
  echo "  fix: $2" >&2
  exit 1
}

need() {
  command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed" "install it: $2"
}

usage() {
  echo "usage: $0 kind|minikube|docker-desktop" >&2
  exit 2
}

[ $# -eq 1 ] || usage
flavour=$1
need kubectl "https://kubernetes.io/docs/tasks/tools/"

# --- 1. the cluster -------------------------------------------------------------------------------
case "$flavour" in
  kind)
    need kind "https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
    name=${KIND_CLUSTER:-ticketing}
    if ! kind get clusters 2>/dev/null | grep -qx "$name"; then
      echo "Creating the kind cluster $name (ports 80/443 of this machine go to the ingress node) ..."
      kind create cluster --name "$name" --config "$here/kind-config.yaml" \
        || fail "kind could not create the cluster" "is Docker running, and are ports 80 and 443 free? (sudo lsof -i :80)"
    fi
    kubectl config use-context "kind-$name" >/dev/null
    ingress_manifest="https://raw.githubusercontent.com/kubernetes/ingress-nginx/$INGRESS_NGINX_VERSION/deploy/static/provider/kind/deploy.yaml"
    ip=127.0.0.1
    ;;
  minikube)
    need minikube "https://minikube.sigs.k8s.io/docs/start/"
    if ! minikube status >/dev/null 2>&1; then
      echo "Starting minikube ..."
      minikube start --memory=6g --cpus=4 || fail "minikube did not start" "minikube delete, then run this again; or give it less memory"
    fi
    kubectl config use-context minikube >/dev/null
    ingress_manifest="https://raw.githubusercontent.com/kubernetes/ingress-nginx/$INGRESS_NGINX_VERSION/deploy/static/provider/cloud/deploy.yaml"
    ip=$(minikube ip)
    ;;
  docker-desktop)
    kubectl config use-context docker-desktop >/dev/null \
      || fail "no docker-desktop context" "enable Kubernetes in Docker Desktop (Settings > Kubernetes) and wait until it is running"
    ingress_manifest="https://raw.githubusercontent.com/kubernetes/ingress-nginx/$INGRESS_NGINX_VERSION/deploy/static/provider/cloud/deploy.yaml"
    ip=127.0.0.1
    ;;
  *)
    usage
    ;;
esac
kubectl cluster-info >/dev/null || fail "the cluster does not answer" "kubectl cluster-info; check the current context (kubectl config current-context)"

# --- 2. ingress-nginx ------------------------------------------------------------------------------
echo "Installing ingress-nginx $INGRESS_NGINX_VERSION ..."
kubectl apply -f "$ingress_manifest" >/dev/null || fail "ingress-nginx could not be applied" "check your network, then run this again"
kubectl wait --namespace ingress-nginx --for=condition=ready pod \
  --selector=app.kubernetes.io/component=controller --timeout=180s >/dev/null \
  || fail "the ingress-nginx controller is not ready" "kubectl -n ingress-nginx describe pod -l app.kubernetes.io/component=controller (kind: is the node labelled ingress-ready=true?)"
# Forwarded headers believed from the pod network only (decision 0012): the nodes' pod ranges, when the cluster
# reports them, replace the file's default.
kubectl -n ingress-nginx patch configmap ingress-nginx-controller --type merge \
  --patch-file "$here/ingress-nginx/controller-config.yaml" >/dev/null \
  || fail "could not configure ingress-nginx" "kubectl -n ingress-nginx get configmap ingress-nginx-controller (is the controller installed?)"
pod_cidrs=$(kubectl get nodes -o jsonpath='{.items[*].spec.podCIDR}' 2>/dev/null | tr -s ' ' ',')
if [ -n "$pod_cidrs" ]; then
  kubectl -n ingress-nginx patch configmap ingress-nginx-controller --type merge \
    -p "{\"data\":{\"proxy-real-ip-cidr\":\"$pod_cidrs\"}}" >/dev/null \
    || fail "could not set proxy-real-ip-cidr" "set it by hand to your pod CIDR (infra/ingress-nginx/controller-config.yaml)"
  echo "ingress-nginx believes X-Forwarded-For from the pod network only: $pod_cidrs"
fi
if [ "$flavour" = minikube ]; then
  echo "minikube: run 'minikube tunnel' in another terminal so the controller's LoadBalancer gets $ip or 127.0.0.1."
fi

# --- 3. secrets (generated, never printed, never committed) ---------------------------------------
secret() { kubectl get secret "$1" >/dev/null 2>&1; }
if ! secret jwt-secret; then
  kubectl create secret generic jwt-secret --from-literal=JWT_KEY="$(openssl rand -base64 48)" >/dev/null \
    || fail "could not create jwt-secret" "is openssl installed? kubectl auth can-i create secrets"
  echo "Created jwt-secret (a random 48-byte key)."
fi
if ! secret nats-credentials; then
  # One password per user of infra/nats/auth.conf (letters and digits: nats-server reads them as config values).
  nats_args=()
  for user in ADMIN AUTH TICKETS ORDERS PAYMENTS EXPIRATION; do
    nats_args+=("--from-literal=NATS_${user}_PASSWORD=n$(openssl rand -hex 24)")
  done
  kubectl create secret generic nats-credentials "${nats_args[@]}" >/dev/null \
    || fail "could not create nats-credentials" "kubectl auth can-i create secrets"
  echo "Created nats-credentials (a random password per NATS user)."
fi
if ! secret stripe-secret; then
  stripe_key=${STRIPE_KEY:-sk_test_placeholder_$(openssl rand -hex 12)}
  webhook=${STRIPE_WEBHOOK_SECRET:-whsec_$(openssl rand -hex 24)}
  kubectl create secret generic stripe-secret --from-literal=STRIPE_KEY="$stripe_key" \
    --from-literal=STRIPE_WEBHOOK_SECRET="$webhook" >/dev/null || fail "could not create stripe-secret" "kubectl auth can-i create secrets"
  if [ -z "${STRIPE_KEY:-}" ]; then
    echo "Created stripe-secret with a placeholder key: payments start, Stripe refuses real calls (set STRIPE_KEY=sk_test_... and recreate it)."
  else
    echo "Created stripe-secret from STRIPE_KEY."
  fi
fi

# One MongoDB user per service database (readWrite on its own database only) and each MongoDB's administrator.
"$here/mongo-secrets.sh" || fail "could not create the MongoDB secrets" "kubectl auth can-i create secrets; is openssl installed?"

# --- 4. /etc/hosts ---------------------------------------------------------------------------------
if [ "${SKIP_HOSTS:-0}" != 1 ] && ! grep -qE "^[^#]*[[:space:]]$HOST([[:space:]]|\$)" /etc/hosts; then
  echo "Mapping $HOST to $ip in /etc/hosts (sudo) ..."
  echo "$ip $HOST" | sudo tee -a /etc/hosts >/dev/null || fail "could not edit /etc/hosts" "add the line '$ip $HOST' yourself"
fi

echo
echo "Ready. Next: skaffold dev          (or: skaffold dev -p dev for dotnet watch with file sync)"
echo "Then open http://$HOST/ ; NATS monitoring on http://localhost:8222 while skaffold runs."
