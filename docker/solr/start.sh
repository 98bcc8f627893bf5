#!/bin/sh
# The core is created once (solr-precreate, as ckan-solr does); the schema, solrconfig and
# the plugin jar of the image are copied over it on every start, as scripts/run-solr.sh
# does natively, so an upgraded image's schema applies (then: ckan search-index rebuild).
set -e
CS=/opt/solr/server/solr/configsets/ckan
CORE=/var/solr/data/ckan
if [ -d "$CORE/conf" ]; then
  cp -r "$CS/conf/." "$CORE/conf/"
  mkdir -p "$CORE/lib" && cp -r "$CS/lib/." "$CORE/lib/"
fi
exec solr-precreate ckan "$CS"
