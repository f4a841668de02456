#!/usr/bin/env bash
# Pins every third-party image of the repository by digest, or moves existing pins to the digest their tag has now:
#   - FROM lines of every Dockerfile (*/Dockerfile, infra/dev/*.Dockerfile),
#   - image: lines of the Kubernetes manifests under infra/ (not ticketing/* and the deploy placeholders),
#   - newTag: "<tag>@sha256:..." entries of the kustomizations under infra/ (NATS's pin, infra/k8s/kustomization.yaml),
#   - <image>:<tag>@sha256:... references in .github/workflows (tests-mongo's MongoDB).
# The tag stays (for readers and for Dependabot, which updates the Dockerfiles' digests on its own); the digest is
# that of the tag's multi-platform index, resolved with `crane digest` or `docker buildx imagetools inspect`.
#   infra/pin-base-images.sh           rewrite the files (review with git diff, run the infra tests, commit)
#   infra/pin-base-images.sh --check   change nothing; list what is unpinned or stale and exit 1 if anything is
# Environment: PIN_ROOT (default: the repository), PIN_RESOLVER (a command printing the digest of <image:tag>; the
# infra tests use a fake one). Needs network access to the registries.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=${PIN_ROOT:-$(dirname "$here")}
check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

declare -A resolved=()
# Sets DIGEST to the digest of the image reference $1 (each reference resolved once).
resolve() {
  local ref=$1 digest=""
  if [ -n "${resolved[$ref]:-}" ]; then DIGEST=${resolved[$ref]}; return; fi
  if [ -n "${PIN_RESOLVER:-}" ]; then
    digest=$($PIN_RESOLVER "$ref")
  elif command -v crane >/dev/null 2>&1; then
    digest=$(crane digest "$ref")
  elif command -v docker >/dev/null 2>&1; then
    digest=$(docker buildx imagetools inspect "$ref" --format '{{json .Manifest}}' \
      | grep -o '"digest": *"sha256:[0-9a-f]\{64\}"' | head -n 1 | grep -o 'sha256:[0-9a-f]\{64\}')
  else
    echo "pin-base-images: neither crane nor docker (buildx) is installed" >&2
    exit 1
  fi
  if ! [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]]; then
    echo "pin-base-images: no digest for $ref (got '$digest')" >&2
    exit 1
  fi
  resolved[$ref]=$digest
  DIGEST=$digest
}

changed=0
DIGEST=""
# Rewrites one file line by line. $2 is a bash regex; $3-$6 the numbers of its groups holding the text before the
# reference, the reference (image:tag), its digest (@sha256:..., may be empty) and the text after it.
pin_file() {
  local file=$1 pattern=$2 before=$3 at=$4 pinned=$5 after=$6 line ref old head tail out
  out=$(mktemp)
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ $pattern ]]; then
      head=${BASH_REMATCH[$before]}
      ref=${BASH_REMATCH[$at]}
      old=${BASH_REMATCH[$pinned]}
      tail=${BASH_REMATCH[$after]}
      case "$ref" in
        ticketing/* | *:set-by-deploy) ;;
        *)
          resolve "$ref"
          if [ "$old" != "@$DIGEST" ]; then
            echo "${file#"$root"/}: $ref${old:- (unpinned)} -> @$DIGEST"
            changed=1
          fi
          line="$head$ref@$DIGEST$tail"
          ;;
      esac
    fi
    printf '%s\n' "$line" >> "$out"
  done < "$file"
  if [ "$check" = 0 ]; then cat "$out" > "$file"; fi
  rm -f "$out"
}

# An image reference with its tag (registry host and port allowed): image:tag, the tag after the last colon.
ref='([a-z0-9][a-z0-9._:/-]*:[A-Za-z0-9._-]+)'
pinned='(@sha256:[0-9a-f]{64})?'
# FROM [--platform=...] image:tag[@digest] [AS stage]: a FROM naming an earlier stage has no tag and is left alone.
while IFS= read -r file; do
  pin_file "$file" "^(FROM[[:space:]]+(--platform=[^[:space:]]+[[:space:]]+)?)$ref$pinned([[:space:]].*)?\$" 1 3 4 5
done < <(find "$root" \( -name Dockerfile -o -name '*.Dockerfile' \) -not -path '*/bin/*' -not -path '*/obj/*' -not -path '*/node_modules/*' -not -path '*/.git/*' | sort)
# image: name:tag[@digest] in the manifests; newTag: "tag@digest" in the kustomizations (name from the entry above it).
while IFS= read -r file; do
  pin_file "$file" "^([[:space:]]*(- )?image:[[:space:]]*\"?)$ref$pinned(\"?[[:space:]]*(#.*)?)\$" 1 3 4 5
done < <(find "$root/infra" -name '*.yaml' -not -name kustomization.yaml -not -path '*/tests/*' | sort)
while IFS= read -r file; do
  out=$(mktemp)
  name=""
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^[[:space:]]*-[[:space:]]name:[[:space:]]*(.+)$ ]]; then name=${BASH_REMATCH[1]}; fi
    if [[ $line =~ ^([[:space:]]*newTag:[[:space:]]*\")([A-Za-z0-9._-]+)(@sha256:[0-9a-f]{64})(\".*)$ ]]; then
      head=${BASH_REMATCH[1]} tag=${BASH_REMATCH[2]} old=${BASH_REMATCH[3]} tail=${BASH_REMATCH[4]}
      resolve "$name:$tag"
      if [ "$old" != "@$DIGEST" ]; then
        echo "${file#"$root"/}: $name:$tag$old -> @$DIGEST"
        changed=1
      fi
      line="$head$tag@$DIGEST$tail"
    fi
    printf '%s\n' "$line" >> "$out"
  done < "$file"
  if [ "$check" = 0 ]; then cat "$out" > "$file"; fi
  rm -f "$out"
done < <(find "$root/infra" -name kustomization.yaml -not -path '*/tests/*' | sort)
# Workflows: only references already pinned (a tag-only reference there is left to review by hand).
if [ -d "$root/.github/workflows" ]; then
  while IFS= read -r file; do
    pin_file "$file" "^(.*[[:space:]])$ref(@sha256:[0-9a-f]{64})([[:space:]].*)?\$" 1 2 3 4
  done < <(find "$root/.github/workflows" -name '*.yml' | sort)
fi

if [ "$check" = 1 ] && [ "$changed" = 1 ]; then
  echo "Unpinned or stale images above: run infra/pin-base-images.sh" >&2
  exit 1
fi
