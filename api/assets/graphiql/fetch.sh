#!/usr/bin/env bash
# Re-fetches GraphiQL's browser assets from the npm registry, pinned, and
# checks them against SHA256SUMS before anything here is replaced.
#   bash api/assets/graphiql/fetch.sh          # fetch, verify, install
#   bash api/assets/graphiql/fetch.sh --check  # verify the committed files only
# After a version bump: fetch with SKIP_SUMS=1, review, run
#   (cd api/assets/graphiql && sha256sum <files> > SHA256SUMS)
# and rename the assets in api/src/http/graphiql.rs to match.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# Pinned: React 18 is the last with UMD builds, and graphiql 4.1 the last
# release with a UMD bundle (5.x ships ES modules for a bundler only).
GRAPHIQL=4.1.2
REACT=18.3.1

if [[ ${1:-} == --check ]]; then
    cd "$here"
    exec sha256sum --check --strict SHA256SUMS
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# `npm pack` checks each tarball against the registry's own sha512
# integrity; the sums below then pin the exact bytes we ship.
npm pack --silent --pack-destination "$work" \
    "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null
mkdir out
unpack() { # tarball, file inside, name to ship
    tar -xzf "$1" -O "package/$2" >"out/$3"
}
unpack "graphiql-$GRAPHIQL.tgz" graphiql.min.js "graphiql-$GRAPHIQL.min.js"
unpack "graphiql-$GRAPHIQL.tgz" graphiql.min.css "graphiql-$GRAPHIQL.min.css"
unpack "graphiql-$GRAPHIQL.tgz" LICENSE "graphiql-$GRAPHIQL.LICENSE"
unpack "react-$REACT.tgz" umd/react.production.min.js "react-$REACT.production.min.js"
unpack "react-$REACT.tgz" LICENSE "react-$REACT.LICENSE"
unpack "react-dom-$REACT.tgz" umd/react-dom.production.min.js "react-dom-$REACT.production.min.js"
unpack "react-dom-$REACT.tgz" LICENSE "react-dom-$REACT.LICENSE"

if [[ -z ${SKIP_SUMS:-} ]]; then
    (cd out && sha256sum --check --strict --quiet "$here/SHA256SUMS")
fi
cp out/* "$here/"
echo "fetched and verified: $(cd out && echo *)"
